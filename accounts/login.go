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
		s.recordFailure(ctx, email, in.IP)
		s.recordLogin(ctx, u, email, false, "bad_password", in)
		return User{}, errBadLogin
	case u.Disabled:
		s.recordLogin(ctx, u, email, false, "disabled", in)
		return User{}, apperr.Forbidden("This user has been disabled. Ask your account owner or Indicia support.")
	}
	s.loginSucceeded(ctx, email, in.IP)
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
	// PostgreSQL keeps microseconds: the signed time then equals the stored one.
	now := s.now().Truncate(time.Microsecond)
	insert := func(q db.Querier) (int64, error) {
		var id int64
		err := q.QueryRow(ctx, `INSERT INTO login_history (user_id, account_id, email, success, reason, ip, user_agent, at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id`, uid, aid, email, success, reason, in.IP, ua, now).Scan(&id)
		return id, err
	}
	var brk *chainBreak
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		brk = nil
		id, err := insert(tx)
		if err != nil || s.opt.Signer == nil {
			return err
		}
		brk, err = s.signLogin(ctx, tx, loginPayload{ID: id, UserID: u.ID, Email: email, Success: success, Reason: reason, IP: in.IP, At: now})
		return err
	})
	if err != nil {
		// The box could not sign (a broken link is not such a case: it starts
		// a new segment). The attempt is kept unsigned rather than lost;
		// `indicia audit` lists unsigned records.
		slog.ErrorContext(ctx, "accounts: sign login record; keeping it unsigned", "email", email, "err", err)
		if _, ierr := insert(s.pool); ierr != nil {
			slog.ErrorContext(ctx, "accounts: record login", "email", email, "err", ierr)
		}
		return
	}
	if brk != nil {
		slog.WarnContext(ctx, "accounts: LOGIN CHAIN BROKEN: a new signed segment was started and vendor admins alerted",
			"broken_login_id", brk.loginID, "segment", brk.segment, "reason", brk.reason, "detail", brk.detail)
		if s.opt.OnChainBreak != nil {
			s.opt.OnChainBreak(brk.reason)
		}
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
	// Segment is the chain segment the record belongs to (absent: 1). It is
	// signed so that segments cannot be renumbered without the box.
	Segment int `json:"segment,omitempty"`
	// A segment's first record names the break it follows: the stored record
	// the box refused to chain onto, and that record's stored hash.
	SegmentStart  bool   `json:"segment_start,omitempty"`
	BrokenAfterID int64  `json:"broken_after_id,omitempty"`
	BrokenSegment int    `json:"broken_segment,omitempty"`
	BrokenSeq     int64  `json:"broken_seq,omitempty"`
	BrokenHash    []byte `json:"broken_hash,omitempty"`
}

// chainLock serializes appends to the login-history chain.
const chainLock = 7412

// signLogin appends row p.ID to the login-history chain: the transaction box
// checks the previous record's signature and signs this one. When the box
// refuses the previous record, the row starts a new segment instead, signed
// by the box like any record and naming the break, and an alert is stored in
// the same transaction; the returned break is non-nil then.
func (s *Service) signLogin(ctx context.Context, tx pgx.Tx, p loginPayload) (*chainBreak, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, chainLock); err != nil {
		return nil, fmt.Errorf("lock login chain: %w", err)
	}
	last, found, err := lastLoginRecord(ctx, tx)
	if err != nil {
		return nil, err
	}
	p.Segment = 1
	var prev *box.SignedTx
	if found {
		p.Segment, prev = last.segment, &last.tx
	}
	signed, err := s.sign(ctx, p, prev)
	var brk *chainBreak
	if err != nil && prev != nil && errors.Is(err, box.ErrBadRequest) {
		// The only thing in a login request the box can refuse is the previous record.
		brk = s.diagnose(ctx, last, err)
		p.Segment = last.segment + 1
		p.SegmentStart, p.BrokenAfterID, p.BrokenSegment, p.BrokenSeq, p.BrokenHash = true, last.id, last.segment, last.tx.Seq, last.tx.Hash
		brk.segment = p.Segment
		signed, err = s.sign(ctx, p, nil)
	}
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `UPDATE login_history SET tx_segment=$2, tx_seq=$3, tx_time=$4, tx_payload=$5, tx_prev=$6, tx_hash=$7, tx_sig=$8 WHERE id=$1`,
		p.ID, p.Segment, signed.Seq, signed.Time, signed.Payload, signed.PrevHash, signed.Hash, signed.Signature); err != nil {
		return nil, fmt.Errorf("store signed login record: %w", err)
	}
	if brk != nil {
		if _, err := tx.Exec(ctx, `INSERT INTO login_chain_alerts (broken_login_id, broken_segment, broken_seq, segment_login_id, segment, reason, detail, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, last.id, last.segment, last.tx.Seq, p.ID, p.Segment, brk.reason, brk.detail, s.now()); err != nil {
			return nil, fmt.Errorf("store login chain alert: %w", err)
		}
	}
	return brk, nil
}

func (s *Service) sign(ctx context.Context, p loginPayload, prev *box.SignedTx) (box.SignedTx, error) {
	payload, err := json.Marshal(p)
	if err != nil {
		return box.SignedTx{}, err
	}
	signed, err := s.opt.Signer.SignTransaction(ctx, loginKind, payload, prev)
	if err != nil {
		return box.SignedTx{}, fmt.Errorf("sign login record: %w", err)
	}
	return signed, nil
}

// loginKind is the transaction-box chain of login records.
const loginKind = "login"

// chainRecord is a signed row of the login history.
type chainRecord struct {
	id      int64
	segment int
	tx      box.SignedTx
}

func lastLoginRecord(ctx context.Context, q db.Querier) (chainRecord, bool, error) {
	r := chainRecord{tx: box.SignedTx{Kind: loginKind}}
	err := q.QueryRow(ctx, `SELECT id, tx_segment, tx_seq, tx_time, tx_payload, tx_prev, tx_hash, tx_sig FROM login_history
		WHERE tx_seq IS NOT NULL ORDER BY tx_segment DESC, tx_seq DESC LIMIT 1`).
		Scan(&r.id, &r.segment, &r.tx.Seq, &r.tx.Time, &r.tx.Payload, &r.tx.PrevHash, &r.tx.Hash, &r.tx.Signature)
	switch {
	case err == nil:
		return r, true, nil
	case errors.Is(err, pgx.ErrNoRows):
		return r, false, nil
	default:
		return r, false, fmt.Errorf("load last login record: %w", err)
	}
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
