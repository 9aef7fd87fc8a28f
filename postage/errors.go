package postage

import (
	"strings"

	"indicia/apperr"
	"indicia/metering/rating"
)

// ratingFields maps the rater's field names to the purchase's.
var ratingFields = map[string]string{"weight": "weight_oz", "class": "mail_class", "date": "mailing_date", "country": "recipient.country"}

// RatingError names the purchase field a rating error is about (weight_oz,
// mail_class, mailing_date, …) under prefix; other errors pass unchanged.
func RatingError(err error, prefix string) error {
	if fe, ok := rating.AsFieldError(err); ok {
		f := fe.Field
		if n, ok := ratingFields[f]; ok {
			f = n
		}
		return apperr.Invalid(prefix+f, apperr.Sentence(fe.Message))
	}
	if ae, ok := apperr.As(err); ok && ae.Kind == apperr.KindInvalid && strings.HasPrefix(ae.Field, prefix) {
		if n, ok := ratingFields[ae.Field[len(prefix):]]; ok {
			return apperr.Invalid(prefix+n, ae.Message)
		}
	}
	return err
}
