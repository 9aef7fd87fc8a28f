package box

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
)

// serve and worker on a host without a box reach one over mutual TLS, the
// authenticated alternative to the local unix socket: the box listens on
// BOX_CLIENT_ADDR with its node certificate, and a client presents a client
// certificate the vendor root signed (`indicia keys issue-client`), its key
// made beside the keystore and copied to the client's host as a secret. The
// certificate stands in for the unix socket's peer uid: the box serves a
// chain to its own vendor root naming a client (clientNamePrefix) for the
// client usage, and nothing else. The client checks that the box's chain
// leads to the vendor root (BOX_TLS_ROOT, the public certificate) and is a
// box node certificate. A client address is "tls://host:port" in
// BOX_SOCKET, beside or instead of socket paths.

const (
	clientNamePrefix = "indicia-box-client:"
	// TLSPrefix marks a box address reached over mutual TLS in BOX_SOCKET.
	TLSPrefix = "tls://"
)

var clientNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{0,62}$`)

// IssueClientCertificate makes a key pair and a certificate for a client
// named name (a host or service, "serve-a"), signed by the vendor root, for
// the client usage only; both PEM.
func IssueClientCertificate(ops KeyOps, name string, now time.Time, validity time.Duration) (certPEM, keyPEM []byte, err error) {
	if !clientNameRE.MatchString(name) {
		return nil, nil, fmt.Errorf("box: client name %q: want 1-63 of a-z, 0-9, . and -", name)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:   serial,
		Subject:        pkix.Name{CommonName: clientNamePrefix + name, Organization: []string{"Indicia box client"}},
		NotBefore:      now.Add(-time.Hour),
		NotAfter:       now.Add(validity),
		KeyUsage:       x509.KeyUsageDigitalSignature,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		AuthorityKeyId: ops.RootCert().SubjectKeyId,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ops.RootCert(), &key.PublicKey, ops.RootSigner())
	if err != nil {
		return nil, nil, fmt.Errorf("box: client certificate: %w", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), nil
}

// verifyChain checks that the leaf chains to roots for usage and carries
// exactly the usages want (an empty list would verify as "any").
func verifyChain(roots *x509.CertPool, cs tls.ConnectionState, usage x509.ExtKeyUsage, want ...x509.ExtKeyUsage) (*x509.Certificate, error) {
	if len(cs.PeerCertificates) == 0 {
		return nil, errors.New("no certificate presented")
	}
	leaf := cs.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{usage}}); err != nil {
		return nil, err
	}
	if !slices.Equal(leaf.ExtKeyUsage, want) {
		return nil, fmt.Errorf("certificate %q has the wrong usages", leaf.Subject.CommonName)
	}
	return leaf, nil
}

// clientListenerConfig is the box's side: its node certificate, and a
// client certificate from its own vendor root required of every client.
func clientListenerConfig(ops KeyOps, nodeID string) (*tls.Config, error) {
	cert, err := nodeCertificate(ops, nodeID, time.Now())
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	roots.AddCert(ops.RootCert())
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAnyClientCert, // verified below, with the name
		VerifyConnection: func(cs tls.ConnectionState) error {
			leaf, err := verifyChain(roots, cs, x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageClientAuth)
			if err != nil {
				return fmt.Errorf("box: client certificate refused: %w", err)
			}
			if !strings.HasPrefix(leaf.Subject.CommonName, clientNamePrefix) {
				return fmt.Errorf("box: client certificate refused: %q is not a box client", leaf.Subject.CommonName)
			}
			return nil
		},
	}, nil
}

// ClientTLS are the files a client reaching a box over TLS presents and
// trusts: BOX_TLS_CERT and BOX_TLS_KEY (from `indicia keys issue-client`)
// and BOX_TLS_ROOT (the vendor root certificate, `indicia keys
// export-public`).
type ClientTLS struct {
	CertFile, KeyFile, RootFile string
}

// ClientTLSFromEnv reads BOX_TLS_CERT, BOX_TLS_KEY and BOX_TLS_ROOT; nil
// when none is set.
func ClientTLSFromEnv(getenv func(string) string) (*ClientTLS, error) {
	ct := &ClientTLS{CertFile: getenv("BOX_TLS_CERT"), KeyFile: getenv("BOX_TLS_KEY"), RootFile: getenv("BOX_TLS_ROOT")}
	if *ct == (ClientTLS{}) {
		return nil, nil
	}
	if ct.CertFile == "" || ct.KeyFile == "" || ct.RootFile == "" {
		return nil, errors.New("box: BOX_TLS_CERT, BOX_TLS_KEY and BOX_TLS_ROOT go together")
	}
	return ct, nil
}

// config loads the files into the client's TLS configuration.
func (ct *ClientTLS) config() (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(ct.CertFile, ct.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("box: BOX_TLS_CERT/BOX_TLS_KEY: %w", err)
	}
	rootPEM, err := os.ReadFile(ct.RootFile)
	if err != nil {
		return nil, fmt.Errorf("box: BOX_TLS_ROOT: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(rootPEM) {
		return nil, fmt.Errorf("box: BOX_TLS_ROOT %s: no certificate", ct.RootFile)
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		// Boxes are named by node id, not host name: the chain and the
		// node name are checked here instead.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			leaf, err := verifyChain(roots, cs, x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth)
			if err != nil {
				return fmt.Errorf("box: the box's certificate: %w", err)
			}
			if !strings.HasPrefix(leaf.Subject.CommonName, nodeNamePrefix) {
				return fmt.Errorf("box: the box's certificate names %q, not a box", leaf.Subject.CommonName)
			}
			return nil
		},
	}, nil
}
