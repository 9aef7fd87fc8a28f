package accounts

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"indicia/apperr"
)

// JobKindLinkEmail sends again a reset or confirmation email whose first
// attempt failed. Its payload (LinkJob) names the user and the kind of link,
// never the link: a job's payload is stored and shown to vendor admins, and
// a link is a credential. The job mints a fresh link when it runs.
const JobKindLinkEmail = "account_link_email"

// LinkJob is the payload of JobKindLinkEmail.
type LinkJob struct {
	UserID  int64  `json:"user_id"`
	Purpose string `json:"purpose"`
}

// LinkRetry stages a JobKindLinkEmail job (app wires it to the job queue).
type LinkRetry func(ctx context.Context, job LinkJob) error

// sendLink mints a one-time link of purpose for u and emails it once
// (Options.LinkMail). When that fails the retry is queued as a LinkJob; the
// link minted here was never delivered and simply expires.
func (s *Service) sendLink(ctx context.Context, u User, purpose string) error {
	if err := s.mailLink(ctx, u, purpose); err != nil {
		if s.opt.LinkRetry == nil {
			slog.ErrorContext(ctx, "accounts: send link email", "user", u.ID, "purpose", purpose, "err", err)
			return nil
		}
		if qerr := s.opt.LinkRetry(context.WithoutCancel(ctx), LinkJob{UserID: u.ID, Purpose: purpose}); qerr != nil {
			return fmt.Errorf("accounts: send %s email: %w (and queueing a retry failed: %v)", purpose, err, qerr)
		}
		slog.WarnContext(ctx, "accounts: link email failed; queued for retry", "user", u.ID, "purpose", purpose, "err", err)
	}
	return nil
}

// SendLinkJob runs a JobKindLinkEmail job: a fresh link, if the user still
// needs one, sent once; an error makes the queue try again later.
func (s *Service) SendLinkJob(ctx context.Context, payload []byte) error {
	var j LinkJob
	if err := json.Unmarshal(payload, &j); err != nil {
		return fmt.Errorf("accounts: link job payload: %w", err)
	}
	u, err := s.User(ctx, j.UserID)
	if apperr.KindOf(err) == apperr.KindNotFound {
		return nil // the user is gone: nothing to send
	}
	if err != nil {
		return err
	}
	if u.Disabled || u.Invited || (j.Purpose == purposeVerify && u.EmailVerified) {
		return nil
	}
	return s.mailLink(ctx, u, j.Purpose)
}

// mailLink mints a link and makes one attempt to email it.
func (s *Service) mailLink(ctx context.Context, u User, purpose string) error {
	mail := s.opt.LinkMail
	if mail == nil {
		mail = s.opt.Mail
	}
	if mail == nil {
		slog.WarnContext(ctx, "accounts: no mailer; link email not sent", "user", u.ID, "purpose", purpose)
		return nil
	}
	var subject, body string
	switch purpose {
	case purposeReset:
		token, err := s.newToken(ctx, s.pool, u.ID, purposeReset, resetTTL)
		if err != nil {
			return err
		}
		subject = "Reset your Indicia password"
		body = fmt.Sprintf("Hello %s,\n\nSomeone (we hope you) asked to reset the password of your Indicia login %s.\n\n"+
			"Choose a new password here (the link works once, for one hour):\n%s/password/reset/%s\n\n"+
			"If it was not you, ignore this email: your password stays as it is.\n", u.Name, u.Email, s.opt.BaseURL, token)
	case purposeVerify:
		token, err := s.newToken(ctx, s.pool, u.ID, purposeVerify, verifyTTL)
		if err != nil {
			return err
		}
		subject = "Confirm your email address for Indicia"
		body = fmt.Sprintf("Hello %s,\n\nConfirm that %s is your email address for Indicia (the link works once, for 7 days):\n%s/verify-email/%s\n\n"+
			"You can buy postage once it is confirmed. If you did not sign up for Indicia, ignore this email.\n", u.Name, u.Email, s.opt.BaseURL, token)
	default:
		return fmt.Errorf("accounts: link email: unknown purpose %q", purpose)
	}
	return mail(ctx, u.Email, subject, body)
}
