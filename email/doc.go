// Package email sends plain-text notifications (change-of-address matches,
// and later payment receipts) over SMTP. Sender is the small interface
// callers keep; SMTP implements it with github.com/wneessen/go-mail, configured
// by SMTP_URL (smtp:// with opportunistic STARTTLS, smtps:// for implicit
// TLS, user:password@ for AUTH) and MAIL_FROM. `make run` and the tests point
// it at a local catcher (mailpit, or smtptest's in-process server).
package email
