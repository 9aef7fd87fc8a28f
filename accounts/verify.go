package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/apperr"
	"indicia/db"
)

const verifyRefused = "This confirmation link is not valid any more: it was used, it expired (links work for 7 days), or it was mistyped. Log in and ask for a new one."

// VerifyPath is the page that sends a new confirmation link.
const VerifyPath = "/account/verify-email"

// RequireVerifiedEmail refuses a purchase by a mailer whose email address is
// not confirmed yet, saying how to confirm it.
func RequireVerifiedEmail(u User) error {
	if !u.Role.IsMailer() || u.EmailVerified {
		return nil
	}
	e := apperr.Forbidden(fmt.Sprintf("Confirm your email address before your first purchase: open the link we sent to %s, or get a new one at %s. Nothing was charged.", u.Email, VerifyPath))
	e.Code = "email_unverified"
	return e
}

// SendVerification emails the user a link that confirms their address. A
// user may ask a few times an hour.
func (s *Service) SendVerification(ctx context.Context, u User) error {
	if u.EmailVerified {
		return nil
	}
	if err := s.allow(ctx, fmt.Sprintf("verify:%d", u.ID), 5, time.Hour); err != nil {
		return apperr.RateLimited("We already sent several links in the last hour. Check your spam folder, or try again later.")
	}
	return s.sendLink(ctx, u, purposeVerify)
}

// VerifyEmail uses a confirmation link and marks the user's address verified.
func (s *Service) VerifyEmail(ctx context.Context, token string) (User, error) {
	var uid int64
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if uid, err = s.useToken(ctx, tx, token, purposeVerify, verifyRefused); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE users SET email_verified_at = coalesce(email_verified_at, $2), updated_at = $2 WHERE id = $1`, uid, s.now())
		return err
	})
	if err != nil {
		return User{}, err
	}
	// Cached API keys carry their creator, verified or not.
	s.invalidateAPIKeys(ctx, fmt.Sprintf("verify email of user %d", uid))
	return s.User(ctx, uid)
}

// MarkEmailVerified confirms a user's address without a link (the seed's
// demo users, and tests).
func (s *Service) MarkEmailVerified(ctx context.Context, userID int64) error {
	if _, err := s.pool.Exec(ctx, `UPDATE users SET email_verified_at = coalesce(email_verified_at, $2) WHERE id = $1`, userID, s.now()); err != nil {
		return fmt.Errorf("accounts: mark email verified: %w", err)
	}
	s.invalidateAPIKeys(ctx, fmt.Sprintf("verify email of user %d", userID))
	return nil
}
