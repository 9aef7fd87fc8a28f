package postage

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"indicia/apperr"
	"indicia/metering/rating"
)

// PiecePrefix names piece i of a batch of n in an error's field: "" for a
// single piece (its fields stand alone), "pieces[i]." in a batch.
func PiecePrefix(i, n int) string {
	if n == 1 {
		return ""
	}
	return fmt.Sprintf("pieces[%d].", i)
}

// ratingFields maps the rater's field names to the purchase's.
var ratingFields = map[string]string{"weight": "weight_oz", "class": "mail_class", "date": "mailing_date"}

// RatingError names the purchase field a rating error is about (weight_oz,
// mail_class, mailing_date, …) under prefix; other errors pass unchanged.
func RatingError(err error, prefix string) error {
	if fe, ok := rating.AsFieldError(err); ok {
		f := fe.Field
		if n, ok := ratingFields[f]; ok {
			f = n
		}
		return apperr.Invalid(prefix+f, sentence(fe.Message))
	}
	if ae, ok := apperr.As(err); ok && ae.Kind == apperr.KindInvalid && strings.HasPrefix(ae.Field, prefix) {
		if n, ok := ratingFields[ae.Field[len(prefix):]]; ok {
			return apperr.Invalid(prefix+n, ae.Message)
		}
	}
	return err
}

// sentence capitalises a rater message and ends it with a full stop.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
