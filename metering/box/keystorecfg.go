package box

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// The two keystores (KEYSTORE).
const (
	KeystoreFile   = "file"
	KeystorePKCS11 = "pkcs11"
)

func keystoreKind(getenv func(string) string) (string, error) {
	switch k := envOr(getenv, "KEYSTORE", KeystoreFile); k {
	case KeystoreFile, KeystorePKCS11:
		return k, nil
	default:
		return "", fmt.Errorf("box: KEYSTORE=%q: want %s or %s", k, KeystoreFile, KeystorePKCS11)
	}
}

// tokenFromEnv reads PKCS11_MODULE, PKCS11_TOKEN_LABEL and PKCS11_PIN or
// PKCS11_PIN_FILE.
func tokenFromEnv(getenv func(string) string) (TokenConfig, error) {
	t := TokenConfig{Module: getenv("PKCS11_MODULE"), Label: getenv("PKCS11_TOKEN_LABEL"), PIN: getenv("PKCS11_PIN")}
	if t.Module == "" || t.Label == "" {
		return TokenConfig{}, errors.New("box: KEYSTORE=pkcs11 needs PKCS11_MODULE (the token's PKCS#11 library) and PKCS11_TOKEN_LABEL")
	}
	if t.PIN == "" {
		f := getenv("PKCS11_PIN_FILE")
		if f == "" {
			return TokenConfig{}, errors.New("box: KEYSTORE=pkcs11 needs PKCS11_PIN or PKCS11_PIN_FILE")
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return TokenConfig{}, fmt.Errorf("box: PKCS11_PIN_FILE: %w", err)
		}
		t.PIN = strings.TrimRight(string(b), "\r\n")
	}
	return t, nil
}

// openKeyOps opens the configured keystore; the file keystore is saved to
// its path again when a record-MAC version is added.
func openKeyOps(cfg Config) (KeyOps, error) {
	if cfg.Keystore == KeystorePKCS11 {
		return OpenToken(cfg.Token)
	}
	ks, err := OpenKeystore(cfg.KeystorePath, cfg.Passphrase)
	if err != nil {
		return nil, err
	}
	return newFileKeys(ks, cfg.KeystorePath, cfg.Passphrase), nil
}
