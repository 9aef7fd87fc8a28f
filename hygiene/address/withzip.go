package address

import (
	"regexp"
	"strings"
)

// trailingZIP is a ZIP (or ZIP+4) ending the text.
var trailingZIP = regexp.MustCompile(`\b\d{5}(-?\d{4})?\s*$`)

// WithZIP writes zip into an address typed as text: it replaces the ZIP
// that ends the text, or adds it to the last line when none does. It is
// how a mailer's choice among CandidateZIPs goes back into the address.
func WithZIP(text, zip string) string {
	t := strings.TrimRight(text, " \t\r\n,")
	if loc := trailingZIP.FindStringIndex(t); loc != nil {
		// A house number alone on the only line is no ZIP.
		if head := strings.TrimSpace(t[:loc[0]]); head != "" {
			return t[:loc[0]] + zip
		}
	}
	if t == "" {
		return zip
	}
	return t + " " + zip
}
