package postage

import (
	"fmt"
	"strings"

	"indicia/apperr"
	"indicia/hygiene/intl"
	"indicia/metering"
	"indicia/metering/rating"
)

// CodeIntlClassUnavailable is the error code of a class that cannot be
// bought to another country: its international rates are not loaded.
const CodeIntlClassUnavailable = "international_class_unavailable"

// Abroad reports whether a recipient's country is another than the US.
func Abroad(country string) bool {
	c := strings.ToUpper(strings.TrimSpace(country))
	return c != "" && c != "US"
}

// intlClasses are the classes whose international rates are loaded; every
// other class (packages, and the domestic letter classes) is refused to
// another country until its rates are.
var intlClasses = []string{rating.ClassIntlLetter, rating.ClassIntlLargeEnvelope}

// pricePieceAbroad prices a piece to another country. The address keeps
// the country's own format (no US cleansing, ZIP or change-of-address
// check); the lines every country needs are checked, and the indicium
// carries the country and the postal code.
func (s *Service) pricePieceAbroad(p Piece, m metering.Meter, prefix string) (Priced, error) {
	spec, r := p.Spec, p.Recipient
	code := strings.ToUpper(strings.TrimSpace(r.Country))
	// The country first: a class cannot be judged for a place that is not one.
	c, prob := intl.CheckCountry(code)
	if prob != nil {
		return Priced{}, apperr.Invalid(prefix+"recipient."+prob.Field, prob.Message)
	}
	if err := classAbroad(spec.Class, c, prefix); err != nil {
		return Priced{}, err
	}
	a, prob := intl.Check(code, r.Address)
	if prob != nil {
		return Priced{}, apperr.Invalid(prefix+"recipient."+prob.Field, prob.Message)
	}
	if strings.TrimSpace(r.Name) == "" && strings.TrimSpace(r.Company) == "" {
		return Priced{}, apperr.Invalid(prefix+"recipient.name", "Enter the recipient's name (or company): a piece mailed abroad is addressed to someone.")
	}
	if d := strings.TrimSpace(p.DestZIP); d != "" && !strings.EqualFold(d, a.Postcode) {
		return Priced{}, apperr.Invalid(prefix+"dest_zip", fmt.Sprintf("The postal code %s is not the one in the recipient's address (%s); leave dest_zip out for a piece mailed abroad.", d, a.Postcode))
	}
	rec := metering.Recipient{Name: r.Name, Company: r.Company, Lines: a.LabelLines(r.Name, r.Company), Standardized: a.OneLine()}
	out := Priced{Rated: p.Rated, AcceptMoved: p.AcceptMoved,
		Request: metering.PieceRequest{Postage: p.Postage, MailingDate: spec.Date, OriginZIP: spec.OriginZIP, DestZIP: a.Postcode, DestCountry: a.Country.Code,
			MailClass: spec.Class, Services: ServicesMask(spec.Services), Recipient: rec, WeightOz: spec.WeightOz}}
	if p.Rated {
		spec.Country = a.Country.Code
		q, err := s.rate(m, spec, "", p.Postage, prefix)
		if err != nil {
			return Priced{}, err
		}
		out.Quote, out.Request.Postage = q, q.TotalCents
	}
	return out, nil
}

// classAbroad refuses a class that cannot be bought to country c: a
// clear reason at mail_class, with the code clients act on.
func classAbroad(class string, c intl.Country, prefix string) error {
	if class == "" {
		return apperr.Invalid(prefix+"mail_class", "Choose First-Class Mail International (letter or large envelope) for a piece mailed abroad.")
	}
	for _, k := range intlClasses {
		if class == k {
			return nil
		}
	}
	name := rating.ClassName(class)
	if name == "" {
		name = class
	}
	e := apperr.Invalid(prefix+"mail_class", fmt.Sprintf("%s to %s cannot be bought: its international rates are not loaded. Send First-Class Mail International letters and large envelopes abroad.", name, c.Name))
	e.Code = CodeIntlClassUnavailable
	return e
}
