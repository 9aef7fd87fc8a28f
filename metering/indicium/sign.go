package indicium

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
)

// ErrHighS is returned by Verify for a signature whose s is above n/2.
// For every ECDSA signature (r, s) the twin (r, n−s) verifies too; only the
// low-S one is accepted, so an indicium has exactly one valid encoding.
var ErrHighS = errors.New("indicium: signature is not in low-S form (s > n/2), the second encoding of a signature is refused")

// halfOrder is n/2 for P-256.
var halfOrder = new(big.Int).Rsh(elliptic.P256().Params().N, 1)

// Sign encodes f as a version 2 indicium (version 3 when f names a foreign
// destination country) and signs it with the meter's
// private key. The signature is ECDSA P-256 over SHA-256 of the signed
// bytes, stored as fixed-size r||s (the layout stays fixed-length at the end
// and 6-8 bytes shorter than ASN.1 DER), with s ≤ n/2.
func Sign(f Fields, key *ecdsa.PrivateKey) (Indicium, error) { return sign(f.layout(), f, key) }

// SignV1 signs a version 1 indicium (tests and test vectors: the box signs
// version 2).
func SignV1(f Fields, key *ecdsa.PrivateKey) (Indicium, error) { return sign(Version1, f, key) }

func sign(version byte, f Fields, key *ecdsa.PrivateKey) (Indicium, error) {
	signed, err := encode(version, f)
	if err != nil {
		return Indicium{}, err
	}
	if key.Curve != elliptic.P256() {
		return Indicium{}, errors.New("indicium: signing key is not P-256")
	}
	digest := sha256.Sum256(signed)
	r, s, err := SignDigest(key, digest[:])
	if err != nil {
		return Indicium{}, err
	}
	if s.Cmp(halfOrder) > 0 {
		s.Sub(key.Curve.Params().N, s)
	}
	in := Indicium{Version: version, Algorithm: AlgECDSAP256, Fields: f, Signed: signed}
	in.MailingDate = dateOnly(f.MailingDate)
	if version != Version3 {
		in.Country = "" // a domestic indicium carries no country: US is implied
	}
	if version == Version1 {
		in.CertSerial, in.DR, in.Software = nil, 0, ""
	} else {
		in.KeyID = [KeyIDSize]byte{}
	}
	r.FillBytes(in.Signature[:32])
	s.FillBytes(in.Signature[32:])
	return in, nil
}

// HighS reports whether the signature's s is above n/2 (see ErrHighS).
func (in Indicium) HighS() bool {
	return new(big.Int).SetBytes(in.Signature[32:]).Cmp(halfOrder) > 0
}

// Verify checks the signature over the signed bytes with the meter's
// public key, and refuses the high-S twin of a signature. It does not check
// which certificate the key belongs to: see VerifyWithCertificates.
func (in Indicium) Verify(pub *ecdsa.PublicKey) error {
	if err := in.verifyMath(pub); err != nil {
		return err
	}
	if in.HighS() {
		return ErrHighS
	}
	return nil
}

func (in Indicium) verifyMath(pub *ecdsa.PublicKey) error {
	if pub == nil || pub.Curve != elliptic.P256() {
		return errors.New("indicium: verify: need a P-256 public key")
	}
	digest := sha256.Sum256(in.Signed)
	r := new(big.Int).SetBytes(in.Signature[:32])
	s := new(big.Int).SetBytes(in.Signature[32:])
	if !ecdsa.Verify(pub, digest[:], r, s) {
		return ErrBadSignature
	}
	return nil
}

// SignatureDER returns the signature as an ASN.1 DER ECDSA-Sig-Value, the
// form OpenSSL and most libraries expect.
func (in Indicium) SignatureDER() []byte {
	r := new(big.Int).SetBytes(in.Signature[:32])
	s := new(big.Int).SetBytes(in.Signature[32:])
	return derSequence(derInt(r), derInt(s))
}

// RecipientHash is SHA-256 of the standardized recipient address (the
// one-line form the address hygiene package prints, UTF-8, no name; see
// docs/INDICIUM.md), truncated to 16 bytes: 128 bits keep second-preimage attacks out of reach
// while saving 16 bytes of barcode.
func RecipientHash(standardizedAddress string) [HashSize]byte {
	sum := sha256.Sum256([]byte(standardizedAddress))
	var h [HashSize]byte
	copy(h[:], sum[:HashSize])
	return h
}

// KeyID identifies a meter key: the first 8 bytes of SHA-256 of the DER
// SubjectPublicKeyInfo. Meter certificates carry it as their Subject Key
// Identifier, so a verifier picks the certificate without guessing.
func KeyID(pub *ecdsa.PublicKey) ([KeyIDSize]byte, error) {
	var id [KeyIDSize]byte
	var sum []byte
	if q, err := pub.Bytes(); err == nil && pub.Curve == elliptic.P256() {
		// The P-256 SubjectPublicKeyInfo is a fixed prefix and the point:
		// skipping the ASN.1 marshaller keeps this off the signing path's
		// profile.
		h := sha256.New()
		h.Write(p256SPKIPrefix)
		h.Write(q)
		sum = h.Sum(nil)
	} else {
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			return id, fmt.Errorf("indicium: key id: %w", err)
		}
		s := sha256.Sum256(der)
		sum = s[:]
	}
	copy(id[:], sum[:KeyIDSize])
	return id, nil
}

// CertSerial is the serial number the box gives a meter certificate: the
// first 8 bytes of SHA-256("indicia meter certificate\x00" || DER
// SubjectPublicKeyInfo), top bit cleared and the next one set, so it is
// positive and always 8 bytes long. The box recomputes it from the key when
// it signs; certificates made before carry a random serial, which the
// caller passes instead.
func CertSerial(pub *ecdsa.PublicKey) ([]byte, error) {
	var der []byte
	if q, err := pub.Bytes(); err == nil && pub.Curve == elliptic.P256() {
		// Every dispense derives it: the fixed prefix and the point, as in
		// KeyID, keep the ASN.1 marshaller (and its stack growth) off that path.
		der = append(append(make([]byte, 0, len(p256SPKIPrefix)+len(q)), p256SPKIPrefix...), q...)
	} else if der, err = x509.MarshalPKIXPublicKey(pub); err != nil {
		return nil, fmt.Errorf("indicium: certificate serial: %w", err)
	}
	sum := sha256.Sum256(append([]byte("indicia meter certificate\x00"), der...))
	s := sum[:8]
	s[0] = s[0]&0x7f | 0x40
	return s, nil
}

// p256SPKIPrefix is the DER of SubjectPublicKeyInfo{id-ecPublicKey,
// prime256v1} up to the uncompressed point of the BIT STRING.
var p256SPKIPrefix = []byte{0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00}

func derInt(n *big.Int) []byte {
	b := n.Bytes()
	if len(b) == 0 || b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return append([]byte{0x02, byte(len(b))}, b...)
}

func derSequence(parts ...[]byte) []byte {
	var body []byte
	for _, p := range parts {
		body = append(body, p...)
	}
	return append([]byte{0x30, byte(len(body))}, body...) // at most 70 bytes: short form length
}
