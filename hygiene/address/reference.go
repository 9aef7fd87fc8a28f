package address

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ReferenceFile is a list of known delivery points, the stand-in for the
// USPS ZIP+4 and DPV files, which are licensed and not redistributable. It
// is loaded once and read-only afterwards.
type ReferenceFile struct {
	points map[string]*refPoint  // ZIP5 + "|" + standardized primary line
	ranges map[string][]refRange // ZIP5 + "|" + standardized street (no house number)
	rows   int
}

// refRange is a ZIP+4 record: the house numbers low..high of one side of a
// street block share a ZIP+4.
type refRange struct {
	low, high int
	parity    byte // 'O' odd, 'E' even, 'B' both
	zip4      string
}

type refPoint struct {
	zip4  string            // ZIP+4 of the building (row without unit), may be ""
	units map[string]string // unit as in the delivery-point key ("# 4") → ZIP+4
}

// Len is the number of delivery-point rows loaded.
func (r *ReferenceFile) Len() int { return r.rows }

// LoadReference reads a reference address file (the format is described in
// docs/ADDRESS_REFERENCE.md): CSV with a header row naming (in any order,
// any case) these columns:
//
//	delivery_line  street, box or route line, with the unit if the row is a
//	               unit ("123 Main St Apt 4", "PO Box 17"); required
//	zip            5-digit ZIP; required
//	zip4           4-digit add-on of this delivery point; required (may be empty)
//	primary_low, primary_high, parity
//	               optional: a row with primary_low is a ZIP+4 range, its
//	               delivery_line the street alone ("N Main St"), covering the
//	               house numbers low to high that are odd (O), even (E) or
//	               both (B, the default)
//
// Other columns (city, state, …) are ignored. A delivery-point row without
// a unit is the building; rows with units make the building a multi-unit
// one, so that an address without a unit there is DPV "D". A range gives a
// house in it its ZIP+4 but does not confirm the house exists. Delivery
// lines are standardized with the same parser as the addresses checked
// against them. Errors name the line.
func LoadReference(rd io.Reader) (*ReferenceFile, error) {
	p, err := newParser()
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(rd)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("address: reading reference header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	iLine, ok1 := col["delivery_line"]
	iZip, ok2 := col["zip"]
	iZip4, ok3 := col["zip4"]
	if !ok1 || !ok2 || !ok3 {
		return nil, errors.New("address: reference header must name delivery_line, zip and zip4")
	}
	iLow, hasLow := col["primary_low"]
	iHigh, hasHigh := col["primary_high"]
	iPar, hasPar := col["parity"]
	if hasLow != hasHigh {
		return nil, errors.New("address: reference header must name both primary_low and primary_high, or neither")
	}
	ref := &ReferenceFile{points: map[string]*refPoint{}, ranges: map[string][]refRange{}}
	field := func(rec []string, i int, ok bool) string {
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("address: reference line %d: %w", line, err)
		}
		if len(rec) <= max(iLine, iZip, iZip4) {
			return nil, fmt.Errorf("address: reference line %d: %d fields, want at least %d", line, len(rec), max(iLine, iZip, iZip4)+1)
		}
		zip, zip4 := strings.TrimSpace(rec[iZip]), strings.TrimSpace(rec[iZip4])
		if len(zip) != 5 || !allDigits(zip) {
			return nil, fmt.Errorf("address: reference line %d: ZIP %q is not 5 digits", line, zip)
		}
		if zip4 != "" && (len(zip4) != 4 || !allDigits(zip4)) {
			return nil, fmt.Errorf("address: reference line %d: ZIP+4 %q is not 4 digits", line, zip4)
		}
		if low := field(rec, iLow, hasLow); low != "" {
			rg, err := parseRange(low, field(rec, iHigh, hasHigh), field(rec, iPar, hasPar))
			if err != nil {
				return nil, fmt.Errorf("address: reference line %d: %w", line, err)
			}
			if zip4 == "" {
				return nil, fmt.Errorf("address: reference line %d: a range needs its zip4", line)
			}
			rg.zip4 = zip4
			parsed, err := p.parse("1 " + rec[iLine])
			if err != nil {
				return nil, fmt.Errorf("address: reference line %d: %w", line, err)
			}
			street := streetOnly(parsed)
			if street == "" {
				return nil, fmt.Errorf("address: reference line %d: no street in %q", line, rec[iLine])
			}
			ref.ranges[zip+"|"+street] = append(ref.ranges[zip+"|"+street], rg)
			ref.rows++
			continue
		}
		parsed, err := p.parse(rec[iLine])
		if err != nil {
			return nil, fmt.Errorf("address: reference line %d: %w", line, err)
		}
		_, _, primary, _ := deliveryParts(parsed)
		units := pointUnits(parsed)
		if primary == "" {
			return nil, fmt.Errorf("address: reference line %d: no delivery line in %q", line, rec[iLine])
		}
		key := zip + "|" + primary
		pt := ref.points[key]
		if pt == nil {
			pt = &refPoint{}
			ref.points[key] = pt
		}
		if units == "" {
			pt.zip4 = zip4
		} else {
			if pt.units == nil {
				pt.units = map[string]string{}
			}
			pt.units[units] = zip4
		}
		ref.rows++
	}
	return ref, nil
}

// match returns the DPV code and ZIP+4 of a delivery point.
func (r *ReferenceFile) match(zip, primary, units string) (string, string) {
	pt := r.points[zip+"|"+primary]
	if pt == nil || primary == "" {
		return DPVNotConfirmed, ""
	}
	switch {
	case units == "" && len(pt.units) > 0:
		return DPVSecondaryMissing, pt.zip4
	case units == "":
		return DPVConfirmed, pt.zip4
	case len(pt.units) == 0:
		return DPVConfirmed, pt.zip4
	}
	if z4, ok := pt.units[units]; ok {
		return DPVConfirmed, z4
	}
	return DPVSecondaryWrong, pt.zip4
}

// knows reports whether the file has the building (primary line) or a
// number range of the street under a ZIP.
func (r *ReferenceFile) knows(zip, primary, street string) bool {
	if primary != "" && r.points[zip+"|"+primary] != nil {
		return true
	}
	return street != "" && len(r.ranges[zip+"|"+street]) > 0
}

func parseRange(low, high, parity string) (refRange, error) {
	lo, err1 := strconv.Atoi(low)
	hi, err2 := strconv.Atoi(high)
	if err1 != nil || err2 != nil || lo < 0 || hi < lo {
		return refRange{}, fmt.Errorf("primary_low %q and primary_high %q must be house numbers, low to high", low, high)
	}
	rg := refRange{low: lo, high: hi, parity: 'B'}
	switch strings.ToUpper(parity) {
	case "", "B", "BOTH":
	case "O", "ODD":
		rg.parity = 'O'
	case "E", "EVEN":
		rg.parity = 'E'
	default:
		return refRange{}, fmt.Errorf("parity %q must be O (odd), E (even) or B (both)", parity)
	}
	return rg, nil
}

// streetOnly is the standardized street of a parsed street address without
// its house number ("N MAIN ST"); "" for a box or route.
func streetOnly(p Parsed) string {
	var b strings.Builder
	for _, c := range p.Components {
		switch c.Label {
		case LabelStreetNamePreModifier, LabelStreetNamePreDirectional, LabelStreetNamePreType, LabelStreetName,
			LabelStreetNamePostType, LabelStreetNamePostDirectional:
			sep(&b)
			b.WriteString(c.Standard)
		}
	}
	return b.String()
}

// inRange finds the ZIP+4 range holding the address's house number.
func (r *ReferenceFile) inRange(zip string, p Parsed) (string, bool) {
	if len(r.ranges) == 0 {
		return "", false
	}
	num, err := strconv.Atoi(p.Standard(LabelAddressNumber))
	if err != nil {
		return "", false
	}
	for _, rg := range r.ranges[zip+"|"+streetOnly(p)] {
		if num < rg.low || num > rg.high || (rg.parity == 'O' && num%2 == 0) || (rg.parity == 'E' && num%2 == 1) {
			continue
		}
		return rg.zip4, true
	}
	return "", false
}
