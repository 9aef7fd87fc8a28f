package postage

import (
	"fmt"
	"slices"
	"strings"

	"indicia/apperr"
	"indicia/hygiene/address"
	"indicia/metering"
)

// cleanse standardizes a recipient and returns it as the label prints it;
// the indicium carries the hash of Standardized, the one-line Pub 28 form.
// A failure is an invalid error on field.
func (s *Service) cleanse(field string, r Recipient) (metering.Recipient, address.Result, error) {
	res := s.d.Cleanser.Cleanse(r.Address)
	if strings.TrimSpace(r.Address) == "" {
		return metering.Recipient{}, res, apperr.Invalid(field, "Enter the recipient's address.")
	}
	if len(res.CandidateZIPs) > 0 && (res.Status == address.StatusInvalid || res.Status == address.StatusAmbiguous) {
		return metering.Recipient{}, res, zipChoiceError(field, res)
	}
	if res.Status == address.StatusInvalid || res.Standardized.OneLine == "" {
		msg := "This address could not be validated"
		if len(res.Reasons) > 0 {
			msg += ": " + strings.Join(res.Reasons, "; ")
		}
		return metering.Recipient{}, res, apperr.Invalid(field, msg+".")
	}
	lines := []string{}
	if n := strings.TrimSpace(r.Name); n != "" {
		lines = append(lines, strings.ToUpper(n))
	}
	if co := strings.TrimSpace(r.Company); co != "" {
		lines = append(lines, strings.ToUpper(co))
	}
	for _, l := range res.Standardized.Lines {
		if !slices.Contains(lines, l) {
			lines = append(lines, l)
		}
	}
	return metering.Recipient{Name: r.Name, Company: r.Company, Lines: lines, Standardized: res.Standardized.OneLine}, res, nil
}

// CodeZIPChoice is the error code of an address whose ZIP the mailer must
// choose: missing where the city has several, unknown, or another city's.
// Its details list the candidates ("candidate_zips").
const CodeZIPChoice = "zip_choice"

// maxZIPsInMessage is how many candidates the message itself names; a
// longer list is only in the details (and at the page's field).
const maxZIPsInMessage = 8

// zipChoiceError refuses an address whose ZIP is for the mailer to choose,
// naming the candidates, so the piece is not bought to a guessed ZIP.
func zipChoiceError(field string, res address.Result) error {
	msg := "Choose the ZIP code"
	if len(res.Reasons) > 0 {
		msg = apperr.Sentence(strings.Join(res.Reasons, "; ")) + " Choose the ZIP code"
	}
	if n := len(res.CandidateZIPs); n > maxZIPsInMessage {
		msg = fmt.Sprintf("%s: one of the %d listed.", msg, n)
	} else {
		msg = fmt.Sprintf("%s: %s.", msg, strings.Join(res.CandidateZIPs, ", "))
	}
	e := apperr.Invalid(field, msg)
	e.Code = CodeZIPChoice
	e.Details = map[string]any{"candidate_zips": res.CandidateZIPs}
	return e
}
