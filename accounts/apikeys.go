package accounts

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/apperr"
)

// APIKey is a stored key; the secret itself is shown once and never stored.
type APIKey struct {
	ID         int64
	Name       string
	Prefix     string
	Scopes     []Permission
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// A key reads "ind_<prefix>_<secret>": the prefix finds the row, the SHA-256
// of the whole key is compared in constant time. Keys are random 256-bit
// values, so a fast hash is enough (unlike passwords).
const keyTag = "ind_"

// CreateAPIKey makes a key for the actor's account with scopes no wider than
// the actor's own rights, and returns the secret once.
func (s *Service) CreateAPIKey(ctx context.Context, actor User, name string, scopes []string) (APIKey, string, error) {
	if !actor.Can(PermManageUsers) && !staffOrAdmin(actor) {
		return APIKey{}, "", apperr.Forbidden("Only the account owner or a user manager creates API keys.")
	}
	f := apperr.Fields{}
	name = strings.TrimSpace(name)
	validateName(f, "name", "a name for the key", name, 60)
	var perms []Permission
	if staffOrAdmin(actor) {
		// An admin or postal staff key acts with its creator's role; mailer scopes mean nothing for it.
		perms = []Permission{}
	} else {
		perms = parsePermissions(f, scopes)
	}
	for _, p := range perms {
		if !actor.Can(p) {
			f["scopes"] = "A key cannot have rights you do not have."
		}
	}
	if err := f.Err(); err != nil {
		return APIKey{}, "", err
	}
	prefix := strings.ToLower(randomToken(6))
	prefix = strings.NewReplacer("-", "x", "_", "y").Replace(prefix)
	secret := keyTag + prefix + "_" + randomToken(32)
	h := sha256.Sum256([]byte(secret))
	k := APIKey{Name: name, Prefix: prefix, Scopes: perms, CreatedAt: s.now()}
	var acct any
	if actor.AccountID != 0 {
		acct = actor.AccountID
	}
	err := s.pool.QueryRow(ctx, `INSERT INTO api_keys (account_id, created_by, name, prefix, hash, scopes, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`, acct, actor.ID, name, prefix, h[:], permStrings(perms), k.CreatedAt).Scan(&k.ID)
	if err != nil {
		return APIKey{}, "", fmt.Errorf("accounts: create API key: %w", err)
	}
	return k, secret, nil
}

// ListAPIKeys lists the keys of the actor's account.
func (s *Service) ListAPIKeys(ctx context.Context, actor User) ([]APIKey, error) {
	if !actor.Can(PermManageUsers) && !staffOrAdmin(actor) {
		return nil, apperr.Forbidden("Only the account owner or a user manager sees API keys.")
	}
	q, arg := `SELECT id, name, prefix, scopes, created_at, last_used_at, revoked_at
		FROM api_keys WHERE account_id = $1 ORDER BY created_at DESC, id DESC`, any(actor.AccountID)
	if staffOrAdmin(actor) {
		q, arg = `SELECT id, name, prefix, scopes, created_at, last_used_at, revoked_at
		FROM api_keys WHERE account_id IS NULL AND created_by = $1 ORDER BY created_at DESC, id DESC`, actor.ID
	}
	rows, err := s.pool.Query(ctx, q, arg)
	if err != nil {
		return nil, fmt.Errorf("accounts: list API keys: %w", err)
	}
	defer rows.Close()
	var out []APIKey
	for rows.Next() {
		var k APIKey
		var scopes []string
		if err := rows.Scan(&k.ID, &k.Name, &k.Prefix, &scopes, &k.CreatedAt, &k.LastUsedAt, &k.RevokedAt); err != nil {
			return nil, fmt.Errorf("accounts: scan API key: %w", err)
		}
		for _, sc := range scopes {
			k.Scopes = append(k.Scopes, Permission(sc))
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeAPIKey stops a key at once, also in the API-key cache of every process.
func (s *Service) RevokeAPIKey(ctx context.Context, actor User, id int64) error {
	if !actor.Can(PermManageUsers) && !staffOrAdmin(actor) {
		return apperr.Forbidden("Only the account owner or a user manager revokes API keys.")
	}
	q, arg := `UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL`, any(actor.AccountID)
	if staffOrAdmin(actor) {
		q, arg = `UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND account_id IS NULL AND created_by = $3 AND revoked_at IS NULL`, actor.ID
	}
	tag, err := s.pool.Exec(ctx, q, s.now(), id, arg)
	if err == nil && tag.RowsAffected() == 0 {
		return apperr.NotFound("No such active API key.")
	}
	// Also after an error: the update may have committed before the connection failed.
	s.invalidateAPIKeys(ctx, fmt.Sprintf("revoke key %d", id))
	if err != nil {
		return fmt.Errorf("accounts: revoke API key: %w", err)
	}
	return nil
}

var errBadKey = apperr.Unauthorized("The API key is missing, malformed, revoked or unknown.")

// AuthenticateAPIKey returns the actor a key acts as: its creator, with rights
// narrowed to the key's scopes. A key of a disabled or deleted creator stops working.
// With Options.APIKeyCacheTTL set, the key row comes from the cache (see apikey_cache.go).
func (s *Service) AuthenticateAPIKey(ctx context.Context, secret string) (User, error) {
	rest, ok := strings.CutPrefix(secret, keyTag)
	if !ok {
		return User{}, errBadKey
	}
	prefix, _, ok := strings.Cut(rest, "_")
	if !ok || prefix == "" {
		return User{}, errBadKey
	}
	now := s.now()
	e, gen := s.apiKeys.get(prefix, now)
	if e == nil {
		var err error
		if e, err = s.lookupAPIKey(ctx, prefix, now); err != nil {
			return User{}, err
		}
		s.apiKeys.put(prefix, e, gen)
	}
	// Checked on every request, cached or not.
	h := sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare(h[:], e.hash) != 1 {
		return User{}, errBadKey
	}
	u := e.user
	u.Permissions = slices.Clone(u.Permissions)
	s.touchAPIKey(ctx, e, now)
	return u, nil
}

// lookupAPIKey loads an active key of an enabled creator, the creator narrowed to the key's scopes.
func (s *Service) lookupAPIKey(ctx context.Context, prefix string, now time.Time) (*apiKeyEntry, error) {
	var hash []byte
	var scopes []string
	var lastUsed *time.Time
	var keyID int64
	// One round trip: the key, its creator and the creator's state.
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumnsU+`, k.id, k.hash, k.scopes, k.last_used_at
		FROM api_keys k JOIN users u ON u.id = k.created_by WHERE k.prefix = $1 AND k.revoked_at IS NULL`, prefix),
		&keyID, &hash, &scopes, &lastUsed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errBadKey
	}
	if err != nil {
		return nil, fmt.Errorf("accounts: look up API key: %w", err)
	}
	if u.Disabled {
		return nil, errBadKey
	}
	if u.Role.IsMailer() {
		var narrowed []Permission
		for _, sc := range scopes {
			if p := Permission(sc); u.Can(p) {
				narrowed = append(narrowed, p)
			}
		}
		u.Role, u.Permissions = RoleUser, narrowed
	}
	e := &apiKeyEntry{user: u, hash: hash, keyID: keyID}
	if s.apiKeys != nil {
		e.expires = now.Add(s.apiKeys.ttl)
	}
	if lastUsed != nil {
		e.lastUsed.Store(lastUsed.UnixNano())
	}
	return e, nil
}

// staffOrAdmin reports a user whose keys belong to no account (account_id
// NULL): vendor admins and postal staff, each seeing only their own keys.
func staffOrAdmin(u User) bool { return u.Role == RoleAdmin || u.Role == RoleStaff }

// HasScope is a convenience for handlers listing a key's scopes.
func (k APIKey) HasScope(p Permission) bool { return slices.Contains(k.Scopes, p) }
