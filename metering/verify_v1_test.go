package metering_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"indicia/metering"
	"indicia/metering/box"
	"indicia/metering/indicium"
	"indicia/metering/meteringtest"
)

// A version 1 indicium printed before low-S signing may carry a high s: the
// server accepts it when it is exactly the issued indicium, and refuses its
// low-S twin, which was never issued. The test stands in for such a label
// with a second key certified by the box's root for the same meter.
func TestVerifyAcceptsIssuedVersion1HighS(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m, pool := setupPool(t, b, 1000)
	l := buyOne(t, svc, owner, 78)
	issued, _ := indicium.Parse(l.Indicium)
	ks, err := box.OpenKeystore(b.Keystore, []byte(meteringtest.Passphrase))
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	id, _ := indicium.KeyID(&key.PublicKey)
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(777), Subject: pkix.Name{CommonName: m.Record.Serial},
		NotBefore: now.AddDate(0, 0, -2), NotAfter: now.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature, SubjectKeyId: id[:]}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ks.RootCert, &key.PublicKey, ks.RootKey)
	if err != nil {
		t.Fatal(err)
	}
	f := issued.Fields
	f.KeyID, f.CertSerial, f.DR, f.Software = id, nil, 0, ""
	var v1 indicium.Indicium
	for v1 = (indicium.Indicium{}); !v1.HighS(); {
		low, err := indicium.SignV1(f, key)
		if err != nil {
			t.Fatal(err)
		}
		v1 = highSTwin(low)
	}
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `UPDATE meters SET cert_pem = cert_pem || $2 WHERE id = $1`, m.ID,
		string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE indicia SET data = $2 WHERE meter_id = $1 AND piece_number = $3`, m.ID, v1.Bytes(), issued.PieceCount); err != nil {
		t.Fatal(err)
	}
	low := highSTwin(v1)
	if v := verify(t, svc, metering.VerifyRequest{Text: low.Text()}); v.Result != metering.ResultInvalid || !strings.Contains(v.Reason, "never issued") {
		t.Errorf("low-S twin of an issued v1 indicium: %s %q", v.Result, v.Reason)
	}
	if v := verify(t, svc, metering.VerifyRequest{Text: v1.Text()}); v.Result != metering.ResultValid || v.Fields.Version != 1 {
		t.Errorf("issued high-S v1 indicium: %s %q", v.Result, v.Reason)
	}
}
