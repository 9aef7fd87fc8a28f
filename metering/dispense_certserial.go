package metering

import (
	"crypto/x509"
	"encoding/pem"
)

// CertSerial is the serial number of the meter's certificate, as the
// indicium carries it (nil when the stored PEM does not parse: the box then
// derives it from the key, which is what it put in every certificate it
// made since serials were derived).
func (m Meter) CertSerial() []byte {
	blk, _ := pem.Decode([]byte(m.CertPEM))
	if blk == nil {
		return nil
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil || c.SerialNumber == nil || c.SerialNumber.Sign() <= 0 {
		return nil
	}
	return c.SerialNumber.Bytes()
}
