package views

import "github.com/a-h/templ"

// Page is what the layout needs on every page.
type Page struct {
	Title    string
	CSRF     string
	User     *UserVM
	Flash    string
	Error    string
	TestMode bool
	Nav      string // the active navigation entry
	// Refresh reloads the page after this many seconds without JavaScript
	// (a page waiting on a job); 0 never.
	Refresh int
}

// UserVM is the logged-in user as the layout shows them.
type UserVM struct {
	Name, Email, Role, RoleLabel string
	IsOwner, IsMailer, IsStaff   bool
	IsAdmin, CanManageUsers      bool
	CanManageCostCodes           bool
	CanReadReports               bool // owners, users holding "Export reports", vendor admins
}

// Form carries submitted values and per-field messages back to a form.
type Form struct {
	Values map[string]string
	Errors map[string]string
}

// V returns a submitted value.
func (f Form) V(name string) string { return f.Values[name] }

// E returns the message for a field, if any.
func (f Form) E(name string) string { return f.Errors[name] }

// Checked reports whether a checkbox value was submitted.
func (f Form) Checked(name string) bool { return f.Values[name] != "" }

// Option is one choice of a select or checkbox group.
type Option struct {
	Value, Label string
	Selected     bool
}

// Aria marks the control of a field whose value was refused: screen readers
// announce it as invalid and read the message (id name+"-error") with it.
func (f Form) Aria(name string) templ.Attributes {
	return ariaFor(f.E(name) != "", name)
}

// AriaAny is Aria for a control whose message is one of several fields'
// (a group that shows each message under it): the first refused one is read.
func (f Form) AriaAny(names ...string) templ.Attributes {
	for _, n := range names {
		if f.E(n) != "" {
			return ariaFor(true, n)
		}
	}
	return templ.Attributes{}
}

func ariaFor(invalid bool, name string) templ.Attributes {
	if !invalid {
		return templ.Attributes{}
	}
	return templ.Attributes{"aria-invalid": "true", "aria-describedby": name + "-error"}
}
