package views

// Page is what the layout needs on every page.
type Page struct {
	Title    string
	CSRF     string
	User     *UserVM
	Flash    string
	Error    string
	TestMode bool
	Nav      string // the active navigation entry
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
