package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/apperr"
	"indicia/db"
)

// Purposes of a one-time link.
const (
	purposeReset  = "password_reset"
	purposeVerify = "verify_email"
)

// How long a link works: a reset is short-lived (it is a login), a
// verification may wait in an inbox for days.
const (
	resetTTL  = time.Hour
	verifyTTL = 7 * 24 * time.Hour
)

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// newToken stores a one-time link for a user and returns the token; only its
// hash is stored.
func (s *Service) newToken(ctx context.Context, q db.Querier, userID int64, purpose string, ttl time.Duration) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("accounts: token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	if _, err := q.Exec(ctx, `INSERT INTO account_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES ($1,$2,$3,$4,$5)`,
		hashToken(token), userID, purpose, now, now.Add(ttl)); err != nil {
		return "", fmt.Errorf("accounts: store %s token: %w", purpose, err)
	}
	return token, nil
}

// useToken marks a live token used in tx and returns its user; an unknown,
// expired or used token is refused with the same message.
func (s *Service) useToken(ctx context.Context, tx pgx.Tx, token, purpose, refused string) (int64, error) {
	var uid int64
	err := tx.QueryRow(ctx, `UPDATE account_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
		RETURNING user_id`, hashToken(token), purpose, s.now()).Scan(&uid)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, apperr.NotFound(refused)
	}
	if err != nil {
		return 0, fmt.Errorf("accounts: use %s token: %w", purpose, err)
	}
	return uid, nil
}

// tokenUser checks a link without using it (the page that shows the form).
func (s *Service) tokenUser(ctx context.Context, token, purpose, refused string) (User, error) {
	var uid int64
	err := s.pool.QueryRow(ctx, `SELECT user_id FROM account_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3`,
		hashToken(token), purpose, s.now()).Scan(&uid)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, apperr.NotFound(refused)
	}
	if err != nil {
		return User{}, fmt.Errorf("accounts: check %s token: %w", purpose, err)
	}
	return s.User(ctx, uid)
}
