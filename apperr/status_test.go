package apperr_test

import (
	"net/http"
	"testing"

	"indicia/apperr"
)

func TestHTTPStatusOfEveryKind(t *testing.T) {
	for k, want := range map[apperr.Kind]int{
		apperr.KindInternal: http.StatusInternalServerError, apperr.KindInvalid: http.StatusUnprocessableEntity,
		apperr.KindNotFound: http.StatusNotFound, apperr.KindConflict: http.StatusConflict, apperr.KindUnauthorized: http.StatusUnauthorized,
		apperr.KindForbidden: http.StatusForbidden, apperr.KindPayment: http.StatusPaymentRequired,
		apperr.KindRateLimited: http.StatusTooManyRequests, apperr.KindUnavailable: http.StatusServiceUnavailable,
	} {
		if got := apperr.HTTPStatus(k); got != want {
			t.Errorf("kind %d: %d, want %d", k, got, want)
		}
	}
}
