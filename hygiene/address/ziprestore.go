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
		if int32(zipNum(c.p.zips.entry(i).Zip)) == n {
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
	if f.OneCell() {
		// The whole address in the first column: the ZIP ends its last line.
		text := &f.Line1
		if strings.TrimSpace(f.Line2) != "" {
			text = &f.Line2
		}
		_, zip, reason := c.restoreLastWord(f.Text())
		if reason == "" {
			return f, ""
		}
		t := strings.TrimRight(*text, " \t\r\n,;")
		*text = t[:strings.LastIndexAny(t, " \t\n,;")+1] + zip
		return f, reason
	}
	z, ok := c.RestoreZIP(f.ZIP, f.City, f.State)
	if !ok {
		return f, ""
	}
	reason := fmt.Sprintf("%s %q read as %s (the leading zero was lost; %s %s has that ZIP)", column, strings.TrimSpace(f.ZIP), z,
		strings.TrimSpace(f.City), strings.TrimSpace(f.State))
	f.ZIP = z
	return f, reason
}

// RestoreTextZIP is RestoreZIP for an address written in one piece ("12 Main
// St, Boston MA 2108"): a last word of three or four digits (or a ZIP+4 so
// shortened) is padded when the address then reads with that ZIP in its
// last line and the city and state written before it have that ZIP. It
// returns the mended text and the reason, or text unchanged and "".
func (c *Cleanser) RestoreTextZIP(text string) (string, string) {
	head, zip, reason := c.restoreLastWord(text)
	if reason == "" {
		return text, ""
	}
	return head + zip, reason
}

// restoreLastWord is RestoreTextZIP's work: the text before the last word,
// and the restored ZIP and reason ("" when nothing was restored).
func (c *Cleanser) restoreLastWord(text string) (head, zip, reason string) {
	if c.p == nil || len(text) > MaxInputLen {
		return "", "", ""
	}
	trimmed := strings.TrimRight(text, " \t\r\n,;")
	i := strings.LastIndexAny(trimmed, " \t\n,;") + 1
	last := trimmed[i:]
	if i == 0 || last == "" || !isDigit(last[0]) {
		return "", "", ""
	}
	z, _ := strings.CutSuffix(last, ".0")
	plus4 := ""
	if z5, p4, ok := strings.Cut(z, "-"); ok {
		z, plus4 = z5, "-"+p4
	}
	if len(z) < 3 || len(z) > 4 || !allDigits(z) {
		return "", "", ""
	}
	padded := strings.Repeat("0", 5-len(z)) + z
	p, err := c.p.parse(trimmed[:i] + padded + plus4)
	if err != nil || p.Standard(LabelZipCode) != padded {
		return "", "", ""
	}
	city, state := p.Standard(LabelPlaceName), p.Standard(LabelStateName)
	restored, ok := c.RestoreZIP(last, city, state)
	if !ok {
		return "", "", ""
	}
	return trimmed[:i], restored, fmt.Sprintf("ZIP %q at the end of the address read as %s (the leading zero was lost; %s %s has that ZIP)", last, restored, city, state)
}
