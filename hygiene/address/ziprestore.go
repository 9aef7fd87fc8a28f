package address

import (
	"fmt"
	"strings"
)

// RestoreZIP mends a ZIP Code a spreadsheet stored as a number, which drops
// its leading zeros ("6901" for 06901, "501" for 00501, also with a ZIP+4).
// The padded ZIP is returned only when it is one of the ZIPs of the given
// city in the given state, so a ZIP that is simply wrong is never "fixed".
// A 5-digit ZIP (with or without the "6901.0" number form) is not changed.
func (c *Cleanser) RestoreZIP(zip, city, state string) (string, bool) {
	zip = strings.TrimSpace(zip)
	// A ZIP cell formatted as a number may come out as "6901.0".
	if z, ok := strings.CutSuffix(zip, ".0"); ok && allDigits(z) {
		zip = z
	}
	plus4 := ""
	if z, p4, ok := strings.Cut(zip, "-"); ok {
		zip, plus4 = z, p4
		if len(plus4) != 4 || !allDigits(plus4) {
			return "", false
		}
	}
	if len(zip) < 3 || len(zip) > 4 || !allDigits(zip) {
		return "", false
	}
	city = strings.ToUpper(strings.Join(strings.Fields(city), " "))
	state = strings.ToUpper(strings.TrimSpace(state))
	if city == "" || state == "" || c.p == nil || c.p.zips == nil {
		return "", false
	}
	padded := strings.Repeat("0", 5-len(zip)) + zip
	n := int32(zipNum(padded))
	for _, i := range c.p.zips.zipsOf(state, city) {
		if int32(zipNum(c.p.zips.entries[i].Zip)) == n {
			if plus4 != "" {
				return padded + "-" + plus4, true
			}
			return padded, true
		}
	}
	return "", false
}

// RestoreFieldsZIP is RestoreZIP on the ZIP of f. It returns f with the ZIP
// restored and the reason a row's report gives, naming the ZIP's column
// ("zip", "old_zip"); the reason is "" and f unchanged when nothing was
// restored. Every upload that reads ZIPs from a spreadsheet says it the same
// way.
func (c *Cleanser) RestoreFieldsZIP(f Fields, column string) (Fields, string) {
	z, ok := c.RestoreZIP(f.ZIP, f.City, f.State)
	if !ok {
		return f, ""
	}
	reason := fmt.Sprintf("%s %q read as %s (the leading zero was lost; %s %s has that ZIP)", column, strings.TrimSpace(f.ZIP), z,
		strings.TrimSpace(f.City), strings.TrimSpace(f.State))
	f.ZIP = z
	return f, reason
}
