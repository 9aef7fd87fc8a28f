package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"indicia/metering"
	"indicia/metering/indicium"
	"indicia/web/webtest"
)

// A vendor admin suspends a meter for credit abuse from its page, revoking
// from now: the meter page says the certificate is revoked, the published
// revocation list (signed by the root in the bundle) names the meter's
// certificate, and its label dated today verifies REVOKED on the /verify
// page and through the API.
func TestSuspendRevokesAndTheLabelVerifiesRevoked(t *testing.T) {
	e := webtest.New(t)
	_, in := buyViaAPI(t, e)
	base := "/admin/meters/" + strconv.FormatInt(e.Meter.ID, 10)

	page := webtest.Body(t, e.Do("admin", "GET", base, nil))
	for _, want := range []string{`name="revoke_from" value="now" checked`, `value="first"`, `id="suspend-revoke-date"`, `id="retire-revoke-date"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the meter page has no %s", want)
		}
	}
	if r := e.Do("admin", "POST", base+"/suspend", url.Values{"reason": {"credit_abuse"}, "revoke_from": {"now"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("suspend: %d %s", r.StatusCode, webtest.Body(t, r))
	}
	page = webtest.Body(t, e.Do("admin", "GET", base, nil))
	if !strings.Contains(page, `id="meter-revoked"`) || !strings.Contains(page, "credit abuse") {
		t.Errorf("the meter page does not say the certificate is revoked:\n%s", page)
	}

	certs, err := indicium.ParseCertificatesPEM([]byte(webtest.Body(t, e.Do("anon", "GET", "/.well-known/indicia/certs", nil))))
	if err != nil {
		t.Fatal(err)
	}
	r := e.Do("anon", "GET", "/.well-known/indicia/revocations", nil)
	crl, err := metering.ParseRevocationList([]byte(webtest.Body(t, r)))
	if err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("revocation list: %d %v", r.StatusCode, err)
	}
	if err := crl.CheckSignatureFrom(certs[0]); err != nil {
		t.Errorf("the list does not verify with the published root: %v", err)
	}
	meter, err := indicium.FindMeterCertificate(in, certs)
	if err != nil {
		t.Fatal(err)
	}
	if len(crl.RevokedCertificateEntries) != 1 || crl.RevokedCertificateEntries[0].SerialNumber.Cmp(meter.SerialNumber) != 0 {
		t.Errorf("the list does not name the meter's certificate: %+v", crl.RevokedCertificateEntries)
	}
	if err := metering.CheckRevocation(in, certs, crl, crl.ThisUpdate); err == nil {
		t.Error("offline, the label dated today is not revoked")
	}

	code, page := postVerify(t, e, "staff", url.Values{"text": {in.Text()}, "piece_ref": {"P-1"}}, nil)
	if code != http.StatusOK || verdict(page) != "REVOKED" || !strings.Contains(page, "Certificate revoked from") {
		t.Errorf("verify page: %d verdict %q\n%s", code, verdict(page), page)
	}
	code, out := apiCall(t, e, key(t, e, e.Users["staff"]), "POST", "/api/v1/indicia/verify", fmt.Sprintf(`{"text":%q}`, in.Text()))
	if code != http.StatusOK || out["result"] != "revoked" || out["revoked_from"] == nil {
		t.Errorf("API verify: %d %v", code, out)
	}
	// A revoked meter is not reactivated.
	if r := e.Do("admin", "POST", base+"/activate", nil); r.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(webtest.Body(t, r), "certificate is revoked") {
		t.Errorf("activating a revoked meter: %d", r.StatusCode)
	}
}

// A malformed day in the revocation choice comes back at its field on the
// suspend form and suspends nothing; an inspection revokes nothing.
func TestSuspendFormRevocationChoiceErrors(t *testing.T) {
	e := webtest.New(t)
	base := "/admin/meters/" + strconv.FormatInt(e.Meter.ID, 10)
	r := e.Do("admin", "POST", base+"/suspend", url.Values{"reason": {"tamper"}, "revoke_from": {"date"}, "revoke_date": {"last week"}})
	page := webtest.Body(t, r)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="suspend-revoke-date-error"`) || strings.Contains(page, `id="retire-revoke-date-error"`) {
		t.Errorf("a malformed day: %d\n%s", r.StatusCode, page)
	}
	if m, err := e.Metering.MeterBySerial(t.Context(), e.Users["admin"], e.Meter.Record.Serial); err != nil || m.Record.Status != "active" {
		t.Errorf("meter %s (%v), want still active", m.Record.Status, err)
	}
	if r := e.Do("admin", "POST", base+"/suspend", url.Values{"reason": {"inspection"}, "revoke_from": {"first"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("inspection: %d", r.StatusCode)
	}
	crl, err := metering.ParseRevocationList([]byte(webtest.Body(t, e.Do("anon", "GET", "/.well-known/indicia/revocations", nil))))
	if err != nil || len(crl.RevokedCertificateEntries) != 0 {
		t.Errorf("after an inspection: %v, %d entries", err, len(crl.RevokedCertificateEntries))
	}
}

// The meter API takes the same choice: retiring with revoke_from "first"
// revokes every label, and the meter answers with revoked_from.
func TestMeterAPIRetireRevokesFromTheFirstLabel(t *testing.T) {
	e := webtest.New(t)
	admin := key(t, e, e.Users["admin"])
	serial := e.Meter.Record.Serial
	code, out := apiCall(t, e, admin, "POST", "/api/v1/meters/"+serial+"/retire", `{"revoke_from":"whenever"}`)
	if _, f := errField(out); code != http.StatusUnprocessableEntity || f != "revoke_from" {
		t.Errorf("unknown choice: %d %v", code, out)
	}
	code, out = apiCall(t, e, admin, "POST", "/api/v1/meters/"+serial+"/retire", `{"revoke_from":"first"}`)
	if code != http.StatusOK || out["status"] != "retired" || out["revoked_from"] == nil {
		t.Fatalf("retire: %d %v", code, out)
	}
	certs, err := indicium.ParseCertificatesPEM([]byte(out["certificate_pem"].(string)))
	if err != nil {
		t.Fatal(err)
	}
	if got := out["revoked_from"].(string); got != certs[0].NotBefore.UTC().Format("2006-01-02T15:04:05Z") {
		t.Errorf("revoked from %s, want the certificate's start %v", got, certs[0].NotBefore)
	}
}
