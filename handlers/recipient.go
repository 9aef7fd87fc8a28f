package handlers

import (
	"slices"
	"strings"

	"indicia/apperr"
	"indicia/hygiene/address"
	"indicia/metering"
)

// recipient cleanses an address and returns it as the label prints it; the
// indicium carries the hash of Standardized, the one-line Pub 28 form.
func (h *Handler) recipient(field, name, company, text string) (metering.Recipient, address.Result, error) {
	res := h.d.Hygiene.Cleanse(text)
	if strings.TrimSpace(text) == "" {
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
	if n := strings.TrimSpace(name); n != "" {
		lines = append(lines, strings.ToUpper(n))
	}
	if co := strings.TrimSpace(company); co != "" {
		lines = append(lines, strings.ToUpper(co))
	}
	for _, l := range res.Standardized.Lines {
		if !slices.Contains(lines, l) {
			lines = append(lines, l)
		}
	}
	return metering.Recipient{Name: name, Company: company, Lines: lines, Standardized: res.Standardized.OneLine}, res, nil
}
