package address

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ReferenceFile is a list of known delivery points, the stand-in for the
// USPS ZIP+4 and DPV files, which are licensed and not redistributable. It
// is loaded once and read-only afterwards.
type ReferenceFile struct {
	points map[string]*refPoint // ZIP5 + "|" + standardized primary line
	rows   int
}

type refPoint struct {
	zip4  string            // ZIP+4 of the building (row without unit), may be ""
	units map[string]string // unit as in the delivery-point key ("# 4") → ZIP+4
}

// Len is the number of delivery-point rows loaded.
func (r *ReferenceFile) Len() int { return r.rows }

// LoadReference reads a reference address file: CSV with a header row naming
// (in any order, any case) these columns:
//
//	delivery_line  street, box or route line, with the unit if the row is a
//	               unit ("123 Main St Apt 4", "PO Box 17"); required
//	zip            5-digit ZIP; required
//	zip4           4-digit add-on of this delivery point; required (may be empty)
//
// Other columns (city, state, …) are ignored. A row without a unit is the
// building; rows with units make the building a multi-unit one, so that an
// address without a unit there is DPV "D". Delivery lines are standardized
// with the same parser as the addresses checked against them.
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
	ref := &ReferenceFile{points: map[string]*refPoint{}}
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
