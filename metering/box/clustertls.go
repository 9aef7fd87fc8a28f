package box

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/raft"
)

// Peers authenticate each other with mutual TLS. Each box issues itself a
// certificate at start, signed by the vendor root key of the keystore, which
// every member holds and nothing outside the boxes does: a peer that
// presents a chain to the vendor root for a node name proves it holds the
// keystore. The vendor root rather than a second CA: no new key to keep,
// rotate or move into an HSM, and a root kept in a token signs the same way.
// A node certificate is told apart from the meter certificates the same
// root signs by its name (meter serials are upper case and never carry
// nodeNamePrefix) and by its extended key usages, which meter certificates
// lack; both are required, so no meter certificate passes for a box.

const nodeNamePrefix = "indicia-box-node:"

var nodeIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// nodeCertValidity bounds a node certificate; a box issues a new one at
// every start.
const nodeCertValidity = 90 * 24 * time.Hour

// nodeCertificate issues this box's certificate for id under the vendor root.
func nodeCertificate(ops KeyOps, id string, now time.Time) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:   serial,
		Subject:        pkix.Name{CommonName: nodeNamePrefix + id, Organization: []string{"Indicia box cluster"}},
		NotBefore:      now.Add(-time.Hour),
		NotAfter:       now.Add(nodeCertValidity),
		KeyUsage:       x509.KeyUsageDigitalSignature,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		AuthorityKeyId: ops.RootCert().SubjectKeyId,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ops.RootCert(), &key.PublicKey, ops.RootSigner())
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("box: cluster: node certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// peerVerifier checks a peer's certificate chain and the node it names.
type peerVerifier struct {
	roots *x509.CertPool
	cfg   *ClusterConfig
}

// verify checks that state's peer certificate chains to the vendor root as
// a node certificate (usage) and names a member; want, if set, is the
// member expected at that address. It returns the member's id.
func (v *peerVerifier) verify(cs tls.ConnectionState, usage x509.ExtKeyUsage, want string) (string, error) {
	if len(cs.PeerCertificates) == 0 {
		return "", errors.New("box: cluster: peer presented no certificate")
	}
	leaf := cs.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: v.roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{usage}}); err != nil {
		return "", fmt.Errorf("box: cluster: peer certificate: %w", err)
	}
	// An empty extended key usage verifies as "any": a node certificate
	// names both usages explicitly.
	if !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageServerAuth) || !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageClientAuth) {
		return "", errors.New("box: cluster: peer certificate is not a box node certificate")
	}
	id, ok := strings.CutPrefix(leaf.Subject.CommonName, nodeNamePrefix)
	if !ok || !slices.ContainsFunc(v.cfg.Peers, func(p ClusterPeer) bool { return p.ID == id }) {
		return "", fmt.Errorf("box: cluster: peer certificate names %q, not a member", leaf.Subject.CommonName)
	}
	if want != "" && id != want {
		return "", fmt.Errorf("box: cluster: the box at this address is %s, want %s", id, want)
	}
	return id, nil
}

// tlsStream is raft's stream layer over mutual TLS.
type tlsStream struct {
	net.Listener
	advertise net.Addr
	cert      tls.Certificate
	v         *peerVerifier
}

func newTLSStream(ops KeyOps, cfg *ClusterConfig) (*tlsStream, error) {
	cert, err := nodeCertificate(ops, cfg.NodeID, time.Now())
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	roots.AddCert(ops.RootCert())
	v := &peerVerifier{roots: roots, cfg: cfg}
	ln, err := net.Listen("tcp", cfg.PeerAddr)
	if err != nil {
		return nil, fmt.Errorf("box: cluster: listen on %s: %w", cfg.PeerAddr, err)
	}
	adv, err := net.ResolveTCPAddr("tcp", cfg.PeerAddr)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("box: cluster: %s: %w", cfg.PeerAddr, err)
	}
	s := &tlsStream{advertise: adv, cert: cert, v: v}
	s.Listener = tls.NewListener(ln, &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAnyClientCert, // verified below, with the node check
		VerifyConnection: func(cs tls.ConnectionState) error {
			_, err := v.verify(cs, x509.ExtKeyUsageClientAuth, "")
			return err
		},
	})
	return s, nil
}

// Addr is the address the peers reach this box at.
func (s *tlsStream) Addr() net.Addr { return s.advertise }

// Dial connects to the member at address and checks that it is the member
// BOX_PEERS names there.
func (s *tlsStream) Dial(address raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	want, ok := s.v.cfg.peerID(string(address))
	if !ok {
		return nil, fmt.Errorf("box: cluster: %s is not a member's address", address)
	}
	d := &net.Dialer{Timeout: timeout}
	conn, err := tls.DialWithDialer(d, "tcp", string(address), &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{s.cert},
		// The chain and the node name are checked in VerifyConnection:
		// peers are named by node id, not by host name.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			_, err := s.v.verify(cs, x509.ExtKeyUsageServerAuth, want)
			return err
		},
	})
	if err != nil {
		return nil, err
	}
	return conn, nil
}
