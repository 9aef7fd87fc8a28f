package address

import "strings"

// Standardized is an address in Publication 28 form.
type Standardized struct {
	// Lines are the address lines top to bottom: recipient, firm,
	// urbanization, delivery line, last line (CITY ST ZIP+4).
	Lines []string `json:"lines"`
	// DeliveryLine is the standardized street, box or route line with its
	// secondary unit (Publication 28 puts the unit on the delivery line).
	DeliveryLine string `json:"delivery_line"`
	// LastLine is CITY ST ZIP or CITY ST ZIP-PLUS4.
	LastLine string `json:"last_line"`
	// OneLine is the urbanization, delivery line and last line joined with
	// ", " (no recipient or firm).
	OneLine string `json:"one_line"`
}

// Standardize renders parsed components in Publication 28 form.
func Standardize(p Parsed) Standardized {
	s, _ := standardize(p)
	return s
}

// standardize is Standardize that also returns the primary delivery line
// (street, box or route without units), which the match key reuses.
//
// The one-line form holds every other line (urbanization, delivery line
// with its primary part, last line), so it is written once, in a stack
// buffer, and the others are slices of it: one string per address instead
// of one per line.
func standardize(p Parsed) (Standardized, string) {
	var buf [256]byte
	b := buf[:0]
	if urb, ok := urbanization(p); ok {
		b = append(append(b, "URB "...), urb...)
	}
	urbEnd := len(b)
	b = appendSep(b, ", ")
	delivery := len(b)
	b = appendPrimary(b, p)
	primaryEnd := len(b)
	b = appendJoined(b, delivery, func(b []byte) []byte { return appendUnits(b, p) })
	b = dropEmptySep(b, delivery, urbEnd)
	deliveryStart, deliveryEnd := min(delivery, len(b)), len(b)
	b = appendSep(b, ", ")
	last := len(b)
	b = appendLastLine(b, p.Standard(LabelPlaceName), p.Standard(LabelStateName), p.Standard(LabelZipCode), p.Standard(LabelZipPlus4))
	b = dropEmptySep(b, last, deliveryEnd)
	lastStart := min(last, len(b))

	one := string(b)
	s := Standardized{
		DeliveryLine: one[deliveryStart:deliveryEnd],
		LastLine:     one[lastStart:],
		OneLine:      one,
	}
	names := 0
	for _, c := range p.Components {
		if c.Label == LabelRecipient || c.Label == LabelFirm {
			names++
		}
	}
	s.Lines = make([]string, 0, names+3)
	for _, c := range p.Components {
		if c.Label == LabelRecipient || c.Label == LabelFirm {
			s.Lines = append(s.Lines, c.Standard)
		}
	}
	for _, l := range [...]string{one[:urbEnd], s.DeliveryLine, s.LastLine} {
		if l != "" {
			s.Lines = append(s.Lines, l)
		}
	}
	return s, one[deliveryStart:min(primaryEnd, deliveryEnd)]
}

// appendSep appends sep when b holds something already.
func appendSep(b []byte, sep string) []byte {
	if len(b) > 0 {
		b = append(b, sep...)
	}
	return b
}

// dropEmptySep removes the separator written before a part that came out
// empty: b holds it between prevEnd and partStart and nothing after.
func dropEmptySep(b []byte, partStart, prevEnd int) []byte {
	if len(b) == partStart {
		return b[:prevEnd]
	}
	return b
}

// appendJoined appends what add writes, after a space when b holds
// something since start; the space is dropped when add writes nothing.
func appendJoined(b []byte, start int, add func([]byte) []byte) []byte {
	if len(b) == start {
		return add(b)
	}
	mark := len(b)
	b = add(append(b, ' '))
	if len(b) == mark+1 {
		return b[:mark]
	}
	return b
}

// deliveryParts renders the name lines, the urbanization line, the primary
// delivery line (street, box or route, without units) and the units.
func deliveryParts(p Parsed) (names []string, urb, primaryLine, unitText string) {
	for _, c := range p.Components {
		if c.Label == LabelRecipient || c.Label == LabelFirm {
			names = append(names, c.Standard)
		}
	}
	if u, ok := urbanization(p); ok {
		urb = "URB " + u
	}
	var buf [128]byte
	primaryLine = string(appendPrimary(buf[:0], p))
	unitText = string(appendUnits(buf[:0], p))
	return names, urb, primaryLine, unitText
}

// urbanization is the standard form of the last urbanization component.
func urbanization(p Parsed) (urb string, ok bool) {
	for _, c := range p.Components {
		if c.Label == LabelUrbanization {
			urb, ok = c.Standard, true
		}
	}
	return urb, ok
}

// appendPrimary appends the primary delivery line: street, box or route,
// without units.
func appendPrimary(dst []byte, p Parsed) []byte {
	start := len(dst)
	sep := func() {
		if len(dst) > start {
			dst = append(dst, ' ')
		}
	}
	prev := ""
	for _, c := range p.Components {
		switch c.Label {
		case LabelAddressNumber:
			if prev != LabelAddressNumberPrefix {
				sep()
			}
			dst = append(dst, c.Standard...)
		case LabelAddressNumberSuffix:
			if strings.Contains(c.Standard, "/") {
				sep()
			}
			dst = append(dst, c.Standard...)
		case LabelAddressNumberPrefix, LabelStreetNamePreModifier, LabelStreetNamePreDirectional,
			LabelStreetNamePreType, LabelStreetName, LabelStreetNamePostType, LabelStreetNamePostDirectional,
			LabelUSPSBoxType, LabelUSPSBoxID, LabelUSPSBoxGroupType, LabelUSPSBoxGroupID, LabelUSPSGeneralDelivery:
			sep()
			dst = append(dst, c.Standard...)
		}
		prev = c.Label
	}
	return dst
}

// appendUnits appends the units of the delivery line.
func appendUnits(dst []byte, p Parsed) []byte {
	start := len(dst)
	sep := func() {
		if len(dst) > start {
			dst = append(dst, ' ')
		}
	}
	prev := ""
	for i, c := range p.Components {
		switch c.Label {
		case LabelOccupancyType:
			if i+1 < len(p.Components) && p.Components[i+1].Label == LabelOccupancyIdentifier {
				sep()
				dst = append(dst, c.Standard...)
			}
		case LabelOccupancyIdentifier:
			if prev != LabelOccupancyType {
				sep()
				dst = append(dst, '#')
			}
			sep()
			dst = append(dst, c.Standard...)
		}
		prev = c.Label
	}
	// A designator without its number goes after the numbered units, so
	// that it cannot take their number when the line is read again
	// ("BSMT # 2" is basement 2).
	for i, c := range p.Components {
		if c.Label == LabelOccupancyType && !(i+1 < len(p.Components) && p.Components[i+1].Label == LabelOccupancyIdentifier) {
			sep()
			dst = append(dst, c.Standard...)
		}
	}
	return dst
}

// sameUnits are the designators that only say "this unit number"
// (Appendix C2 less BLDG and FL, which name a building or a floor, plus PMB):
// "APT 2", "UNIT 2" and "# 2" are one delivery point, "BLDG 2" is not.
// Mail stops (MSC, BIN, FILE, MAIL CODE, MAIL STOP) keep their word too.
// migrations/0035 and 0062 rewrite stored keys with this same list.
var sameUnits = map[string]bool{"#": true, "APT": true, "DEPT": true, "HNGR": true, "KEY": true, "LOT": true, "PIER": true,
	"RM": true, "SLIP": true, "SPC": true, "STOP": true, "STE": true, "TRLR": true, "UNIT": true, "PMB": true}

// deliveryPointLine is the primary line with its units written with "#"
// for every designator that only says "this unit number" (APT, UNIT, STE,
// RM, "#", ...): Publication 28 lets "#" stand for any of them, and writers
// choose freely, so "APT 31", "UNIT 31" and "# 31" are one delivery point.
// Designators without a number (BSMT, REAR, PH) and BLDG/FL are kept.
func deliveryPointLine(p Parsed) string {
	var buf [128]byte
	return string(appendPointLine(buf[:0], p))
}

// appendPointLine appends deliveryPointLine.
func appendPointLine(dst []byte, p Parsed) []byte {
	start := len(dst)
	dst = appendPrimary(dst, p)
	return appendJoined(dst, start, func(b []byte) []byte { return appendPointUnits(b, p) })
}

// pointKey is Key given the primary line, written in a stack buffer: one
// string per address.
func pointKey(primary string, p Parsed, zip string) string {
	var buf [128]byte
	b := append(buf[:0], primary...)
	b = appendJoined(b, 0, func(b []byte) []byte { return appendPointUnits(b, p) })
	return string(append(append(b, '|'), zip...))
}

// pointUnits are the units of deliveryPointLine.
func pointUnits(p Parsed) string {
	var buf [64]byte
	return string(appendPointUnits(buf[:0], p))
}

// appendPointUnits appends pointUnits.
func appendPointUnits(dst []byte, p Parsed) []byte {
	start := len(dst)
	sep := func() {
		if len(dst) > start {
			dst = append(dst, ' ')
		}
	}
	for i, c := range p.Components {
		switch c.Label {
		case LabelOccupancyType:
			next := i+1 < len(p.Components) && p.Components[i+1].Label == LabelOccupancyIdentifier
			sep()
			if next && sameUnits[c.Standard] {
				dst = append(dst, '#')
			} else {
				dst = append(dst, c.Standard...)
			}
		case LabelOccupancyIdentifier:
			if i == 0 || p.Components[i-1].Label != LabelOccupancyType {
				sep()
				dst = append(dst, '#')
			}
			sep()
			dst = append(dst, c.Standard...)
		}
	}
	return dst
}

// appendLastLine appends CITY ST ZIP-PLUS4.
func appendLastLine(dst []byte, city, state, zip, plus4 string) []byte {
	start := len(dst)
	dst = append(dst, city...)
	if state != "" {
		if len(dst) > start {
			dst = append(dst, ' ')
		}
		dst = append(dst, state...)
	}
	if zip != "" {
		if len(dst) > start {
			dst = append(dst, ' ')
		}
		dst = append(dst, zip...)
		if plus4 != "" {
			dst = append(append(dst, '-'), plus4...)
		}
	}
	return dst
}

func sep(b *strings.Builder) {
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
}

// Text returns the multi-line form, lines joined with newlines.
func (s Standardized) Text() string { return strings.Join(s.Lines, "\n") }
