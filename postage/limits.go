package postage

import (
	"strconv"
	"strings"

	"indicia/apperr"
)

// Field limits: what a label prints. The recipient block prints each of the
// name and company on one line of the address block; the address is at most
// a few Publication 28 lines of 64 characters.
const (
	MaxNameRunes    = 64
	MaxCompanyRunes = 64
	MaxAddressRunes = 256
	// MaxIdempotencyKey bounds the Idempotency-Key header (and the page's
	// form token that stands for it).
	MaxIdempotencyKey = 255
	// MaxReferenceRunes is what the label's reference line holds.
	MaxReferenceRunes = 64
)

// checkOrder refuses, before anything is cleansed, priced or signed, text
// no label can print: too long, or holding control characters.
func checkOrder(o Order) error {
	if len(o.IdempotencyKey) > MaxIdempotencyKey {
		return apperr.Invalid("Idempotency-Key", "The Idempotency-Key is "+strconv.Itoa(len(o.IdempotencyKey))+" bytes long; at most "+strconv.Itoa(MaxIdempotencyKey)+" are kept.")
	}
	if strings.ContainsFunc(o.IdempotencyKey, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return apperr.Invalid("Idempotency-Key", "The Idempotency-Key takes printable ASCII characters only.")
	}
	for i, p := range o.Pieces {
		prefix := apperr.PiecePrefix(i, len(o.Pieces))
		r := p.Recipient
		for _, f := range []struct {
			field, what, v string
			max            int
		}{
			{"recipient.name", "The name", r.Name, MaxNameRunes},
			{"recipient.company", "The company", r.Company, MaxCompanyRunes},
			{"recipient.address", "The address", r.Address, MaxAddressRunes},
			{"reference", "The reference", p.Reference, MaxReferenceRunes},
			{"cost_code", "The cost code", p.CostCode, 60},
		} {
			if err := apperr.CheckText(prefix+f.field, f.v); err != nil {
				return err
			}
			if err := apperr.CheckLength(prefix+f.field, f.what, f.v, f.max); err != nil {
				return err
			}
		}
		for _, s := range p.Spec.Services {
			if err := apperr.CheckText(prefix+"services", s); err != nil {
				return err
			}
		}
		for f, v := range map[string]string{"origin_zip": p.Spec.OriginZIP, "dest_zip": p.DestZIP, "mail_class": p.Spec.Class} {
			if err := apperr.CheckText(prefix+f, v); err != nil {
				return err
			}
			if len(v) > 64 {
				return apperr.Invalid(prefix+f, "This field is too long.")
			}
		}
	}
	return nil
}
