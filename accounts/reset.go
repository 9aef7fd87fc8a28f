package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/apperr"
	"indicia/db"
)

// Mailer sends one email (the SMTP sender, through app).
type Mailer func(ctx context.Context, to, subject, body string) error

const resetRefused = "This password reset link is not valid any more: it was used, it expired (links work for an hour), or it was mistyped. Ask for a new one."

// RequestPasswordReset emails a one-time reset link to the user with this
// email, if there is one. The answer is the same either way, so the form
// does not tell strangers which addresses have accounts; each address and
// each network may ask a few times an hour.
func (s *Service) RequestPasswordReset(ctx context.Context, email, ip string) error {
	email = normalizeEmail(email)
	f := apperr.Fields{}
	validateEmail(f, "email", email)
	if err := f.Err(); err != nil {
		return err
	}
	if err := s.allow(ctx, "resetip:"+ip, 20, time.Hour); err != nil {
		return apperr.RateLimited("Too many password reset requests from your network. Try again in an hour.")
	}
	if err := s.allow(ctx, "resetemail:"+email, 5, time.Hour); err != nil {
		return nil // the owner already has links on the way; say the same as always
	}
	var stored string
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE lower(email) = $1`, email), &stored)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && (u.Disabled || u.Invited)) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("accounts: reset lookup: %w", err)
	}
	return s.sendLink(ctx, u, purposeReset)
}

// PasswordResetUser checks a reset link without using it (the form page).
func (s *Service) PasswordResetUser(ctx context.Context, token string) (User, error) {
	return s.tokenUser(ctx, token, purposeReset, resetRefused)
}

// ResetPassword sets a new password through a reset link: the link is used
// up, the address counts as verified (the link reached it), every session of
// the user ends and every lockout of the account is lifted.
func (s *Service) ResetPassword(ctx context.Context, token, password string) (User, error) {
	if m := validatePassword(password); m != "" {
		return User{}, apperr.Fields{"password": m}.Err()
	}
	hash, err := s.pw.hash(ctx, password)
	if err != nil {
		return User{}, err
	}
	var uid int64
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if uid, err = s.useToken(ctx, tx, token, purposeReset, resetRefused); err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2, updated_at = $3, email_verified_at = coalesce(email_verified_at, $3)
			WHERE id = $1 AND NOT disabled`, uid, hash, now); err != nil {
			return fmt.Errorf("accounts: reset password: %w", err)
		}
		// Any other reset link sent before this one stops working too.
		_, err = tx.Exec(ctx, `UPDATE account_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`, uid, purposeReset, now)
		return err
	})
	if err != nil {
		return User{}, err
	}
	u, err := s.User(ctx, uid)
	if err != nil {
		return User{}, err
	}
	s.invalidateAPIKeys(ctx, fmt.Sprintf("reset password of user %d", uid))
	if err := s.Sessions.DeleteUser(ctx, uid, ""); err != nil {
		return User{}, err
	}
	s.clearLockouts(ctx, u.Email)
	return u, nil
}

// allow counts an event under key and refuses it past max within window.
func (s *Service) allow(ctx context.Context, key string, max int64, window time.Duration) error {
	k := s.opt.RedisPrefix + "limit:" + key
	n, err := s.rdb.Incr(ctx, k).Result()
	if err != nil {
		return fmt.Errorf("accounts: throttle: %w", err)
	}
	if n == 1 {
		s.rdb.Expire(ctx, k, window)
	}
	if n > max {
		return apperr.RateLimited("Too many requests.")
	}
	return nil
}

// send emails a user; a failure is logged (the links can be asked for again).
func (s *Service) send(ctx context.Context, to, subject, body string) {
	if s.opt.Mail == nil {
		slog.WarnContext(ctx, "accounts: no mailer; email not sent", "to", to, "subject", subject)
		return
	}
	if err := s.opt.Mail(ctx, to, subject, body); err != nil {
		slog.ErrorContext(ctx, "accounts: send email", "to", to, "subject", subject, "err", err)
	}
}

func trimURL(u string) string { return strings.TrimRight(u, "/") }
