package rating

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// classPlural names a class the way a weight limit is said.
var classPlural = map[string]string{
	ClassFirstClassLetter:  "First-Class Mail letters",
	ClassFirstClassFlat:    "First-Class Mail large envelopes",
	ClassGroundAdvantage:   "USPS Ground Advantage parcels",
	ClassPriority:          "Priority Mail pieces",
	ClassPriorityExpress:   "Priority Mail Express pieces",
	ClassIntlLetter:        "First-Class Mail International letters",
	ClassIntlLargeEnvelope: "First-Class Mail International large envelopes",
}

// Rate prices one piece in its class. A *FieldError explains any input the
// piece cannot be rated with; nothing else is returned as an error.
func (r *Rater) Rate(p Piece) (Quote, error) {
	q, ferr := r.rate(p)
	if ferr != nil {
		return Quote{}, ferr
	}
	return q, nil
}

// Compare rates the piece in every class that could carry it (domestic or
// international by p.Country), ignoring p.Class. Classes that do not accept
// the piece come back with OK false and the reason.
func (r *Rater) Compare(p Piece) []Quote {
	classes := domesticClasses
	if p.International() {
		classes = intlClasses
	}
	out := make([]Quote, 0, len(classes))
	for _, c := range classes {
		p.Class = c
		q, ferr := r.rate(p)
		if ferr != nil {
			out = append(out, Quote{Class: c, ClassName: classNames[c], Reason: ferr.Message})
			continue
		}
		out = append(out, q)
	}
	return out
}

// AsFieldError unwraps err into a *FieldError when it is one.
func AsFieldError(err error) (*FieldError, bool) {
	var fe *FieldError
	ok := errors.As(err, &fe)
	return fe, ok
}

// Input ranges checked before any arithmetic: beyond them no class takes the
// piece, and within them no conversion to integers can overflow.
const (
	// MaxDimensionIn is USPS's largest length plus girth (130 in); no side
	// of a mailable piece is longer.
	MaxDimensionIn = 130
	// MaxDeclaredValueCents bounds insurance values ($100,000).
	MaxDeclaredValueCents = 100_000_00
)

func (r *Rater) rate(p Piece) (Quote, *FieldError) {
	name, ok := classNames[p.Class]
	if !ok {
		if p.Class == "" {
			return Quote{}, fieldErr("class", "mail class is required")
		}
		return Quote{}, fieldErr("class", "unknown mail class %q", p.Class)
	}
	if math.IsNaN(p.WeightOz) || math.IsInf(p.WeightOz, 0) || p.WeightOz <= 0 {
		return Quote{}, fieldErr("weight", "weight must be greater than 0")
	}
	for _, d := range []struct {
		field string
		v     float64
	}{{"length", p.LengthIn}, {"width", p.WidthIn}, {"height", p.HeightIn}} {
		if math.IsNaN(d.v) || math.IsInf(d.v, 0) || d.v < 0 {
			return Quote{}, fieldErr(d.field, "%s must be a positive number of inches", d.field)
		}
		if d.v > MaxDimensionIn {
			return Quote{}, fieldErr(d.field, "%s must be at most %s inches: no mail class takes a longer piece", d.field, fmtNum(MaxDimensionIn))
		}
	}
	if p.DeclaredValueCents < 0 {
		return Quote{}, fieldErr("declared_value", "declared value cannot be negative")
	}
	if p.DeclaredValueCents > MaxDeclaredValueCents {
		return Quote{}, fieldErr("declared_value", "declared value must be at most $%d", MaxDeclaredValueCents/100)
	}
	intlClass := p.Class == ClassIntlLetter || p.Class == ClassIntlLargeEnvelope
	if intlClass && !p.International() {
		return Quote{}, fieldErr("country", "%s needs a destination country other than the United States", name)
	}
	if !intlClass && p.International() {
		return Quote{}, fieldErr("country", "%s delivers only within the United States; choose an international class for %s", name, p.Country)
	}

	date := p.Date
	if date.IsZero() {
		date = r.now()
	}
	pl, ferr := r.listFor(date)
	if ferr != nil {
		return Quote{}, ferr
	}
	// Combination rules come first: they are about what the person chose,
	// whatever the prices.
	if ferr := checkServices(pl, p, name, intlClass); ferr != nil {
		return Quote{}, ferr
	}
	ct := pl.classes[p.Class]
	if ct == nil || !ct.hasAnyCell {
		return Quote{}, fieldErr("class", "%s has no published prices loaded in price list %s", name, pl.version)
	}
	// Compared as a float first: a huge weight would overflow the
	// conversion to thousandths and come out light.
	if p.WeightOz > float64(ct.maxMilli)/1000+1 || milli(p.WeightOz) > ct.maxMilli {
		return Quote{}, fieldErr("weight", "%s weigh at most %s", classPlural[p.Class], fmtOz(ct.maxMilli))
	}
	if len(ct.maxDims) == 3 {
		if f, ok := overDims(p, ct.maxDims); !ok {
			return Quote{}, fieldErr(f, "%s are at most %s x %s x %s inches (length x width x thickness)", classPlural[p.Class],
				fmtNum(ct.maxDims[0]), fmtNum(ct.maxDims[1]), fmtNum(ct.maxDims[2]))
		}
	}

	w := milli(p.WeightOz)
	q := Quote{Class: p.Class, ClassName: name, TableVersion: pl.version, OK: true}
	col := 0
	if intlClass {
		if len(p.Country) != 2 || strings.ToUpper(p.Country) != p.Country {
			return Quote{}, fieldErr("country", "country must be a two-letter ISO code such as CA")
		}
		g, ok := pl.groups[p.Country]
		if !ok {
			return Quote{}, fieldErr("country", "no First-Class Mail International price group is loaded for country %s in price list %s", p.Country, pl.version)
		}
		q.PriceGroup, col = g, g
	} else {
		zone, err := r.Zone(p.OriginZIP, p.DestZIP)
		if err != nil {
			return Quote{}, err.(*FieldError)
		}
		if ct.zoned {
			q.Zone, col = zone, zone
		}
	}

	// Dimensional weight: parcels over the size threshold pay the greater of
	// actual and dimensional weight (both in whole pounds).
	if pl.dim != nil && pl.dimFor[p.Class] && p.LengthIn > 0 && p.WidthIn > 0 && p.HeightIn > 0 {
		vol := math.Round(p.LengthIn) * math.Round(p.WidthIn) * math.Round(p.HeightIn)
		if vol > pl.dim.MinCubicIn {
			dimLb := math.Ceil(vol / pl.dim.Divisor)
			if dm := milli(dimLb * 16); dm > w {
				w = dm
			}
		}
	}
	if w > ct.lastBreak {
		return Quote{}, fieldErr("weight", "%s weigh at most %s", classPlural[p.Class], fmtOz(ct.lastBreak))
	}
	brk := ct.breaks[0]
	for _, b := range ct.breaks {
		if b >= w {
			brk = b
			break
		}
	}
	q.BillableWeightOz = float64(brk) / 1000
	var price int64
	if cells := ct.cells[brk]; cells != nil {
		price = cells[col]
	}
	if price == 0 {
		where := ""
		switch {
		case q.Zone > 0:
			where = " to zone " + strconv.Itoa(q.Zone)
		case q.PriceGroup > 0:
			where = " for price group " + strconv.Itoa(q.PriceGroup)
		}
		return Quote{}, fieldErr("class", "no published %s price for %s%s is loaded in price list %s", name, fmtOz(brk), where, pl.version)
	}
	desc := name + ", " + fmtOz(brk)
	if q.Zone > 0 {
		desc += ", zone " + strconv.Itoa(q.Zone)
	} else if q.PriceGroup > 0 {
		desc += ", price group " + strconv.Itoa(q.PriceGroup)
	}
	q.Lines = make([]Line, 0, 1+len(p.Services))
	q.Lines = append(q.Lines, Line{Code: p.Class, Description: desc, Cents: price})

	// Letters outside the machinable aspect ratio pay the nonmachinable
	// surcharge (DMM 101.1.2: length divided by height below 1.3 or above 2.5).
	if ct.nonmach > 0 && p.LengthIn > 0 && p.WidthIn > 0 {
		if ar := p.LengthIn / p.WidthIn; ar < 1.3 || ar > 2.5 {
			q.Lines = append(q.Lines, Line{Code: LineNonmachinable, Description: serviceNames[LineNonmachinable], Cents: ct.nonmach})
		}
	}

	lines, ferr := serviceLines(pl, p)
	if ferr != nil {
		return Quote{}, ferr
	}
	q.Lines = append(q.Lines, lines...)
	for _, l := range q.Lines {
		q.TotalCents += l.Cents
	}
	return q, nil
}

// overDims reports the first dimension over the class maximum.
func overDims(p Piece, max []float64) (string, bool) {
	switch {
	case p.LengthIn > max[0]:
		return "length", false
	case p.WidthIn > max[1]:
		return "width", false
	case p.HeightIn > max[2]:
		return "height", false
	}
	return "", true
}

// serviceIndex numbers the service codes for an allocation-free set.
func serviceIndex(code string) int {
	switch code {
	case ServiceCertified:
		return 0
	case ServiceReturnReceipt:
		return 1
	case ServiceReturnReceiptElectronic:
		return 2
	case ServiceRegistered:
		return 3
	case ServiceInsurance:
		return 4
	case ServiceSignatureConfirmation:
		return 5
	}
	return -1
}

// checkServices validates the chosen services against the price list's
// combination rules.
func checkServices(pl *priceList, p Piece, className string, intl bool) *FieldError {
	if len(p.Services) == 0 {
		return nil
	}
	idx := serviceIndex
	var has [8]bool
	for _, s := range p.Services {
		i := idx(s)
		if i < 0 {
			return fieldErr("services", "unknown extra service %q", s)
		}
		if has[i] {
			return fieldErr("services", "%s is listed twice", serviceNames[s])
		}
		has[i] = true
	}
	on := func(code string) bool { i := idx(code); return i >= 0 && has[i] }

	for i := range pl.rules {
		rule := &pl.rules[i]
		switch rule.Type {
		case "domestic_only":
			if intl {
				for _, s := range rule.Services {
					if on(s) {
						return fieldErr("services", "%s", rule.Message)
					}
				}
			}
		case "classes":
			if on(rule.Service) && !contains(rule.Classes, p.Class) {
				return fieldErr("services", "%s (not with %s)", rule.Message, className)
			}
		case "excludes":
			n := 0
			for _, s := range rule.Services {
				if on(s) {
					n++
				}
			}
			if n > 1 {
				return fieldErr("services", "%s", rule.Message)
			}
		case "requires_any":
			if !on(rule.Service) {
				continue
			}
			met := false
			for _, o := range rule.AnyOf {
				if on(o.Service) && p.DeclaredValueCents >= o.MinDeclaredCents {
					met = true
					break
				}
			}
			if !met {
				return fieldErr("services", "%s", rule.Message)
			}
		}
	}
	return nil
}

// serviceLines prices the (already validated) services.
func serviceLines(pl *priceList, p Piece) ([]Line, *FieldError) {
	if len(p.Services) == 0 {
		return nil, nil
	}
	lines := make([]Line, 0, len(p.Services))
	for _, code := range p.Services {
		s := pl.services[code]
		if s == nil {
			return nil, fieldErr("services", "no published %s fee is loaded in price list %s", serviceNames[code], pl.version)
		}
		fee := s.Cents
		if len(s.Bands) > 0 || code == ServiceInsurance || code == ServiceRegistered {
			if code == ServiceInsurance && p.DeclaredValueCents <= 0 {
				return nil, fieldErr("declared_value", "insurance needs a declared value greater than $0")
			}
			fee = 0
			for _, b := range s.Bands {
				if p.DeclaredValueCents <= b.MaxValueCents {
					fee = b.Cents
					break
				}
			}
			if fee == 0 {
				if len(s.Bands) == 0 {
					return nil, fieldErr("services", "no published %s fee is loaded in price list %s", serviceNames[code], pl.version)
				}
				// Notice 123 prices higher values by a per-$100 (insurance) or
				// per-$1,000 (Registered) formula our source does not carry; we
				// sell up to the last published band rather than guess.
				return nil, fieldErr("declared_value", "%s is sold here up to a declared value of %s (the last published band of price list %s); declare %s or less, or buy it at a post office",
					serviceNames[code], fmtDollars(s.Bands[len(s.Bands)-1].MaxValueCents), pl.version, fmtDollars(s.Bands[len(s.Bands)-1].MaxValueCents))
			}
		}
		if fee <= 0 {
			return nil, fieldErr("services", "no published %s fee is loaded in price list %s", serviceNames[code], pl.version)
		}
		lines = append(lines, Line{Code: code, Description: serviceNames[code], Cents: fee})
	}
	return lines, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// fmtOz shows a weight step as a clerk says it: "3.5 oz", "12 oz", "2 lb".
func fmtOz(m int64) string {
	if m >= 16000 && m%16000 == 0 {
		return strconv.FormatInt(m/16000, 10) + " lb"
	}
	return fmtNum(float64(m)/1000) + " oz"
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func fmtDollars(c int64) string {
	return "$" + strconv.FormatInt(c/100, 10) + "." + strconv.FormatInt(c%100/10, 10) + strconv.FormatInt(c%10, 10)
}
