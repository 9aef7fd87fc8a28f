package accounts

import (
	"encoding/json"
	"time"

	"context"
	"errors"
	"fmt"
	"indicia/db"
	"indicia/metering/box"
	"log/slog"

	"github.com/jackc/pgx/v5"

	"indicia/apperr"
)

// LoginAttempt is one submitted login.
type LoginAttempt struct {
	Email, Password, IP, UserAgent string
}

var errBadLogin = apperr.Unauthorized("That email and password do not match an account. Check them and try again.")

// Login checks a password with throttling, records the attempt in the login
// history, and returns the user. It does not create the session: the caller
// does, so that every login gets a fresh session ID.
func (s *Service) Login(ctx context.Context, in LoginAttempt) (User, error) {
	email := normalizeEmail(in.Email)
	if email == "" || in.Password == "" {
		return User{}, apperr.Fields{"email": "Enter your email and password."}.Err()
	}
	var stored string
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE lower(email) = $1`, email), &stored)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return User{}, fmt.Errorf("accounts: login lookup: %w", err)
	}
	// Throttle after the lookup so a refused attempt still shows in its owner's history.
	if err := s.checkThrottle(ctx, email, in.IP); err != nil {
		s.recordLogin(ctx, u, email, false, "throttled", in)
		return User{}, err
	}
	ok, verr := s.pw.verify(ctx, in.Password, stored)
	if verr != nil {
		return User{}, verr
	}
	switch {
	case !ok:
		s.recordFailure(ctx, email)
		s.recordLogin(ctx, u, email, false, "bad_password", in)
		return User{}, errBadLogin
	case u.Disabled:
		s.recordLogin(ctx, u, email, false, "disabled", in)
		return User{}, apperr.Forbidden("This user has been disabled. Ask your account owner or Indicia support.")
	}
	s.clearFailures(ctx, email)
	s.recordLogin(ctx, u, email, true, "", in)
	return u, nil
}

func (s *Service) recordLogin(ctx context.Context, u User, email string, success bool, reason string, in LoginAttempt) {
	var uid, aid any
	if u.ID != 0 {
		uid = u.ID
	}
	if u.AccountID != 0 {
		aid = u.AccountID
	}
	ua := in.UserAgent
	if len(ua) > 300 {
		ua = ua[:300]
	}
	now := s.now()
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO login_history (user_id, account_id, email, success, reason, ip, user_agent, at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id`, uid, aid, email, success, reason, in.IP, ua, now).Scan(&id); err != nil {
			return err
		}
		if s.opt.Signer == nil {
			return nil
		}
		return s.signLogin(ctx, tx, id, loginPayload{ID: id, UserID: u.ID, Email: email, Success: success, Reason: reason, IP: in.IP, At: now})
	})
	if err != nil {
		// A lost history row must not stop a login; it is logged for the operator.
		slog.ErrorContext(ctx, "accounts: record login", "email", email, "err", err)
	}
}

type loginPayload struct {
	ID      int64     `json:"id"`
	UserID  int64     `json:"user_id,omitempty"`
	Email   string    `json:"email"`
	Success bool      `json:"success"`
	Reason  string    `json:"reason,omitempty"`
	IP      string    `json:"ip"`
	At      time.Time `json:"at"`
}

// signLogin appends the row to the login-history chain: the transaction box
// checks the previous record's signature and signs this one.
func (s *Service) signLogin(ctx context.Context, tx pgx.Tx, id int64, p loginPayload) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7412)`); err != nil {
		return err
	}
	var prev *box.SignedTx
	var last box.SignedTx
	err := tx.QueryRow(ctx, `SELECT tx_seq, tx_time, tx_payload, tx_prev, tx_hash, tx_sig FROM login_history
		WHERE tx_seq IS NOT NULL ORDER BY tx_seq DESC LIMIT 1`).Scan(&last.Seq, &last.Time, &last.Payload, &last.PrevHash, &last.Hash, &last.Signature)
	switch {
	case err == nil:
		last.Kind = "login"
		prev = &last
	case !errors.Is(err, pgx.ErrNoRows):
		return err
	}
	payload, _ := json.Marshal(p)
	signed, err := s.opt.Signer.SignTransaction(ctx, "login", payload, prev)
	if err != nil {
		return fmt.Errorf("sign login record: %w", err)
	}
	_, err = tx.Exec(ctx, `UPDATE login_history SET tx_seq=$2, tx_time=$3, tx_payload=$4, tx_prev=$5, tx_hash=$6, tx_sig=$7 WHERE id=$1`,
		id, signed.Seq, signed.Time, signed.Payload, signed.PrevHash, signed.Hash, signed.Signature)
	return err
}

// ChangePassword replaces the actor's password after checking the current one,
// and ends the actor's other sessions (keep is the current session's cookie value).
func (s *Service) ChangePassword(ctx context.Context, actor User, current, next, keep string) error {
	var stored string
	if err := s.pool.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = $1`, actor.ID).Scan(&stored); err != nil {
		return fmt.Errorf("accounts: load password: %w", err)
	}
	ok, err := s.pw.verify(ctx, current, stored)
	if err != nil {
		return err
	}
	f := apperr.Fields{}
	if !ok {
		f["current_password"] = "That is not your current password."
	}
	if m := validatePassword(next); m != "" {
		f["new_password"] = m
	}
	if err := f.Err(); err != nil {
		return err
	}
	hash, err := s.pw.hash(ctx, next)
	if err != nil {
		return err
	}
	if _, err := s.pool.Exec(ctx, `UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3`, hash, s.now(), actor.ID); err != nil {
		return fmt.Errorf("accounts: change password: %w", err)
	}
	return s.Sessions.DeleteUser(ctx, actor.ID, keep)
}

// LoginRecord is one row of the login history.
type LoginRecord struct {
	Email, Reason, IP, UserAgent string
	Success                      bool
	At                           string
	UserName                     string
}

// LoginHistory lists recent attempts: an owner (or a user allowed to manage
// users) sees their account's, a vendor admin sees everyone's, anyone else only their own.
func (s *Service) LoginHistory(ctx context.Context, actor User, limit int) ([]LoginRecord, error) {
	q := `SELECT h.email, h.reason, h.ip, h.user_agent, h.success, to_char(h.at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"'), COALESCE(u.name, '')
		FROM login_history h LEFT JOIN users u ON u.id = h.user_id `
	var args []any
	switch {
	case actor.Role == RoleAdmin:
		q += `ORDER BY h.at DESC, h.id DESC LIMIT $1`
		args = []any{limit}
	case actor.Can(PermManageUsers):
		q += `WHERE h.account_id = $1 ORDER BY h.at DESC, h.id DESC LIMIT $2`
		args = []any{actor.AccountID, limit}
	default:
		q += `WHERE h.user_id = $1 ORDER BY h.at DESC, h.id DESC LIMIT $2`
		args = []any{actor.ID, limit}
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("accounts: login history: %w", err)
	}
	defer rows.Close()
	var out []LoginRecord
	for rows.Next() {
		var r LoginRecord
		if err := rows.Scan(&r.Email, &r.Reason, &r.IP, &r.UserAgent, &r.Success, &r.At, &r.UserName); err != nil {
			return nil, fmt.Errorf("accounts: scan login history: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
