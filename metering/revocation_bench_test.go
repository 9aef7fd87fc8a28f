package metering_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"testing"
	"time"

	"indicia/metering"
	"indicia/metering/box"
	"indicia/metering/indicium"
	"indicia/metering/meteringtest"
)

// The offline check of one label against a list of 1,000 revoked
// certificates (signature of the list included, as `indicia verify` does it).
func BenchmarkCheckRevocation1000(b *testing.B) {
	bx := meteringtest.Start(b)
	svc, owner, _ := setupB(b, bx)
	ctx := context.Background()
	res, err := svc.Purchase(ctx, owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(60)}})
	if err != nil {
		b.Fatal(err)
	}
	entries := make([]box.Revocation, 1000)
	for i := range entries {
		serial := make([]byte, 16)
		rand.Read(serial)
		entries[i] = box.Revocation{CertSerial: serial, From: time.Now(), ReasonCode: box.CRLReasonKeyCompromise}
	}
	der, err := bx.Client.SignRevocationList(ctx, entries, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	certs := bundle(b, bx, svc)
	parsed, err := indicium.Parse(res.Labels[0].Indicium)
	if err != nil {
		b.Fatal(err)
	}
	text := parsed.Text()
	in, err := metering.CheckOffline(text, certs, sha256.Sum256(certs[0].Raw))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		crl, err := metering.ParseRevocationList(der)
		if err != nil {
			b.Fatal(err)
		}
		if err := metering.CheckRevocation(in, certs, crl, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

// Serving the list when nothing changed: one query and the cached signature.
func BenchmarkRevocationListCached(b *testing.B) {
	bx := meteringtest.Start(b)
	svc, _, _ := setupB(b, bx)
	ctx := context.Background()
	if _, err := svc.RevocationList(ctx); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := svc.RevocationList(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
