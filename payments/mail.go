package payments

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	mail "github.com/wneessen/go-mail"

	"indicia/accounts"
	"indicia/metering"
)

// Mailer sends one plain-text email.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// SMTPMailer sends through an SMTP server with go-mail.
type SMTPMailer struct {
	Addr     string // host:port
	From     string
	Username string
	Password string
	// NoTLS: a local relay or mailpit without STARTTLS.
	NoTLS bool
}

// Send implements Mailer.
func (m SMTPMailer) Send(ctx context.Context, to, subject, body string) error {
	host, port, err := net.SplitHostPort(m.Addr)
	if err != nil {
		return fmt.Errorf("payments: smtp address %q: %w", m.Addr, err)
	}
	p, _ := strconv.Atoi(port)
	opts := []mail.Option{mail.WithPort(p), mail.WithTimeout(10 * time.Second)}
	if m.NoTLS {
		opts = append(opts, mail.WithTLSPortPolicy(mail.NoTLS))
	}
	if m.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(m.Username), mail.WithPassword(m.Password))
	}
	c, err := mail.NewClient(host, opts...)
	if err != nil {
		return fmt.Errorf("payments: smtp client: %w", err)
	}
	msg := mail.NewMsg()
	if err := msg.From(m.From); err != nil {
		return fmt.Errorf("payments: mail from: %w", err)
	}
	if err := msg.To(to); err != nil {
		return fmt.Errorf("payments: mail to: %w", err)
	}
	msg.Subject(subject)
	msg.SetBodyString(mail.TypeTextPlain, body)
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("payments: send mail to %s: %w", to, err)
	}
	return nil
}

func (s *Service) send(ctx context.Context, to, subject, body string) {
	if s.opt.Mailer == nil {
		slog.InfoContext(ctx, "payments: email (no mailer configured)", "to", to, "subject", subject)
		return
	}
	if err := s.opt.Mailer.Send(ctx, to, subject, body); err != nil {
		slog.WarnContext(ctx, "payments: email not sent", "to", to, "subject", subject, "err", err)
	}
}

// notify emails the meter's account owner, at most once per meter, kind and day.
func (s *Service) notify(ctx context.Context, meterID int64, kind, subject, body string) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO payment_notices (meter_id, kind, day) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING`,
		meterID, kind, s.now().Truncate(24*time.Hour))
	if err != nil || tag.RowsAffected() == 0 {
		return
	}
	m, err := metering.MeterStateOf(ctx, s.pool, meterID)
	var to string
	if err == nil {
		to, err = accounts.OwnerEmail(ctx, s.pool, m.AccountID)
	}
	if err == nil && to == "" {
		err = errors.New("the account has no owner")
	}
	if err != nil {
		slog.WarnContext(ctx, "payments: no owner to notify", "meter", meterID, "err", err)
		return
	}
	s.send(ctx, to, fmt.Sprintf("%s: meter %s", subject, m.Serial), body)
}

// lowBalanceCheck emails the owner when a prepaid meter is below its threshold
// (or below $10 without auto-refill) and no refill is on its way.
func (s *Service) lowBalanceCheck(ctx context.Context, meterID int64, f Funding) {
	// In-flight first, balance second: a refill that finishes in between is
	// then in the balance read, so no false alarm.
	var inFlight bool
	s.pool.QueryRow(ctx, `SELECT EXISTS(SELECT 1 FROM charges WHERE meter_id = $1 AND kind = 'refill' AND status IN ('staged','unknown','charged','credited'))`,
		meterID).Scan(&inFlight)
	m, err := s.met.Meter(ctx, systemActor, meterID)
	if err != nil {
		return
	}
	threshold := f.RefillThreshold
	if threshold == 0 {
		threshold = s.opt.MinTopUp
	}
	if m.Record.DR < threshold && !inFlight {
		s.notify(ctx, meterID, "low_balance", "Low postage balance",
			fmt.Sprintf("Meter %s holds %s of postage, below %s. Add funds on the billing page so printing is not interrupted.",
				m.Record.Serial, money(m.Record.DR), money(threshold)))
	}
}

var systemActor = accounts.System
