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
// (CN) and key id (Subject Key Identifier), was valid on the mailing date,
// and its public key verifies the signature.
func VerifyWithCertificates(in Indicium, root, meter *x509.Certificate) error {
	roots := x509.NewCertPool()
	roots.AddCert(root)
	_, err := meter.Verify(x509.VerifyOptions{
		Roots:       roots,
		CurrentTime: in.MailingDate.Add(12 * time.Hour),
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return fmt.Errorf("indicium: meter certificate: %w", err)
	}
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
	if id != in.KeyID || !bytes.Equal(meter.SubjectKeyId, id[:]) {
		return errors.New("indicium: key id does not match the meter certificate")
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
// key id from a published bundle (the root may be in it too).
func FindMeterCertificate(in Indicium, certs []*x509.Certificate) (*x509.Certificate, error) {
	for _, c := range certs {
		if c.Subject.CommonName == in.MeterSerial && bytes.Equal(c.SubjectKeyId, in.KeyID[:]) {
			return c, nil
		}
	}
	return nil, fmt.Errorf("indicium: no certificate for meter %q key %x", in.MeterSerial, in.KeyID)
}
