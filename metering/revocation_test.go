package metering_test

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering"
	"indicia/metering/box"
	"indicia/metering/indicium"
	"indicia/metering/meteringtest"
)

var vendorAdmin = accounts.User{Role: accounts.RoleAdmin, Name: "Ada Admin"}

// buyDated buys one piece dated day (yesterday to 30 days ahead).
func buyDated(t *testing.T, svc *metering.Service, owner accounts.User, day time.Time) string {
	t.Helper()
	p := piece(60)
	p.MailingDate = day
	res, err := svc.Purchase(context.Background(), owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{p}})
	if err != nil {
		t.Fatal(err)
	}
	return textOf(t, res.Labels[0])
}

// bundle is the published certificate bundle: the vendor root, then the meters.
func bundle(t testing.TB, b *meteringtest.Box, svc *metering.Service) []*x509.Certificate {
	t.Helper()
	keys, err := b.Client.Certificates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pems, err := svc.MeterCertificates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	certs, err := indicium.ParseCertificatesPEM([]byte(string(keys.RootCertPEM) + strings.Join(pems, "")))
	if err != nil {
		t.Fatal(err)
	}
	return certs
}

// offline is `indicia verify`'s answer from the bundle and the published list.
func offline(t *testing.T, b *meteringtest.Box, svc *metering.Service, text string) error {
	t.Helper()
	certs := bundle(t, b, svc)
	in, err := metering.CheckOffline(text, certs, sha256.Sum256(certs[0].Raw))
	if err != nil {
		t.Fatalf("offline signature check: %v", err)
	}
	data, err := svc.RevocationList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	crl, err := metering.ParseRevocationList(data)
	if err != nil {
		t.Fatal(err)
	}
	return metering.CheckRevocation(in, certs, crl, time.Now())
}

// A meter suspended for credit abuse has its certificate revoked from now:
// its labels dated today or later are REVOKED on the server and offline,
// with a fraud signal; a label dated yesterday stays valid. The meter
// cannot be reactivated.
func TestSuspendForCreditAbuseRevokesFromNow(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m, pool := setupPool(t, b, 10_000)
	ctx := context.Background()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	yesterday := buyDated(t, svc, owner, today.AddDate(0, 0, -1))
	sameDay := buyDated(t, svc, owner, today)
	tomorrow := buyDated(t, svc, owner, today.AddDate(0, 0, 1))
	later := buyDated(t, svc, owner, today.AddDate(0, 0, 2))
	for _, text := range []string{yesterday, sameDay, tomorrow} {
		if err := offline(t, b, svc, text); err != nil {
			t.Fatalf("before the suspension: %v", err)
		}
	}
	before := time.Now()
	if _, err := svc.Suspend(ctx, vendorAdmin, m.ID, box.ReasonCreditAbuse); err != nil {
		t.Fatal(err)
	}
	rev, err := svc.RevocationOf(ctx, m.Record.Serial)
	if err != nil || rev == nil {
		t.Fatalf("no revocation recorded: %v", err)
	}
	if rev.RevokedFrom.Before(before.Add(-time.Second)) || rev.RevokedFrom.After(time.Now()) || rev.Reason != box.ReasonCreditAbuse {
		t.Errorf("revoked from %v for %q, want now for credit_abuse", rev.RevokedFrom, rev.Reason)
	}
	for name, text := range map[string]string{"today": sameDay, "tomorrow": tomorrow} {
		v := verify(t, svc, metering.VerifyRequest{Text: text, PieceRef: "P-" + name})
		if v.Result != metering.ResultRevoked || v.RevokedFrom == nil || !strings.Contains(v.Reason, "revoked") {
			t.Errorf("label dated %s: %s %q, want revoked", name, v.Result, v.Reason)
		}
		if err := offline(t, b, svc, text); !errors.Is(err, metering.ErrRevoked) {
			t.Errorf("label dated %s offline: %v, want revoked", name, err)
		}
	}
	if v := verify(t, svc, metering.VerifyRequest{Text: yesterday, PieceRef: "P-yesterday"}); v.Result != metering.ResultValid {
		t.Errorf("label dated yesterday: %s %q, want valid", v.Result, v.Reason)
	}
	if err := offline(t, b, svc, yesterday); err != nil {
		t.Errorf("label dated yesterday offline: %v", err)
	}
	var signals, logged int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM fraud_signals WHERE kind = 'revoked_use' AND indicium_id IS NOT NULL`).Scan(&signals); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM verifications WHERE result = 'revoked'`).Scan(&logged); err != nil {
		t.Fatal(err)
	}
	if signals != 2 || logged != 2 {
		t.Errorf("%d fraud signals and %d revoked verifications logged, want 2 and 2", signals, logged)
	}
	// A revoked label is not marked used: it can be refunded after review.
	var used int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM indicia WHERE used_at IS NOT NULL`).Scan(&used); err != nil {
		t.Fatal(err)
	}
	if used != 1 {
		t.Errorf("%d labels marked used, want 1 (yesterday's)", used)
	}
	if _, err := svc.Activate(ctx, vendorAdmin, m.ID); apperr.KindOf(err) != apperr.KindConflict {
		t.Errorf("reactivating a revoked meter: %v, want a conflict", err)
	}

	// The admin widens it to every label: yesterday's is revoked too. A
	// later, narrower choice never moves it back.
	if _, err := svc.SuspendRevoking(ctx, vendorAdmin, m.ID, box.ReasonTamper, metering.RevokeFrom{Mode: metering.RevokeAll}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RetireRevoking(ctx, vendorAdmin, m.ID, metering.RevokeFrom{Mode: metering.RevokeNow}); err != nil {
		t.Fatal(err)
	}
	if v := verify(t, svc, metering.VerifyRequest{Text: yesterday, PieceRef: "P-yesterday"}); v.Result != metering.ResultRevoked {
		t.Errorf("label dated yesterday after revoking every label: %s", v.Result)
	}
	if err := offline(t, b, svc, yesterday); !errors.Is(err, metering.ErrRevoked) {
		t.Errorf("label dated yesterday offline after revoking every label: %v", err)
	}
	if err := offline(t, b, svc, later); !errors.Is(err, metering.ErrRevoked) {
		t.Errorf("label dated in two days offline: %v", err)
	}
	list, err := svc.Revocations(ctx)
	if err != nil || len(list) != 1 || list[0].Reason != box.ReasonTamper {
		t.Errorf("revocations %+v (%v), want one, for tamper", list, err)
	}
}

// Revoking from a chosen day: labels dated before it stay valid, from it on
// they are revoked; a day in the future or a malformed one is refused at
// the field and changes nothing.
func TestSuspendRevokesFromAChosenDay(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m, _ := setupPool(t, b, 10_000)
	ctx := context.Background()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	yesterday := buyDated(t, svc, owner, today.AddDate(0, 0, -1))
	sameDay := buyDated(t, svc, owner, today)
	for _, bad := range []metering.RevokeFrom{
		{Mode: metering.RevokeDate, Date: "yesterday"},
		{Mode: metering.RevokeDate, Date: today.AddDate(0, 0, 3).Format(time.DateOnly)},
		{Mode: "sometime"},
	} {
		_, err := svc.SuspendRevoking(ctx, vendorAdmin, m.ID, box.ReasonMeterAbuse, bad)
		if apperr.KindOf(err) != apperr.KindInvalid {
			t.Errorf("%+v: %v, want a field error", bad, err)
		}
		if got, err := svc.Meter(ctx, vendorAdmin, m.ID); err != nil || got.Record.Status != box.StatusActive {
			t.Errorf("%+v: meter %s (%v), want still active", bad, got.Record.Status, err)
		}
	}
	if _, err := svc.SuspendRevoking(ctx, vendorAdmin, m.ID, box.ReasonMeterAbuse,
		metering.RevokeFrom{Mode: metering.RevokeDate, Date: today.Format(time.DateOnly)}); err != nil {
		t.Fatal(err)
	}
	if v := verify(t, svc, metering.VerifyRequest{Text: yesterday}); v.Result != metering.ResultValid {
		t.Errorf("label dated the day before: %s", v.Result)
	}
	if v := verify(t, svc, metering.VerifyRequest{Text: sameDay}); v.Result != metering.ResultRevoked {
		t.Errorf("label dated the chosen day: %s", v.Result)
	}
}

// An inspection suspension stops the meter but revokes nothing: its labels
// stay valid everywhere, the list stays empty, and the meter can be
// reactivated.
func TestInspectionSuspensionDoesNotRevoke(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m, _ := setupPool(t, b, 10_000)
	ctx := context.Background()
	text := buyDated(t, svc, owner, time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1))
	for _, reason := range []string{box.ReasonInspection, box.ReasonInsufficientFunds} {
		if _, err := svc.SuspendRevoking(ctx, vendorAdmin, m.ID, reason, metering.RevokeFrom{Mode: metering.RevokeAll}); err != nil {
			t.Fatal(err)
		}
	}
	if rev, err := svc.RevocationOf(ctx, m.Record.Serial); err != nil || rev != nil {
		t.Errorf("revocation after an inspection: %+v, %v", rev, err)
	}
	if v := verify(t, svc, metering.VerifyRequest{Text: text}); v.Result != metering.ResultValid {
		t.Errorf("label of a meter under inspection: %s %q", v.Result, v.Reason)
	}
	if err := offline(t, b, svc, text); err != nil {
		t.Errorf("offline: %v", err)
	}
	if _, err := svc.Activate(ctx, vendorAdmin, m.ID); err != nil {
		t.Errorf("reactivate after inspection: %v", err)
	}
}

// The offline check trusts only a list the meter certificate's root
// signed, and refuses one past its next update.
func TestCheckRevocationRefusesForeignOrExpiredLists(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, _, _ := setupPool(t, b, 10_000)
	text := buyDated(t, svc, owner, time.Now().UTC())
	certs := bundle(t, b, svc)
	in, err := metering.CheckOffline(text, certs, sha256.Sum256(certs[0].Raw))
	if err != nil {
		t.Fatal(err)
	}
	data, err := svc.RevocationList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	crl, err := metering.ParseRevocationList(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := metering.CheckRevocation(in, certs, crl, time.Now().Add(metering.RevocationListValidity+time.Minute)); err == nil ||
		!strings.Contains(err.Error(), "expired") {
		t.Errorf("a list past its next update: %v", err)
	}
	// Another vendor's box signs an (empty) list: it does not count.
	other := meteringtest.Start(t)
	der, err := other.Client.SignRevocationList(context.Background(), nil, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := metering.CheckRevocation(in, certs, foreign, time.Now()); err == nil || !strings.Contains(err.Error(), "not signed by the vendor root") {
		t.Errorf("another vendor's list: %v", err)
	}
}
