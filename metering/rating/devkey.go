package rating

import (
	"crypto/ecdsa"
	_ "embed"
)

// devPublicPEM is the DEVELOPMENT rate-signing public key, the default trust
// anchor when RATE_TABLE_PUBKEY is not set. Its private half is committed in
// devkey/ so anyone can re-sign tables: it proves integrity against
// accidents, not against an attacker. Production sets RATE_TABLE_PUBKEY.
//
//go:embed devkey/rate-signing-dev.pub.pem
var devPublicPEM []byte

// DevPublicKey returns the embedded development rate-signing public key.
func DevPublicKey() (*ecdsa.PublicKey, error) {
	return ParsePublicKeyPEM(devPublicPEM)
}
