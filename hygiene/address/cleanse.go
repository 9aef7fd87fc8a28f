package address

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Status is the verdict on one address.
type Status string

// Statuses, from best to worst.
const (
	// StatusValid: the address agrees with the reference data as written
	// (after standardization).
	StatusValid Status = "valid"
	// StatusCorrected: something was fixed or supplied (city spelling,
	// missing ZIP, state); Reasons says what.
	StatusCorrected Status = "corrected"
	// StatusAmbiguous: more than one answer fits, or a part is missing that
	// the data cannot supply (which of a city's ZIPs, which unit).
	StatusAmbiguous Status = "ambiguous"
	// StatusInvalid: the address contradicts the data or lacks a delivery
	// line, city/state or ZIP that could be supplied.
	StatusInvalid Status = "invalid"
)

func (s Status) rank() int {
	switch s {
	case StatusCorrected:
		return 1
	case StatusAmbiguous:
		return 2
	case StatusInvalid:
		return 3
	}
	return 0
}

// DPV codes, in the style of the USPS Delivery Point Validation product.
const (
	DPVConfirmed        = "Y" // primary (and secondary, if any) confirmed
	DPVSecondaryWrong   = "S" // primary confirmed, secondary given but not confirmed
	DPVSecondaryMissing = "D" // primary confirmed, building has units, none given
	DPVNotConfirmed     = "N" // not in the reference file
)

// What Checked says of the delivery point (see checkedText).
const (
	checkedNoPoint   = "delivery point not checked"
	checkedConfirmed = "delivery point confirmed"
	checkedNoUnit    = "building confirmed, apartment or suite missing"
	checkedBadUnit   = "building confirmed, unit not found"
	checkedNotFound  = "delivery point not found"
	checkedRange     = "ZIP+4 from the street's number range, delivery point not confirmed"
)

// Result is one cleansed address.
type Result struct {
	Input        string       `json:"input"`
	Components   []Component  `json:"components"`
	Standardized Standardized `json:"standardized"`
	Status       Status       `json:"status"`
	Reasons      []string     `json:"reasons"`
	ZIP          string       `json:"zip,omitempty"`
	ZIP4         string       `json:"zip4,omitempty"`
	DPV          string       `json:"dpv,omitempty"`
	// Checked says in a mailer's words what was checked: "standardized; ZIP
	// and city verified; delivery point not checked" without delivery-point
	// data, "...; delivery point confirmed" with it.
	Checked string `json:"checked"`
	// DeliveryPoint is the match key (Key): one value for "APT 31", "# 31"
	// and "UNIT 31" at one address.
	DeliveryPoint string `json:"delivery_point,omitempty"`
	// CandidateZIPs are the ZIPs the address may mean when its ZIP is
	// missing, unknown or another city's and the written city has several
	// (narrowed to those the reference file knows the street in, when it
	// knows any), in order; the mailer picks one.
	CandidateZIPs []string `json:"candidate_zips,omitempty"`
}

// Key is the match key of the address: the delivery point (the delivery
// line with any unit designator written "#", see deliveryPointLine) and the
// 5-digit ZIP, "123 MAIN ST # 4|62704". Two spellings of the same address
// have the same key once cleansed, whichever designator the writer chose;
// change-of-address matching joins on it. It is "" when the result has no
// delivery line or no 5-digit ZIP.
func (r Result) Key() string {
	if r.Standardized.DeliveryLine == "" || len(r.ZIP) != 5 {
		return ""
	}
	return deliveryPointLine(Parsed{Components: r.Components}) + "|" + r.ZIP
}

// Cleanser parses, standardizes and validates addresses. It is safe for
// concurrent use: it holds only read-only tables.
type Cleanser struct {
	p   *parser
	ref *ReferenceFile
}

// Option configures a Cleanser.
type Option func(*Cleanser)

// WithReference makes the Cleanser confirm delivery points and assign ZIP+4
// from ref.
func WithReference(ref *ReferenceFile) Option { return func(c *Cleanser) { c.ref = ref } }

// New returns a Cleanser over the embedded ZIP data.
func New(opts ...Option) (*Cleanser, error) {
	p, err := newParser()
	if err != nil {
		return nil, err
	}
	c := &Cleanser{p: p}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// NewCleanser returns a Cleanser that confirms delivery points against ref
// (nil: none).
func NewCleanser(ref *ReferenceFile) (*Cleanser, error) { return New(WithReference(ref)) }

// verdict accumulates a status and reasons.
type verdict struct {
	status  Status
	reasons []string
	// zips are the written city's ZIPs (entry indexes) when the last line
	// leaves the choice among them to the mailer.
	zips []int32
}

func (v *verdict) note(s Status, format string, args ...any) {
	if s.rank() > v.status.rank() {
		v.status = s
	}
	v.reasons = append(v.reasons, fmt.Sprintf(format, args...))
}

// HasReference reports whether a reference file of delivery points is loaded.
func (c *Cleanser) HasReference() bool { return c.ref != nil }

// Cleanse parses, standardizes and validates one address.
func (c *Cleanser) Cleanse(text string) Result {
	r := Result{Input: text, Status: StatusValid}
	parsed, err := c.p.parse(text)
	if err != nil {
		r.Status = StatusInvalid
		r.Reasons = []string{strings.TrimPrefix(err.Error(), "address: ")}
		r.Components = []Component{}
		r.Checked = "not read as an address"
		return r
	}
	v := verdict{status: StatusValid}
	c.checkDelivery(&parsed, &v)
	last := verdict{status: StatusValid}
	c.checkLastLine(&parsed, &last)
	v.reasons = append(v.reasons, last.reasons...)
	if last.status.rank() > v.status.rank() {
		v.status = last.status
	}
	r.CandidateZIPs = c.candidateZIPs(parsed, last.zips)
	point := c.confirm(&parsed, &v, &r)
	r.Components = parsed.Components
	var primary string
	r.Standardized, primary = standardize(parsed)
	r.ZIP = parsed.Standard(LabelZipCode)
	r.ZIP4 = parsed.Standard(LabelZipPlus4)
	r.Status, r.Reasons = v.status, v.reasons
	if r.Reasons == nil {
		r.Reasons = []string{}
	}
	r.Checked = checkedText(last.status.rank() <= StatusCorrected.rank() && r.ZIP != "", point)
	if r.Standardized.DeliveryLine != "" && len(r.ZIP) == 5 {
		r.DeliveryPoint = pointKey(primary, parsed, r.ZIP) // Key, without rendering the line again
	}
	return r
}

// checkedText is Result.Checked: standardized, whether the ZIP and city
// agree with the ZIP data, and what is known of the delivery point.
func checkedText(zipCityOK bool, point string) string {
	if t, ok := checkedTexts[[2]string{strconv.FormatBool(zipCityOK), point}]; ok {
		return t
	}
	zc := "ZIP and city verified"
	if !zipCityOK {
		zc = "ZIP and city not verified"
	}
	return "standardized; " + zc + "; " + point
}

// checkedTexts are the Checked sentences built once, so that cleansing a
// million addresses does not build a million copies.
var checkedTexts = func() map[[2]string]string {
	m := map[[2]string]string{}
	for _, ok := range []string{"true", "false"} {
		zc := "ZIP and city verified"
		if ok == "false" {
			zc = "ZIP and city not verified"
		}
		for _, pt := range []string{checkedNoPoint, checkedConfirmed, checkedNoUnit, checkedBadUnit, checkedNotFound, checkedRange} {
			m[[2]string{ok, pt}] = "standardized; " + zc + "; " + pt
		}
	}
	return m
}()

func (c *Cleanser) checkDelivery(p *Parsed, v *verdict) {
	has := func(l string) bool { _, ok := p.Get(l); return ok }
	switch {
	case has(LabelUSPSGeneralDelivery):
	case has(LabelUSPSBoxType) || has(LabelUSPSBoxGroupType):
		if !has(LabelUSPSBoxID) && !has(LabelUSPSBoxGroupID) {
			v.note(StatusInvalid, "box or route number missing")
		}
	case !has(LabelAddressNumber):
		if has(LabelStreetName) {
			v.note(StatusInvalid, "house number missing")
		} else {
			v.note(StatusInvalid, "no street address, PO Box or route")
		}
	case !has(LabelStreetName):
		v.note(StatusInvalid, "street name missing")
	}
	for i, comp := range p.Components {
		switch comp.Label {
		case LabelNotAddress:
			v.note(StatusAmbiguous, "could not place %q", comp.Text)
		case LabelOccupancyType:
			u, ok := c.p.t.unit[comp.Standard]
			next := i+1 < len(p.Components) && p.Components[i+1].Label == LabelOccupancyIdentifier
			if ok && u.NeedsRange && !next {
				v.note(StatusAmbiguous, "%s needs a number", comp.Standard)
			}
		}
	}
}

func (c *Cleanser) checkLastLine(p *Parsed, v *verdict) {
	zips := c.p.zips
	city, state, zip := p.Standard(LabelPlaceName), p.Standard(LabelStateName), p.Standard(LabelZipCode)
	if zip != "" && len(zip) < 5 {
		v.note(StatusInvalid, "ZIP %s has %d digits: a ZIP Code has 5", zip, len(zip))
		return
	}
	if zip != "" && (len(zip) > 5 || !allDigits(zip)) {
		v.note(StatusInvalid, "ZIP %s is malformed: a ZIP Code is 5 digits, or ZIP+4 as 12345-6789", zip)
		return
	}
	if zip != "" {
		ent, ok := zips.lookup(zip)
		if !ok {
			if city != "" && state != "" {
				if zs := zips.zipsOf(state, city); len(zs) == 1 {
					nz := zips.entry(zs[0]).Zip
					v.note(StatusCorrected, "ZIP corrected from %s to %s: %s does not exist and %s, %s has one ZIP", zip, nz, zip, city, state)
					p.set(LabelZipCode, "", nz)
					dropPlus4(p)
					return
				}
				v.zips = zips.zipsOf(state, city)
			}
			v.note(StatusInvalid, "ZIP %s does not exist", zip)
			return
		}
		if state == "" {
			v.note(StatusCorrected, "state %s supplied from ZIP %s", ent.State, zip)
			p.set(LabelStateName, "", ent.State)
			state = ent.State
		}
		if city == "" {
			v.note(StatusCorrected, "city %s supplied from ZIP %s", ent.City, zip)
			p.set(LabelPlaceName, "", ent.City)
			city = ent.City
		}
		military := isMilitary(ent.State)
		switch {
		case military && state == ent.State && (city == "APO" || city == "FPO" || city == "DPO"):
		case state != ent.State && city == ent.City:
			v.note(StatusCorrected, "state corrected from %s to %s: ZIP %s is in %s, %s", state, ent.State, zip, ent.City, ent.State)
			p.set(LabelStateName, p.textOf(LabelStateName), ent.State)
		case state != ent.State:
			if near, d := closeCity(city, ent.City); near && d > 0 && !zips.hasCity(state, city) {
				v.note(StatusCorrected, "city corrected from %s to %s and state from %s to %s to match ZIP %s", city, ent.City, state, ent.State, zip)
				p.set(LabelPlaceName, p.textOf(LabelPlaceName), ent.City)
				p.set(LabelStateName, p.textOf(LabelStateName), ent.State)
				return
			}
			v.zips = zips.zipsOf(state, city)
			v.note(StatusInvalid, "ZIP %s is in %s, %s, not %s, %s", zip, ent.City, ent.State, city, state)
		case city != ent.City:
			near, _ := closeCity(city, ent.City)
			switch {
			case near && !zips.hasCity(state, city):
				v.note(StatusCorrected, "city corrected from %s to %s", city, ent.City)
				p.set(LabelPlaceName, p.textOf(LabelPlaceName), ent.City)
			case zips.hasCity(state, city):
				v.zips = zips.zipsOf(state, city)
				v.note(StatusAmbiguous, "ZIP %s is listed for %s, %s, not %s: check the ZIP or the city", zip, ent.City, ent.State, city)
			default:
				v.note(StatusInvalid, "ZIP %s is in %s, %s, not %s, %s", zip, ent.City, ent.State, city, state)
			}
		}
		return
	}
	// No ZIP: supply it from city and state when there is only one.
	switch {
	case state == "" && city == "":
		v.note(StatusInvalid, "city, state and ZIP missing")
		return
	case state == "":
		v.note(StatusInvalid, "state and ZIP missing")
		return
	case city == "":
		v.note(StatusInvalid, "city and ZIP missing")
		return
	}
	zs := zips.zipsOf(state, city)
	if len(zs) == 0 {
		lim := 1 + len(city)/6
		if nc, ok := zips.nearestCity(state, city, lim); ok {
			v.note(StatusCorrected, "city corrected from %s to %s", city, nc)
			p.set(LabelPlaceName, p.textOf(LabelPlaceName), nc)
			city = nc
			zs = zips.zipsOf(state, city)
		}
	}
	switch len(zs) {
	case 0:
		v.note(StatusInvalid, "%s, %s is not in the ZIP list", city, state)
	case 1:
		z := zips.entry(zs[0]).Zip
		v.note(StatusCorrected, "ZIP %s supplied from %s, %s", z, city, state)
		p.set(LabelZipCode, "", z)
	default:
		v.zips = zs
		v.note(StatusAmbiguous, "%s, %s has %d ZIP codes: add the ZIP", city, state, len(zs))
	}
}

// candidateZIPs lists the ZIPs of entry indexes zs in order, without
// repeats; with a reference file that knows the address's street (or
// building) under some of them, only those.
func (c *Cleanser) candidateZIPs(p Parsed, zs []int32) []string {
	if len(zs) == 0 {
		return nil
	}
	out := make([]string, 0, len(zs))
	for _, i := range zs {
		out = append(out, c.p.zips.entry(i).Zip)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if c.ref != nil {
		_, _, primary, _ := deliveryParts(p)
		street := streetOnly(p)
		known := slices.DeleteFunc(slices.Clone(out), func(z string) bool { return !c.ref.knows(z, primary, street) })
		if len(known) > 0 {
			return known
		}
	}
	return out
}

func isMilitary(st string) bool { return st == "AA" || st == "AE" || st == "AP" }

// closeCity reports whether a written city is a plausible misspelling of
// the reference city: one edit for short names, two for seven letters or
// more.
func closeCity(written, ref string) (bool, int) {
	lim := 1
	if len(ref) >= 7 {
		lim = 2
	}
	d := osaDistance(written, ref, lim)
	return d <= lim, d
}

func dropPlus4(p *Parsed) {
	out := p.Components[:0]
	for _, c := range p.Components {
		if c.Label != LabelZipPlus4 {
			out = append(out, c)
		}
	}
	p.Components = out
}

func (p *Parsed) textOf(label string) string {
	c, _ := p.Get(label)
	return c.Text
}

// confirm checks the delivery point against the reference file and
// returns what Checked says of it.
func (c *Cleanser) confirm(p *Parsed, v *verdict, r *Result) string {
	if c.ref == nil {
		return checkedNoPoint
	}
	zip := p.Standard(LabelZipCode)
	_, _, primary, units := deliveryParts(*p)
	code, zip4 := c.ref.match(zip, primary, pointUnits(*p))
	point := checkedConfirmed
	switch code {
	case DPVConfirmed:
	case DPVSecondaryMissing:
		point = checkedNoUnit
		v.note(StatusAmbiguous, "%s has several apartments or suites: add the one meant", primary)
	case DPVSecondaryWrong:
		point = checkedBadUnit
		v.note(StatusAmbiguous, "unit %s not found at %s", units, primary)
	default:
		if z4, ok := c.ref.inRange(zip, *p); ok {
			// Only the street's number range is known: the ZIP+4 is
			// right for the block, the house itself is not confirmed.
			code, zip4, point = "", z4, checkedRange
			break
		}
		r.DPV = code
		v.note(StatusInvalid, "%s, %s is not a known delivery point: check the house or box number", primary, zip)
		return checkedNotFound
	}
	r.DPV = code
	if zip4 == "" {
		return point
	}
	if old := p.Standard(LabelZipPlus4); old != zip4 {
		if old == "" {
			v.note(StatusCorrected, "ZIP+4 %s-%s added", zip, zip4)
		} else {
			v.note(StatusCorrected, "ZIP+4 corrected from %s-%s to %s-%s", zip, old, zip, zip4)
		}
		p.set(LabelZipPlus4, p.textOf(LabelZipPlus4), zip4)
	}
	return point
}
