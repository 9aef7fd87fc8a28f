package indicium

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"time"
)

// VerifyWithCertificates does the whole offline check: the meter
// certificate chains to the vendor root, names the indicium's meter serial
// (CN) and certificate serial (version 2) or key id (Subject Key
// Identifier, version 1), was valid on the mailing date, and its public key
// verifies the signature in low-S form. The caller chooses the root: see
// VerifyPinned for a bundle that may hold other self-signed certificates.
func VerifyWithCertificates(in Indicium, root, meter *x509.Certificate) error {
	if err := VerifyChain(root, meter, in.MailingDate); err != nil {
		return err
	}
	return VerifyWithMeter(in, meter)
}

// VerifyChain is the part of VerifyWithCertificates that depends only on the
// two certificates and the mailing date: the meter certificate chains to
// root and was valid on that date. A verifier that sees the same meter and
// date again may keep its answer.
func VerifyChain(root, meter *x509.Certificate, mailingDate time.Time) error {
	roots := x509.NewCertPool()
	roots.AddCert(root)
	_, err := meter.Verify(x509.VerifyOptions{
		Roots:       roots,
		CurrentTime: mailingDate.Add(12 * time.Hour),
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return fmt.Errorf("indicium: meter certificate: %w", err)
	}
	return nil
}

// VerifyWithMeter is the rest of VerifyWithCertificates, for a meter
// certificate VerifyChain accepted: it names the indicium's meter and
// certificate, and its key verifies the signature in low-S form.
func VerifyWithMeter(in Indicium, meter *x509.Certificate) error {
	if meter.Subject.CommonName != in.MeterSerial {
		return fmt.Errorf("indicium: certificate is for meter %q, indicium names %q", meter.Subject.CommonName, in.MeterSerial)
	}
	pub, ok := meter.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return errors.New("indicium: meter certificate key is not ECDSA")
	}
	id, err := KeyID(pub)
	if err != nil {
		return err
	}
	if in.Version == Version1 && (id != in.KeyID || !bytes.Equal(meter.SubjectKeyId, id[:])) {
		return errors.New("indicium: key id does not match the meter certificate")
	}
	if in.Version != Version1 && !sameSerial(meter, in.CertSerial) {
		return fmt.Errorf("indicium: certificate serial %x does not match the meter certificate", in.CertSerial)
	}
	return in.Verify(pub)
}

// ParseCertificatesPEM reads every CERTIFICATE block of a PEM bundle.
func ParseCertificatesPEM(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for {
		var blk *pem.Block
		blk, data = pem.Decode(data)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("indicium: parse certificate: %w", err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("indicium: no certificate in PEM data")
	}
	return certs, nil
}

// FindMeterCertificate picks the certificate for the indicium's meter and
// certificate serial (version 2) or key id (version 1) from a published
// bundle (the root may be in it too).
func FindMeterCertificate(in Indicium, certs []*x509.Certificate) (*x509.Certificate, error) {
	if found := FindMeterCertificates(in, certs); len(found) > 0 {
		return found[0], nil
	}
	if in.Version == Version1 {
		return nil, fmt.Errorf("indicium: no certificate for meter %q key %x", in.MeterSerial, in.KeyID)
	}
	return nil, fmt.Errorf("indicium: no certificate for meter %q serial %x", in.MeterSerial, in.CertSerial)
}

// FindMeterCertificates returns every certificate of the bundle that names
// the indicium's meter and certificate: a bundle from an untrusted place may
// carry look-alikes, and only the one that chains to the pinned root counts.
func FindMeterCertificates(in Indicium, certs []*x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range certs {
		if c.Subject.CommonName != in.MeterSerial {
			continue
		}
		if in.Version == Version1 && bytes.Equal(c.SubjectKeyId, in.KeyID[:]) ||
			in.Version != Version1 && sameSerial(c, in.CertSerial) {
			out = append(out, c)
		}
	}
	return out
}

func sameSerial(c *x509.Certificate, serial []byte) bool {
	return c.SerialNumber != nil && c.SerialNumber.Sign() > 0 && bytes.Equal(c.SerialNumber.Bytes(), serial)
}
