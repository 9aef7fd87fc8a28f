package web_test

import (
	"net/http"
	"testing"

	"indicia/web/webtest"
)

// HEAD answers like GET without a body: public pages and probes give 200,
// a logged-in page sends an anonymous visitor to the login page exactly as
// GET does, and serves its owner.
func TestHeadAnswersLikeGet(t *testing.T) {
	e := webtest.New(t)
	for _, tc := range []struct {
		role, path string
		code       int
		location   string
	}{
		{"", "/login", 200, ""},
		{"", "/healthz", 200, ""},
		{"", "/dashboard", 303, "/login"},
		{"owner", "/dashboard", 200, ""},
	} {
		get := e.Do(tc.role, http.MethodGet, tc.path, nil)
		head := e.Do(tc.role, http.MethodHead, tc.path, nil)
		if get.StatusCode != tc.code || head.StatusCode != tc.code {
			t.Errorf("%s %s: GET %d, HEAD %d, want %d", tc.role, tc.path, get.StatusCode, head.StatusCode, tc.code)
		}
		if loc := head.Header.Get("Location"); loc != tc.location {
			t.Errorf("%s HEAD %s: Location %q, want %q", tc.role, tc.path, loc, tc.location)
		}
		if body := webtest.Body(t, head); body != "" {
			t.Errorf("%s HEAD %s: body %.100q", tc.role, tc.path, body)
		}
	}
}
