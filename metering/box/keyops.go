package box

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"maps"
	"slices"
	"sync"
)

// KeyOps are the operations the box performs with its own keys. Two
// keystores implement them: the passphrase-encrypted file (fileKeys, the
// keys in the box's memory) and a PKCS#11 token (tokenKeys, the keys never
// leave it). Meter keys are not among them: they are made and used in the
// box's memory and stored in the database wrapped by WrapMeterKey.
type KeyOps interface {
	// RootCert and RootSigner are the vendor root, which signs meter
	// certificates and revocation lists.
	RootCert() *x509.Certificate
	RootSigner() crypto.Signer
	// SignTx signs a transaction record's digest with the transaction
	// box's key: r||s, 32 bytes each.
	SignTx(digest []byte) ([]byte, error)
	TxPublicKey() *ecdsa.PublicKey
	// WrapMeterKey seals a meter's key material (nonce||ciphertext) under
	// the master wrapping key, bound to serial and key version;
	// UnwrapMeterKey opens it, and fails for any other serial or version.
	WrapMeterKey(serial string, version int, plain []byte) ([]byte, error)
	UnwrapMeterKey(serial string, version int, wrapped []byte) ([]byte, error)
	// MACVersions are the record-MAC key versions held, oldest first.
	MACVersions() []string
	// RecordMACKey is one meter's record-MAC key for a version, derived
	// from that month's key so a leaked one says nothing of other meters.
	RecordMACKey(version, serial string) ([]byte, error)
	// AddMACVersion makes a new month's record-MAC key and keeps it durably
	// before it returns.
	AddMACVersion(version string) error
	// ExportNewMACVersion makes a new month's record-MAC key for a box
	// cluster to replicate, without adding it: the answer is the key
	// wrapped under the master wrapping key every member holds (file
	// keystore), or nil when the key is made in the token, which every
	// member's token must then hold too (one HSM partition or HA group).
	ExportNewMACVersion(version string) ([]byte, error)
	// ImportMACVersion adds a version another member exported (idempotent:
	// a version held with the same key changes nothing) and keeps it
	// durably; it fails when the keystore holds the version with another
	// key, or the token does not hold it.
	ImportMACVersion(version string, wrapped []byte) error
	// Pepper is HMAC-SHA256 of msg under the authentication box's key.
	Pepper(msg []byte) ([]byte, error)
	Close() error
}

// fileKeys is the file keystore: every key in memory, decrypted from the
// file at start; path and passphrase save it again after a rotation (a
// keystore made in memory, with no path, is not saved).
type fileKeys struct {
	path string
	pass []byte
	mu   sync.Mutex
	ks   *Keystore
}

func newFileKeys(ks *Keystore, path string, pass []byte) *fileKeys {
	c := *ks
	c.MACKeys = maps.Clone(ks.MACKeys)
	return &fileKeys{ks: &c, path: path, pass: pass}
}

func (f *fileKeys) RootCert() *x509.Certificate   { return f.ks.RootCert }
func (f *fileKeys) RootSigner() crypto.Signer     { return f.ks.RootKey }
func (f *fileKeys) TxPublicKey() *ecdsa.PublicKey { return &f.ks.TxKey.PublicKey }
func (f *fileKeys) Close() error                  { return nil }

func (f *fileKeys) SignTx(digest []byte) ([]byte, error) { return signRS(f.ks.TxKey, digest) }

// wrapKey derives the per-meter wrapping key: HKDF(master, "meter-wrap", serial).
func (f *fileKeys) wrapKey(serial string) []byte {
	k, err := hkdf.Key(sha256.New, f.ks.Master, nil, "indicia meter-wrap\x00"+serial, 32)
	if err != nil {
		panic(err) // only fails for oversized output
	}
	return k
}

func (f *fileKeys) WrapMeterKey(serial string, version int, plain []byte) ([]byte, error) {
	nonce := randBytes(12)
	return newGCM(f.wrapKey(serial)).Seal(nonce, nonce, plain, wrapAAD(serial, version)), nil
}

func (f *fileKeys) UnwrapMeterKey(serial string, version int, wrapped []byte) ([]byte, error) {
	if len(wrapped) < 12 {
		return nil, fmt.Errorf("wrapped key too short")
	}
	return newGCM(f.wrapKey(serial)).Open(nil, wrapped[:12], wrapped[12:], wrapAAD(serial, version))
}

func (f *fileKeys) MACVersions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Sorted(maps.Keys(f.ks.MACKeys))
}

// RecordMACKey is HKDF(month key, serial).
func (f *fileKeys) RecordMACKey(version, serial string) ([]byte, error) {
	f.mu.Lock()
	master, ok := f.ks.MACKeys[version]
	f.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("unknown MAC key version %q", version)
	}
	return hkdf.Key(sha256.New, master, nil, "indicia record-mac\x00"+serial, 32)
}

// AddMACVersion saves the keystore with the new version before the box
// uses it, so a box that restarts keeps it.
func (f *fileKeys) AddMACVersion(version string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.ks.MACKeys[version]; ok {
		return nil
	}
	next := *f.ks
	next.MACKeys = maps.Clone(f.ks.MACKeys)
	next.MACKeys[version] = randBytes(32)
	if f.path != "" {
		if err := next.Save(f.path, f.pass); err != nil {
			return err
		}
	}
	f.ks = &next
	return nil
}

// macExportKey derives the key wrapping record-MAC keys in the cluster's
// log: HKDF(master, "mac-export"), so only boxes holding the master open them.
func (f *fileKeys) macExportKey() []byte {
	k, err := hkdf.Key(sha256.New, f.ks.Master, nil, "indicia mac-export", 32)
	if err != nil {
		panic(err) // only fails for oversized output
	}
	return k
}

func macExportAAD(version string) []byte { return []byte("indicia record-mac key\x00" + version) }

func (f *fileKeys) ExportNewMACVersion(version string) ([]byte, error) {
	key := randBytes(32)
	defer clear(key)
	nonce := randBytes(12)
	return newGCM(f.macExportKey()).Seal(nonce, nonce, key, macExportAAD(version)), nil
}

func (f *fileKeys) ImportMACVersion(version string, wrapped []byte) error {
	if len(wrapped) < 12+16 {
		return fmt.Errorf("box: record-MAC key %s: no wrapped key to import", version)
	}
	key, err := newGCM(f.macExportKey()).Open(nil, wrapped[:12], wrapped[12:], macExportAAD(version))
	if err != nil {
		return fmt.Errorf("box: record-MAC key %s does not open under this keystore's master key (members must share one keystore): %w", version, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if held, ok := f.ks.MACKeys[version]; ok {
		if !hmac.Equal(held, key) {
			return fmt.Errorf("box: this keystore holds another record-MAC key %s than the cluster's", version)
		}
		return nil
	}
	next := *f.ks
	next.MACKeys = maps.Clone(f.ks.MACKeys)
	next.MACKeys[version] = key
	if f.path != "" {
		if err := next.Save(f.path, f.pass); err != nil {
			return err
		}
	}
	f.ks = &next
	return nil
}

func (f *fileKeys) Pepper(msg []byte) ([]byte, error) {
	m := hmac.New(sha256.New, f.ks.Pepper)
	m.Write(msg)
	return m.Sum(nil), nil
}

// publicKeys is what a box publishes: the vendor root certificate and the
// transaction box's public key, both PEM.
func publicKeys(ops KeyOps) (PublicKeys, error) {
	txDER, err := x509.MarshalPKIXPublicKey(ops.TxPublicKey())
	if err != nil {
		return PublicKeys{}, fmt.Errorf("box: transaction key: %w", err)
	}
	return PublicKeys{
		RootCertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ops.RootCert().Raw}),
		TxKeyPEM:    pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: txDER}),
	}, nil
}
