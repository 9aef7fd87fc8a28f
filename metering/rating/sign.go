package rating

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// SigSuffix is appended to a table file's name to name its signature file.
const SigSuffix = ".sig"

// isTableFile reports whether name is a signed table: every price list
// (.json) and the ZIP3 data (.csv) in a table directory must be signed.
func isTableFile(name string) bool {
	return strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".csv")
}

// digest is the hash that is signed. The canonical bytes of a table are the
// file's bytes exactly as stored: no re-encoding, so any edit (even
// whitespace) invalidates the signature and an auditor can check a table
// with nothing but openssl.
func digest(data []byte) []byte {
	h := sha256.Sum256(data)
	return h[:]
}

// SignBytes returns the signature file content for a table: the base64 of
// an ASN.1 DER ECDSA P-256 signature over SHA-256 of the bytes, plus a newline.
func SignBytes(data []byte, key *ecdsa.PrivateKey) ([]byte, error) {
	sig, err := ecdsa.SignASN1(rand.Reader, key, digest(data))
	if err != nil {
		return nil, fmt.Errorf("rating: sign: %w", err)
	}
	return []byte(base64.StdEncoding.EncodeToString(sig) + "\n"), nil
}

// VerifyBytes checks a table's bytes against its signature file content.
func VerifyBytes(data, sigFile []byte, pub *ecdsa.PublicKey) error {
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(sigFile)))
	if err != nil {
		return fmt.Errorf("signature is not base64: %w", err)
	}
	if !ecdsa.VerifyASN1(pub, digest(data), sig) {
		return errors.New("signature does not verify with the rate-table public key")
	}
	return nil
}

// SignTables writes a .sig file beside every table file (.json, .csv) in dir.
func SignTables(dir string, key *ecdsa.PrivateKey) error {
	if key == nil {
		return errors.New("rating: sign tables: no private key")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("rating: sign tables: %w", err)
	}
	n := 0
	for _, e := range entries {
		if e.IsDir() || !isTableFile(e.Name()) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("rating: sign tables: %w", err)
		}
		sig, err := SignBytes(data, key)
		if err != nil {
			return fmt.Errorf("rating: sign %s: %w", e.Name(), err)
		}
		if err := os.WriteFile(path+SigSuffix, sig, 0o644); err != nil {
			return fmt.Errorf("rating: sign tables: %w", err)
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("rating: sign tables: no .json or .csv tables in %s", dir)
	}
	return nil
}

// ParsePublicKeyPEM parses a PEM "PUBLIC KEY" (PKIX) holding an ECDSA P-256 key.
func ParsePublicKeyPEM(data []byte) (*ecdsa.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("rating: public key: no PEM block")
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("rating: public key: %w", err)
	}
	pub, ok := k.(*ecdsa.PublicKey)
	if !ok || pub.Curve.Params().Name != "P-256" {
		return nil, errors.New("rating: public key: not an ECDSA P-256 key")
	}
	return pub, nil
}

// ParsePrivateKeyPEM parses a PEM "PRIVATE KEY" (PKCS#8) or "EC PRIVATE KEY"
// (SEC 1) holding an ECDSA P-256 key.
func ParsePrivateKeyPEM(data []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("rating: private key: no PEM block")
	}
	if block.Type == "EC PRIVATE KEY" {
		k, err := x509.ParseECPrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("rating: private key: %w", err)
		}
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("rating: private key: %w", err)
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok || ek.Curve.Params().Name != "P-256" {
		return nil, errors.New("rating: private key: not an ECDSA P-256 key")
	}
	return ek, nil
}

// PublicKeyFromEnv returns the key in RATE_TABLE_PUBKEY (PEM) when set, and
// otherwise the embedded development key; dev reports which. getenv is
// os.Getenv in production (config is read in main and passed down).
func PublicKeyFromEnv(getenv func(string) string) (pub *ecdsa.PublicKey, dev bool, err error) {
	if v := getenv("RATE_TABLE_PUBKEY"); strings.TrimSpace(v) != "" {
		pub, err := ParsePublicKeyPEM([]byte(v))
		if err != nil {
			return nil, false, fmt.Errorf("rating: RATE_TABLE_PUBKEY: %w", err)
		}
		return pub, false, nil
	}
	pub, err = DevPublicKey()
	return pub, true, err
}
