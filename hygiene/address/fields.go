package address

import (
	"strings"
)

// Fields is an address as a form or a spreadsheet holds it.
type Fields struct {
	Line1 string `json:"line1"`
	Line2 string `json:"line2"`
	City  string `json:"city"`
	State string `json:"state"`
	ZIP   string `json:"zip"`
}

// Text joins the fields as the several lines Cleanse reads.
func (f Fields) Text() string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(f.Line1))
	if l2 := strings.TrimSpace(f.Line2); l2 != "" {
		b.WriteString("\n")
		b.WriteString(l2)
	}
	last := strings.TrimSpace(f.City)
	if s := strings.TrimSpace(f.State); s != "" {
		if last != "" {
			last += ", "
		}
		last += s
	}
	if z := strings.TrimSpace(f.ZIP); z != "" {
		if last != "" {
			last += " "
		}
		last += z
	}
	if last != "" {
		b.WriteString("\n")
		b.WriteString(last)
	}
	return b.String()
}

// LastLine is "CITY ST ZIP", or "CITY ST ZIP-ZIP4" with zip4.
func (f Fields) LastLine(zip4 string) string {
	z := f.ZIP
	if zip4 != "" {
		z += "-" + zip4
	}
	return strings.TrimSpace(strings.TrimSpace(f.City+" "+f.State) + " " + z)
}

// OneLine is the address on one line: "LINE1, LINE2, CITY ST ZIP".
func (f Fields) OneLine(zip4 string) string {
	parts := []string{f.Line1}
	if f.Line2 != "" {
		parts = append(parts, f.Line2)
	}
	if l := f.LastLine(zip4); l != "" {
		parts = append(parts, l)
	}
	return strings.Join(parts, ", ")
}

// FieldCheck is the verdict on a form's address: the cleansing result, the
// suggestion split back into form fields, and whether it differs from what
// was typed (beyond case, punctuation and spacing).
type FieldCheck struct {
	Result    Result
	Suggested Fields
	Differs   bool
}

// NeedsDecision reports a check the user should see before saving: a
// suggestion that changes the address, or a warning about it.
func (fc FieldCheck) NeedsDecision() bool {
	return fc.Differs || fc.Result.Status == StatusInvalid || fc.Result.Status == StatusAmbiguous
}

// Warnings are the reasons worth showing a mailer: every reason is about
// their address.
func (fc FieldCheck) Warnings() []string {
	return append([]string(nil), fc.Result.Reasons...)
}

// FaultField names the form field (line1, city, state or zip) where a
// refused address is to be corrected: the ZIP when the mailer must choose
// among CandidateZIPs, else the part an invalid verdict's first reason is
// about; "" when the address is not refused.
func (fc FieldCheck) FaultField() string {
	r := fc.Result
	if len(r.CandidateZIPs) > 0 && (r.Status == StatusInvalid || r.Status == StatusAmbiguous) {
		return "zip"
	}
	if r.Status != StatusInvalid {
		return ""
	}
	if len(r.Reasons) == 0 {
		return "line1"
	}
	switch why := r.Reasons[0]; {
	case strings.HasPrefix(why, "ZIP "):
		return "zip"
	case strings.HasSuffix(why, "is not in the ZIP list"), strings.HasPrefix(why, "city"):
		return "city"
	case strings.HasPrefix(why, "state"):
		return "state"
	}
	return "line1"
}

// CheckFields cleanses an address given as form fields.
// A ZIP that lost its leading zero (a spreadsheet's "2108") is restored
// first where RestoreFieldsZIP finds it safe, and the result says so.
func (c *Cleanser) CheckFields(f Fields) FieldCheck {
	mended, restored := c.RestoreFieldsZIP(f, "zip")
	r := c.Cleanse(mended.Text())
	if restored != "" {
		r.Reasons = append([]string{restored}, r.Reasons...)
		if r.Status == StatusValid {
			r.Status = StatusCorrected
		}
	}
	p := Parsed{Components: r.Components}
	s := Fields{Line1: r.Standardized.DeliveryLine, Line2: p.Standard(LabelUrbanization),
		City: p.Standard(LabelPlaceName), State: p.Standard(LabelStateName), ZIP: r.ZIP}
	if s.ZIP == "" {
		s.ZIP = p.Standard(LabelZipCode)
	}
	if s.Line2 != "" {
		s.Line2 = "URB " + s.Line2
	}
	if s.Line1 == "" {
		// Nothing the parser could use: suggest nothing rather than blanks.
		s = f
	}
	differs := fold(f.Line1+" "+f.Line2) != fold(s.Line1+" "+s.Line2) || fold(f.City) != fold(s.City) ||
		fold(f.State) != fold(s.State) || fold(f.ZIP) != fold(s.ZIP)
	return FieldCheck{Result: r, Suggested: s, Differs: differs}
}

// fold upper-cases and drops punctuation and repeated spaces.
func fold(s string) string {
	var b strings.Builder
	space := true
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '.' || r == ',':
			continue
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		b.WriteRune(r)
		space = false
	}
	return strings.TrimSpace(b.String())
}

// OneCell reports whether the whole address is in the delivery lines: no
// city, state or ZIP of their own (a spreadsheet with the address in one
// column).
func (f Fields) OneCell() bool {
	return strings.TrimSpace(f.City) == "" && strings.TrimSpace(f.State) == "" && strings.TrimSpace(f.ZIP) == "" &&
		strings.TrimSpace(f.Line1+f.Line2) != ""
}
