package box

import (
	"crypto"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ThalesGroup/crypto11"
	"github.com/miekg/pkcs11"
)

// TokenConfig names the PKCS#11 token that holds the box's keys
// (KEYSTORE=pkcs11): the vendor's module, the token's label and the user PIN.
type TokenConfig struct {
	Module string
	Label  string
	PIN    string
}

// Labels of the box's objects in the token. Record-MAC keys carry their
// month: "indicia-mac-2026-11".
const (
	tokenRootLabel   = "indicia-root" // key pair and its certificate
	tokenTxLabel     = "indicia-tx"
	tokenWrapLabel   = "indicia-wrap"
	tokenPepperLabel = "indicia-pepper"
	tokenMACPrefix   = "indicia-mac-"
)

// ErrTokenPIN is returned when the token refuses the PIN.
var ErrTokenPIN = errors.New("box: pkcs11 token: wrong PIN (PKCS11_PIN or PKCS11_PIN_FILE)")

// tokenKeys keeps every key of the box in a PKCS#11 token as a
// non-extractable object: ECDSA P-256 root and transaction keys, an
// AES-256 wrapping key used with CKM_AES_GCM, and HMAC-SHA256 generic
// secrets for the record MACs (one per month) and the pepper. The box asks
// the token to sign, seal, open and MAC; no key value ever reaches it.
type tokenKeys struct {
	ctx      *crypto11.Context
	rootCert *x509.Certificate
	root     crypto11.Signer
	tx       crypto11.Signer
	wrap     cipher.AEAD
	pepper   *crypto11.SecretKey

	mu  sync.Mutex
	mac map[string]*crypto11.SecretKey // by version
}

func configureToken(cfg TokenConfig) (*crypto11.Context, error) {
	if cfg.Module == "" || cfg.Label == "" {
		return nil, errors.New("box: pkcs11 token: PKCS11_MODULE and PKCS11_TOKEN_LABEL are required")
	}
	ctx, err := crypto11.Configure(&crypto11.Config{Path: cfg.Module, TokenLabel: cfg.Label, Pin: cfg.PIN, GCMIVLength: 12})
	if err != nil {
		var p11 pkcs11.Error
		if errors.As(err, &p11) && (p11 == pkcs11.CKR_PIN_INCORRECT || p11 == pkcs11.CKR_PIN_LEN_RANGE || p11 == pkcs11.CKR_PIN_LOCKED) {
			return nil, fmt.Errorf("%w: token %q refused it (%v)", ErrTokenPIN, cfg.Label, p11)
		}
		return nil, fmt.Errorf("box: pkcs11 token %q in %s: %w", cfg.Label, cfg.Module, err)
	}
	return ctx, nil
}

// OpenToken logs in to the token and finds the box's objects, which
// `indicia keys init` made.
func OpenToken(cfg TokenConfig) (KeyOps, error) {
	ctx, err := configureToken(cfg)
	if err != nil {
		return nil, err
	}
	t := &tokenKeys{ctx: ctx, mac: map[string]*crypto11.SecretKey{}}
	if err := t.load(); err != nil {
		ctx.Close()
		return nil, fmt.Errorf("box: pkcs11 token %q: %w", cfg.Label, err)
	}
	return t, nil
}

func (t *tokenKeys) load() error {
	var err error
	if t.root, err = t.ctx.FindKeyPair(nil, []byte(tokenRootLabel)); err != nil || t.root == nil {
		return fmt.Errorf("no vendor root key (run `indicia keys init`): %v", err)
	}
	if t.rootCert, err = t.ctx.FindCertificate(nil, []byte(tokenRootLabel), nil); err != nil || t.rootCert == nil {
		return fmt.Errorf("no vendor root certificate: %v", err)
	}
	if t.tx, err = t.ctx.FindKeyPair(nil, []byte(tokenTxLabel)); err != nil || t.tx == nil {
		return fmt.Errorf("no transaction key: %v", err)
	}
	wrap, err := t.ctx.FindKey(nil, []byte(tokenWrapLabel))
	if err != nil || wrap == nil {
		return fmt.Errorf("no wrapping key: %v", err)
	}
	if t.wrap, err = wrap.NewGCM(); err != nil {
		return fmt.Errorf("wrapping key: %w", err)
	}
	if t.pepper, err = t.ctx.FindKey(nil, []byte(tokenPepperLabel)); err != nil || t.pepper == nil {
		return fmt.Errorf("no pepper key: %v", err)
	}
	keys, err := t.ctx.FindAllKeys()
	if err != nil {
		return fmt.Errorf("listing keys: %w", err)
	}
	for _, k := range keys {
		a, err := t.ctx.GetAttribute(k, crypto11.CkaLabel)
		if err != nil || a == nil {
			continue
		}
		if v, ok := strings.CutPrefix(string(a.Value), tokenMACPrefix); ok && macVersionRE.MatchString(v) {
			t.mac[v] = k
		}
	}
	if len(t.mac) == 0 {
		return errors.New("no record-MAC key")
	}
	return nil
}

// InitToken makes the box's objects in an initialised, empty token: the
// vendor root key pair and its self-signed certificate, the transaction
// key pair, the wrapping and pepper keys, and the record-MAC key for the
// month of now. It refuses a token that already holds a vendor root.
func InitToken(cfg TokenConfig, now time.Time) (KeyOps, error) {
	ctx, err := configureToken(cfg)
	if err != nil {
		return nil, err
	}
	t := &tokenKeys{ctx: ctx, mac: map[string]*crypto11.SecretKey{}}
	if err := t.create(now); err != nil {
		ctx.Close()
		return nil, fmt.Errorf("box: pkcs11 token %q: %w", cfg.Label, err)
	}
	return t, nil
}

func (t *tokenKeys) create(now time.Time) error {
	if k, err := t.ctx.FindKeyPairs(nil, []byte(tokenRootLabel)); err != nil || len(k) > 0 {
		return errors.New("the token already holds a vendor root; refusing to make another")
	}
	var err error
	if t.root, err = t.ctx.GenerateECDSAKeyPairWithLabel([]byte(tokenRootLabel), []byte(tokenRootLabel), elliptic.P256()); err != nil {
		return fmt.Errorf("root key: %w", err)
	}
	if t.rootCert, err = newRootCert(now, t.root); err != nil {
		return err
	}
	if err := t.ctx.ImportCertificateWithLabel([]byte(tokenRootLabel), []byte(tokenRootLabel), t.rootCert); err != nil {
		return fmt.Errorf("root certificate: %w", err)
	}
	if t.tx, err = t.ctx.GenerateECDSAKeyPairWithLabel([]byte(tokenTxLabel), []byte(tokenTxLabel), elliptic.P256()); err != nil {
		return fmt.Errorf("transaction key: %w", err)
	}
	wrap, err := t.ctx.GenerateSecretKeyWithLabel([]byte(tokenWrapLabel), []byte(tokenWrapLabel), 256, crypto11.CipherAES)
	if err != nil {
		return fmt.Errorf("wrapping key: %w", err)
	}
	if t.wrap, err = wrap.NewGCM(); err != nil {
		return fmt.Errorf("wrapping key: %w", err)
	}
	if t.pepper, err = t.ctx.GenerateSecretKeyWithLabel([]byte(tokenPepperLabel), []byte(tokenPepperLabel), 256, crypto11.CipherGeneric); err != nil {
		return fmt.Errorf("pepper key: %w", err)
	}
	return t.AddMACVersion(now.UTC().Format("2006-01"))
}

func (t *tokenKeys) RootCert() *x509.Certificate { return t.rootCert }
func (t *tokenKeys) RootSigner() crypto.Signer   { return t.root }
func (t *tokenKeys) Close() error                { return t.ctx.Close() }

func (t *tokenKeys) TxPublicKey() *ecdsa.PublicKey {
	pub, _ := t.tx.Public().(*ecdsa.PublicKey)
	return pub
}

// SignTx turns the token's ASN.1 signature into the r||s the transaction
// records carry.
func (t *tokenKeys) SignTx(digest []byte) ([]byte, error) {
	der, err := t.tx.Sign(nil, digest, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("box: sign in token: %w", err)
	}
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &rs); err != nil {
		return nil, fmt.Errorf("box: sign in token: %w", err)
	}
	sig := make([]byte, 64)
	rs.R.FillBytes(sig[:32])
	rs.S.FillBytes(sig[32:])
	return sig, nil
}

// WrapMeterKey seals in the token with AES-GCM; serial and version are the
// AAD, as with the file keystore.
func (t *tokenKeys) WrapMeterKey(serial string, version int, plain []byte) (out []byte, err error) {
	defer func() { // crypto11's Seal reports a token failure by panicking
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("box: wrap in token: %v", r)
		}
	}()
	nonce := randBytes(12)
	return t.wrap.Seal(nonce, nonce, plain, wrapAAD(serial, version)), nil
}

func (t *tokenKeys) UnwrapMeterKey(serial string, version int, wrapped []byte) ([]byte, error) {
	if len(wrapped) < 12+16 {
		return nil, errors.New("wrapped key too short")
	}
	return t.wrap.Open(nil, wrapped[:12], wrapped[12:], wrapAAD(serial, version))
}

func (t *tokenKeys) MACVersions() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Sorted(maps.Keys(t.mac))
}

// RecordMACKey is HMAC(month key, serial), computed by the token.
func (t *tokenKeys) RecordMACKey(version, serial string) ([]byte, error) {
	t.mu.Lock()
	k, ok := t.mac[version]
	t.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("unknown MAC key version %q", version)
	}
	return tokenHMAC(k, []byte("indicia record-mac\x00"+serial))
}

// AddMACVersion makes the month's key as a token object (kept by the token
// itself); a key of that month already in the token, made by another box
// sharing it, is used as it is.
func (t *tokenKeys) AddMACVersion(version string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.mac[version]; ok {
		return nil
	}
	label := []byte(tokenMACPrefix + version)
	found, err := t.ctx.FindKeys(nil, label)
	var k *crypto11.SecretKey
	if err == nil && len(found) > 0 {
		k = found[0]
	} else if err == nil {
		k, err = t.ctx.GenerateSecretKeyWithLabel(label, label, 256, crypto11.CipherGeneric)
	}
	if err != nil {
		return fmt.Errorf("box: pkcs11 token: record-MAC key %s: %w", version, err)
	}
	t.mac[version] = k
	return nil
}

// ExportNewMACVersion makes the month's key in the token and exports
// nothing: the key is non-extractable, so the other members find it in
// their own token, which must hold the same objects (ImportMACVersion).
func (t *tokenKeys) ExportNewMACVersion(version string) ([]byte, error) {
	return nil, t.AddMACVersion(version)
}

// ImportMACVersion finds the month's key another member made: the members'
// tokens are one HSM partition, or an HA group that copies every object to
// each HSM. A token lacking it is refused rather than given a key of its
// own, which would not verify the other members' records.
func (t *tokenKeys) ImportMACVersion(version string, wrapped []byte) error {
	if len(wrapped) > 0 {
		return fmt.Errorf("box: pkcs11 token: record-MAC key %s was exported by a file keystore; a cluster's members use one kind of keystore", version)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.mac[version]; ok {
		return nil
	}
	found, err := t.ctx.FindKeys(nil, []byte(tokenMACPrefix+version))
	if err != nil {
		return fmt.Errorf("box: pkcs11 token: record-MAC key %s: %w", version, err)
	}
	if len(found) == 0 {
		return fmt.Errorf("box: pkcs11 token: holds no record-MAC key %s, which the cluster added: every member's token must hold the same keys (one partition or HA group)", version)
	}
	t.mac[version] = found[0]
	return nil
}

func (t *tokenKeys) Pepper(msg []byte) ([]byte, error) { return tokenHMAC(t.pepper, msg) }

func tokenHMAC(k *crypto11.SecretKey, msg []byte) (out []byte, err error) {
	h, err := k.NewHMAC(pkcs11.CKM_SHA256_HMAC, 32)
	if err != nil {
		return nil, fmt.Errorf("box: HMAC in token: %w", err)
	}
	defer func() { // crypto11's Sum reports a token failure by panicking
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("box: HMAC in token: %v", r)
		}
	}()
	_, werr := h.Write(msg)
	sum := h.Sum(nil) // also hands the session back after a failed write
	if werr != nil {
		return nil, fmt.Errorf("box: HMAC in token: %w", werr)
	}
	return sum, nil
}
