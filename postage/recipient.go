package postage

import (
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
