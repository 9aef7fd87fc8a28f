package metering

import (
	"encoding/asn1"
	"encoding/pem"
)

// CertSerial is the serial number of the meter's certificate, as the
// indicium carries it (unsigned big-endian, no leading zero), or nil when
// the stored PEM does not parse: the box then derives it from the key,
// which is the serial of every certificate it makes. It runs once per
// dispense group, so it reads the serial straight from the DER
// (Certificate → TBSCertificate → optional [0] version → INTEGER) instead of
// parsing the whole certificate and its public key.
func (m Meter) CertSerial() []byte {
	blk, _ := pem.Decode([]byte(m.CertPEM))
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil
	}
	var cert, tbs, v asn1.RawValue
	if _, err := asn1.Unmarshal(blk.Bytes, &cert); err != nil {
		return nil
	}
	if _, err := asn1.Unmarshal(cert.Bytes, &tbs); err != nil {
		return nil
	}
	rest, err := asn1.Unmarshal(tbs.Bytes, &v)
	if err == nil && v.Class == asn1.ClassContextSpecific && v.Tag == 0 {
		_, err = asn1.Unmarshal(rest, &v)
	}
	if err != nil || v.Class != asn1.ClassUniversal || v.Tag != asn1.TagInteger || len(v.Bytes) == 0 || v.Bytes[0]&0x80 != 0 {
		return nil
	}
	b := v.Bytes
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	if b[0] == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}
