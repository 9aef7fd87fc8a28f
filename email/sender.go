package email

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	mail "github.com/wneessen/go-mail"
)

// Message is one plain-text email.
type Message struct {
	To      string
	Subject string
	Text    string
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SMTP sends through one SMTP server.
type SMTP struct {
	host string
	from string
	opts []mail.Option
}

// NewSMTP parses rawURL ("smtp://[user:pass@]host[:port]" or "smtps://...")
// and returns a sender whose messages come from from ("Name <addr>" or addr).
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("email: SMTP_URL %q is not smtp://host:port", rawURL)
	}
	s := &SMTP{host: u.Hostname(), from: from, opts: []mail.Option{mail.WithTimeout(15 * time.Second)}}
	port := 25
	switch u.Scheme {
	case "smtp":
		s.opts = append(s.opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case "smtps":
		port = 465
		s.opts = append(s.opts, mail.WithSSL())
	default:
		return nil, fmt.Errorf("email: SMTP_URL scheme %q: use smtp or smtps", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("email: SMTP_URL port %q: %w", p, err)
		}
	}
	s.opts = append(s.opts, mail.WithPort(port))
	if u.User != nil {
		pw, _ := u.User.Password()
		s.opts = append(s.opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(u.User.Username()), mail.WithPassword(pw))
	}
	return s, nil
}

// Send delivers m, one connection per message (notifications are few).
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := mail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("email: from %q: %w", s.from, err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("email: to %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	c, err := mail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("email: client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("email: send to %s: %w", m.To, err)
	}
	return nil
}

// Func adapts Sender to the notifier shape domain packages take
// (coa.Notifier).
func Func(s Sender) func(ctx context.Context, to, subject, body string) error {
	return func(ctx context.Context, to, subject, body string) error {
		return s.Send(ctx, Message{To: to, Subject: subject, Text: body})
	}
}
