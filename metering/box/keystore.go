package box

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"time"

	"golang.org/x/crypto/argon2"
)

// ErrWrongPassphrase is returned when the keystore does not decrypt.
var ErrWrongPassphrase = errors.New("box: keystore: wrong passphrase or corrupted file")

// Keystore file: magic, argon2id parameters, salt, nonce, then the
// AES-256-GCM sealed JSON of keyMaterial; the header is the AAD.
const (
	ksMagic       = "INDICIA-KEYSTORE-1"
	argonTime     = 3
	argonMemoryKB = 64 * 1024
	argonThreads  = 2
	minPassphrase = 12
)

var macVersionRE = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// Keystore is the decrypted key material of the box. It lives only in the
// box process (and briefly in `indicia keys`).
type Keystore struct {
	Master   []byte // 32 bytes: wraps meter keys (HKDF per serial)
	RootKey  *ecdsa.PrivateKey
	RootCert *x509.Certificate
	MACKeys  map[string][]byte // record-MAC master keys by month, "2026-11"
	TxKey    *ecdsa.PrivateKey // transaction box signing key
	Pepper   []byte            // authentication box pepper key
}

type keyMaterial struct {
	Master   []byte            `json:"master"`
	RootKey  []byte            `json:"root_key"` // PKCS#8
	RootCert []byte            `json:"root_cert"`
	MACKeys  map[string][]byte `json:"mac_keys"`
	TxKey    []byte            `json:"tx_key"` // PKCS#8
	Pepper   []byte            `json:"pepper"`
}

// NewKeystore generates fresh key material with a first MAC key version
// for the month of now.
func NewKeystore(now time.Time) (*Keystore, error) {
	ks := &Keystore{Master: randBytes(32), Pepper: randBytes(32), MACKeys: map[string][]byte{now.UTC().Format("2006-01"): randBytes(32)}}
	var err error
	if ks.RootKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, fmt.Errorf("box: keystore: root key: %w", err)
	}
	if ks.TxKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, fmt.Errorf("box: keystore: transaction key: %w", err)
	}
	if ks.RootCert, err = newRootCert(now, ks.RootKey); err != nil {
		return nil, err
	}
	return ks, nil
}

// newRootCert makes the vendor root's self-signed certificate; the key may
// be in memory or in a token.
func newRootCert(now time.Time, key crypto.Signer) (*x509.Certificate, error) {
	tmpl := &x509.Certificate{
		SerialNumber:          new(big.Int).SetBytes(randBytes(16)),
		Subject:               pkix.Name{CommonName: "Indicia Vendor Root", Organization: []string{"Indicia"}},
		NotBefore:             now.Truncate(24*time.Hour).AddDate(0, 0, -2),
		NotAfter:              now.AddDate(30, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("box: keystore: root certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("box: keystore: root certificate: %w", err)
	}
	return cert, nil
}

// CurrentMACVersion is the newest record-MAC key version: new records are
// MACed with it, older ones still verify with theirs.
func (ks *Keystore) CurrentMACVersion() string {
	return slices.Max(slices.Collect(maps.Keys(ks.MACKeys)))
}

// Rotate adds a record-MAC key version (a month, "2026-12") newer than
// every existing one. Old versions are kept so old records verify.
func (ks *Keystore) Rotate(version string) error {
	if !macVersionRE.MatchString(version) {
		return fmt.Errorf("box: keystore: version %q: want YYYY-MM", version)
	}
	if cur := ks.CurrentMACVersion(); version <= cur {
		return fmt.Errorf("box: keystore: version %s is not newer than the current %s", version, cur)
	}
	ks.MACKeys[version] = randBytes(32)
	return nil
}

// KDFCost is the argon2id cost of the key a keystore file is sealed with.
type KDFCost struct {
	Time     uint32
	MemoryKB uint32
}

// Save encrypts the keystore with the passphrase and replaces path
// atomically (mode 0600).
func (ks *Keystore) Save(path string, passphrase []byte) error {
	return ks.SaveWithCost(path, passphrase, KDFCost{Time: argonTime, MemoryKB: argonMemoryKB})
}

// SaveWithCost is Save with another argon2id cost. The cost is written in
// the file's header, so OpenKeystore reads any; throwaway keystores (tests
// start hundreds of boxes) use a low one.
func (ks *Keystore) SaveWithCost(path string, passphrase []byte, cost KDFCost) error {
	if cost.Time == 0 || cost.MemoryKB < 8 {
		return fmt.Errorf("box: keystore: KDF cost %+v is too low", cost)
	}
	if len(passphrase) < minPassphrase {
		return fmt.Errorf("box: keystore: passphrase must have at least %d characters", minPassphrase)
	}
	rootKey, err := x509.MarshalPKCS8PrivateKey(ks.RootKey)
	if err != nil {
		return fmt.Errorf("box: keystore: %w", err)
	}
	txKey, err := x509.MarshalPKCS8PrivateKey(ks.TxKey)
	if err != nil {
		return fmt.Errorf("box: keystore: %w", err)
	}
	plain, err := json.Marshal(keyMaterial{Master: ks.Master, RootKey: rootKey, RootCert: ks.RootCert.Raw, MACKeys: ks.MACKeys, TxKey: txKey, Pepper: ks.Pepper})
	if err != nil {
		return fmt.Errorf("box: keystore: %w", err)
	}
	hdr := binary.BigEndian.AppendUint32([]byte(ksMagic), cost.Time)
	hdr = binary.BigEndian.AppendUint32(hdr, cost.MemoryKB)
	hdr = append(hdr, argonThreads)
	hdr = append(hdr, randBytes(16)...) // salt
	hdr = append(hdr, randBytes(12)...) // nonce
	aead := keystoreAEAD(passphrase, hdr)
	out := aead.Seal(hdr, hdr[len(hdr)-12:], plain, hdr)
	clear(plain)

	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("box: keystore: %w", err)
	}
	// A temporary file of its own: the boxes of a cluster on one machine
	// may share the keystore and save the same new key version at once.
	tmp, err := writeTempSync(path, out)
	if err != nil {
		return fmt.Errorf("box: keystore: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("box: keystore: %w", err)
	}
	if dir, err := os.Open(filepath.Dir(path)); err == nil { // make the rename durable
		dir.Sync()
		dir.Close()
	}
	return nil
}

// OpenKeystore reads and decrypts the keystore file.
func OpenKeystore(path string, passphrase []byte) (*Keystore, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("box: keystore: %w", err)
	}
	hdrLen := len(ksMagic) + 4 + 4 + 1 + 16 + 12
	if len(data) < hdrLen || !bytes.HasPrefix(data, []byte(ksMagic)) {
		return nil, fmt.Errorf("box: keystore %s: not a keystore file", path)
	}
	hdr := data[:hdrLen]
	plain, err := keystoreAEAD(passphrase, hdr).Open(nil, hdr[hdrLen-12:], data[hdrLen:], hdr)
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	defer clear(plain)
	var km keyMaterial
	if err := json.Unmarshal(plain, &km); err != nil {
		return nil, fmt.Errorf("box: keystore: %w", err)
	}
	ks := &Keystore{Master: km.Master, MACKeys: km.MACKeys, Pepper: km.Pepper}
	if ks.RootKey, err = parseECKey(km.RootKey); err == nil {
		if ks.TxKey, err = parseECKey(km.TxKey); err == nil {
			ks.RootCert, err = x509.ParseCertificate(km.RootCert)
		}
	}
	if err != nil || len(ks.Master) != 32 || len(ks.Pepper) != 32 || len(ks.MACKeys) == 0 {
		return nil, fmt.Errorf("box: keystore %s: incomplete key material (%v)", path, err)
	}
	return ks, nil
}

// keystoreAEAD derives the file key with argon2id using the parameters and
// salt in the header.
func keystoreAEAD(passphrase, hdr []byte) cipher.AEAD {
	p := hdr[len(ksMagic):]
	t, m, threads := binary.BigEndian.Uint32(p), binary.BigEndian.Uint32(p[4:]), p[8]
	key := argon2.IDKey(passphrase, p[9:25], t, m, threads, 32)
	return newGCM(key)
}

func newGCM(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // key is always 32 bytes
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

func parseECKey(der []byte) (*ecdsa.PrivateKey, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, errors.New("not an ECDSA key")
	}
	return ec, nil
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := io.ReadFull(rand.Reader, b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return b
}

// writeTempSync writes data to a new file (mode 0600) beside path and
// syncs it, returning the file's name.
func writeTempSync(path string, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// PublicKeys returns the vendor root certificate and the transaction box's
// public key as PEM.
func (ks *Keystore) PublicKeys() (PublicKeys, error) {
	return publicKeys(newFileKeys(ks, "", nil))
}
