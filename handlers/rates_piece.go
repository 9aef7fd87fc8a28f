package handlers

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"indicia/apperr"
	"indicia/metering/rating"
	"indicia/views"
)

// pieceFields are the form inputs that describe a piece on /rates and /postage.
var pieceFields = []string{"class", "origin_zip", "dest_zip", "country", "weight_lb", "weight_oz", "length", "width", "height", "declared_value", "mailing_date"}

// knownServices refuses a service code the rater does not know, naming it and
// the valid codes. Checked before rating: the rater would otherwise mark
// every class "not OK" for the same reason instead of pointing at the input.
func knownServices(codes []string, field string) error {
	for _, c := range codes {
		if !slices.Contains(rating.Services(), c) {
			return apperr.Invalid(field, fmt.Sprintf("Unknown extra service %q; the services are %s.", c, strings.Join(rating.Services(), ", ")))
		}
	}
	return nil
}

// fieldFromRating turns a rater's field error into an input error named for
// the form field (the rater says "date", the forms say "mailing_date").
func fieldFromRating(err error, prefix string) error {
	fe, ok := rating.AsFieldError(err)
	if !ok {
		return err
	}
	field := fe.Field
	if field == "date" {
		field = "mailing_date"
	}
	return apperr.Invalid(prefix+field, apperr.Sentence(fe.Message))
}

// parseNumber reads a non-negative decimal form value; "" is 0.
func parseNumber(f views.Form, name, label string) (float64, error) {
	s := strings.TrimSpace(f.V(name))
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v != v || v > 1e6 {
		return 0, apperr.Invalid(name, label+" must be a number such as 2.5.")
	}
	return v, nil
}

// parseDate reads a YYYY-MM-DD mailing date; "" is zero (today).
func parseDate(s, field string) (time.Time, error) {
	if s = strings.TrimSpace(s); s == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, apperr.Invalid(field, "Write the date of mailing as YYYY-MM-DD.")
	}
	return d, nil
}

// pieceFromForm reads the piece inputs of a form. Weight is pounds plus
// ounces; the result is for the rater, which judges what the numbers mean.
func pieceFromForm(f views.Form, services []string) (rating.Piece, error) {
	p := rating.Piece{Class: f.V("class"), OriginZIP: f.V("origin_zip"), DestZIP: f.V("dest_zip"),
		Country: strings.ToUpper(f.V("country")), Services: services}
	lb, err := parseNumber(f, "weight_lb", "Pounds")
	if err != nil {
		return p, apperr.Invalid("weight", "Pounds must be a number such as 2.")
	}
	oz, err := parseNumber(f, "weight_oz", "Ounces")
	if err != nil {
		return p, apperr.Invalid("weight", "Ounces must be a number such as 3.5.")
	}
	p.WeightOz = lb*16 + oz
	for _, d := range []struct {
		name, label string
		dst         *float64
	}{{"length", "Length", &p.LengthIn}, {"width", "Width", &p.WidthIn}, {"height", "Height", &p.HeightIn}} {
		if *d.dst, err = parseNumber(f, d.name, d.label); err != nil {
			return p, err
		}
	}
	if v := f.V("declared_value"); v != "" {
		cents, ok := parseDollars(v)
		if !ok || strings.HasPrefix(strings.TrimSpace(v), "-") {
			return p, apperr.Invalid("declared_value", "Write the declared value in dollars and cents, such as 45.50.")
		}
		p.DeclaredValueCents = cents
	}
	if p.Date, err = parseDate(f.V("mailing_date"), "mailing_date"); err != nil {
		return p, err
	}
	return p, nil
}

// comparePiece prices a piece in every class. Input that no class could take
// (no weight, an unknown ZIP) is an error naming the field instead of the
// same reason repeated on every row.
func comparePiece(r *rating.Rater, p rating.Piece, prefix string) ([]rating.Quote, error) {
	if p.WeightOz <= 0 {
		return nil, apperr.Invalid(prefix+"weight", "Weight must be greater than 0.")
	}
	if !p.International() {
		if _, err := r.Zone(p.OriginZIP, p.DestZIP); err != nil {
			return nil, fieldFromRating(err, prefix)
		}
	}
	return r.Compare(p), nil
}

// quoteVM shapes a quote for the rates and purchase pages.
func quoteVM(q rating.Quote) views.QuoteVM {
	vm := views.QuoteVM{Class: q.Class, ClassName: q.ClassName, OK: q.OK, Reason: apperr.Sentence(q.Reason), Total: views.Money(q.TotalCents),
		TableVersion: q.TableVersion}
	if q.Zone > 0 {
		vm.Where = "Zone " + strconv.Itoa(q.Zone)
	} else if q.PriceGroup > 0 {
		vm.Where = "Price group " + strconv.Itoa(q.PriceGroup)
	}
	for _, l := range q.Lines {
		vm.Lines = append(vm.Lines, views.QuoteLine{Description: l.Description, Amount: views.Money(l.Cents)})
	}
	return vm
}

// classOptions lists the mail classes for a select, marking the chosen one.
func classOptions(chosen string) []views.Option {
	var out []views.Option
	for _, c := range rating.Classes() {
		out = append(out, views.Option{Value: c, Label: rating.ClassName(c), Selected: c == chosen})
	}
	return out
}

// serviceOptions lists the extra services for checkboxes, marking the chosen ones.
func serviceOptions(chosen []string) []views.Option {
	var out []views.Option
	for _, s := range rating.Services() {
		out = append(out, views.Option{Value: s, Label: rating.ServiceName(s), Selected: slices.Contains(chosen, s)})
	}
	return out
}
