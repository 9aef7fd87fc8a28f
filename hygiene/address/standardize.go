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
func standardize(p Parsed) (Standardized, string) {
	names, urb, primary, units := deliveryParts(p)
	delivery := primary
	if units != "" {
		if delivery != "" {
			delivery += " "
		}
		delivery += units
	}
	last := lastLine(p.Standard(LabelPlaceName), p.Standard(LabelStateName), p.Standard(LabelZipCode), p.Standard(LabelZipPlus4))
	s := Standardized{DeliveryLine: delivery, LastLine: last, Lines: make([]string, 0, len(names)+3)}
	s.Lines = append(s.Lines, names...)
	var one strings.Builder
	one.Grow(len(urb) + len(delivery) + len(last) + 4)
	for _, l := range [...]string{urb, delivery, last} {
		if l != "" {
			s.Lines = append(s.Lines, l)
			if one.Len() > 0 {
				one.WriteString(", ")
			}
			one.WriteString(l)
		}
	}
	s.OneLine = one.String()
	return s, primary
}

// deliveryParts renders the name lines, the urbanization line, the primary
// delivery line (street, box or route, without units) and the units.
func deliveryParts(p Parsed) (names []string, urb, primaryLine, unitText string) {
	var primary, units, bare strings.Builder
	primary.Grow(40)
	prev := ""
	for i, c := range p.Components {
		switch c.Label {
		case LabelRecipient, LabelFirm:
			names = append(names, c.Standard)
		case LabelUrbanization:
			urb = "URB " + c.Standard
		case LabelOccupancyType:
			if i+1 < len(p.Components) && p.Components[i+1].Label == LabelOccupancyIdentifier {
				sep(&units)
				units.WriteString(c.Standard)
				break
			}
			// A designator without its number goes after the numbered
			// units, so that it cannot take their number when the line
			// is read again ("BSMT # 2" is basement 2).
			sep(&bare)
			bare.WriteString(c.Standard)
		case LabelOccupancyIdentifier:
			if prev != LabelOccupancyType {
				sep(&units)
				units.WriteString("#")
			}
			sep(&units)
			units.WriteString(c.Standard)
		case LabelAddressNumber:
			if prev != LabelAddressNumberPrefix {
				sep(&primary)
			}
			primary.WriteString(c.Standard)
		case LabelAddressNumberSuffix:
			if strings.Contains(c.Standard, "/") {
				sep(&primary)
			}
			primary.WriteString(c.Standard)
		case LabelAddressNumberPrefix, LabelStreetNamePreModifier, LabelStreetNamePreDirectional,
			LabelStreetNamePreType, LabelStreetName, LabelStreetNamePostType, LabelStreetNamePostDirectional,
			LabelUSPSBoxType, LabelUSPSBoxID, LabelUSPSBoxGroupType, LabelUSPSBoxGroupID, LabelUSPSGeneralDelivery:
			sep(&primary)
			primary.WriteString(c.Standard)
		}
		prev = c.Label
	}
	if bare.Len() > 0 {
		sep(&units)
		units.WriteString(bare.String())
	}
	return names, urb, primary.String(), units.String()
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
	_, _, primary, _ := deliveryParts(p)
	return pointLine(primary, p)
}

// pointLine is deliveryPointLine given the primary line.
func pointLine(primary string, p Parsed) string {
	units := pointUnits(p)
	if primary == "" || units == "" {
		return primary + units
	}
	return primary + " " + units
}

// pointUnits are the units of deliveryPointLine.
func pointUnits(p Parsed) string {
	var b strings.Builder
	for i, c := range p.Components {
		switch c.Label {
		case LabelOccupancyType:
			next := i+1 < len(p.Components) && p.Components[i+1].Label == LabelOccupancyIdentifier
			sep(&b)
			if next && sameUnits[c.Standard] {
				b.WriteString("#")
			} else {
				b.WriteString(c.Standard)
			}
		case LabelOccupancyIdentifier:
			if i == 0 || p.Components[i-1].Label != LabelOccupancyType {
				sep(&b)
				b.WriteString("#")
			}
			sep(&b)
			b.WriteString(c.Standard)
		}
	}
	return b.String()
}

func lastLine(city, state, zip, plus4 string) string {
	var b strings.Builder
	b.Grow(len(city) + len(state) + len(zip) + len(plus4) + 3)
	b.WriteString(city)
	if state != "" {
		sep(&b)
		b.WriteString(state)
	}
	if zip != "" {
		sep(&b)
		b.WriteString(zip)
		if plus4 != "" {
			b.WriteByte('-')
			b.WriteString(plus4)
		}
	}
	return b.String()
}

func sep(b *strings.Builder) {
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
}

// Text returns the multi-line form, lines joined with newlines.
func (s Standardized) Text() string { return strings.Join(s.Lines, "\n") }
