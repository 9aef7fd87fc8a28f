package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Sessions keeps server-side sessions in Redis. The cookie holds a random ID;
// Redis holds only its hash, so a Redis dump does not hand out live sessions.
// Each user's session hashes are also kept in a set so disabling the user ends
// them all at once. Our own store (not Fiber's) because of that per-user set.
type Sessions struct {
	rdb      *redis.Client
	prefix   string
	idle     time.Duration
	absolute time.Duration
	now      func() time.Time
}

// Session is what the server knows of one login.
type Session struct {
	UserID  int64     `json:"u"`
	CSRF    string    `json:"c"`
	Created time.Time `json:"t"`
}

// ErrNoSession means the cookie names no live session.
var ErrNoSession = errors.New("accounts: no session")

func (s *Sessions) key(hash string) string   { return s.prefix + "sess:" + hash }
func (s *Sessions) userKey(uid int64) string { return fmt.Sprintf("%susess:%d", s.prefix, uid) }
func hashID(id string) string                { h := sha256.Sum256([]byte(id)); return hex.EncodeToString(h[:]) }
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Create starts a new session (always a new ID: no fixation) and returns its cookie value.
func (s *Sessions) Create(ctx context.Context, userID int64) (string, Session, error) {
	id := randomToken(32)
	sess := Session{UserID: userID, CSRF: randomToken(32), Created: s.now()}
	b, _ := json.Marshal(sess)
	h := hashID(id)
	pipe := s.rdb.TxPipeline()
	pipe.Set(ctx, s.key(h), b, s.idle)
	pipe.SAdd(ctx, s.userKey(userID), h)
	pipe.Expire(ctx, s.userKey(userID), s.absolute)
	if _, err := pipe.Exec(ctx); err != nil {
		return "", Session{}, fmt.Errorf("accounts: store session: %w", err)
	}
	return id, sess, nil
}

// Get returns the live session for a cookie value and extends its idle timeout.
func (s *Sessions) Get(ctx context.Context, id string) (Session, error) {
	if id == "" {
		return Session{}, ErrNoSession
	}
	h := hashID(id)
	b, err := s.rdb.GetEx(ctx, s.key(h), s.idle).Bytes()
	if errors.Is(err, redis.Nil) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("accounts: load session: %w", err)
	}
	var sess Session
	if err := json.Unmarshal(b, &sess); err != nil {
		return Session{}, ErrNoSession
	}
	if s.now().Sub(sess.Created) > s.absolute {
		s.rdb.Del(ctx, s.key(h))
		return Session{}, ErrNoSession
	}
	return sess, nil
}

// Delete ends one session.
func (s *Sessions) Delete(ctx context.Context, id string) error {
	h := hashID(id)
	b, err := s.rdb.Get(ctx, s.key(h)).Bytes()
	if err == nil {
		var sess Session
		if json.Unmarshal(b, &sess) == nil {
			s.rdb.SRem(ctx, s.userKey(sess.UserID), h)
		}
	}
	if err := s.rdb.Del(ctx, s.key(h)).Err(); err != nil {
		return fmt.Errorf("accounts: delete session: %w", err)
	}
	return nil
}

// DeleteUser ends every session of a user, except keep (a cookie value) if given.
func (s *Sessions) DeleteUser(ctx context.Context, userID int64, keep string) error {
	hashes, err := s.rdb.SMembers(ctx, s.userKey(userID)).Result()
	if err != nil {
		return fmt.Errorf("accounts: list sessions: %w", err)
	}
	keepHash := ""
	if keep != "" {
		keepHash = hashID(keep)
	}
	var keys []string
	for _, h := range hashes {
		if h != keepHash {
			keys = append(keys, s.key(h))
			s.rdb.SRem(ctx, s.userKey(userID), h)
		}
	}
	if len(keys) > 0 {
		if err := s.rdb.Del(ctx, keys...).Err(); err != nil {
			return fmt.Errorf("accounts: end sessions: %w", err)
		}
	}
	return nil
}
