// Package smtptest is an in-process SMTP server that keeps every message it
// receives, for tests of code that sends email. It speaks just enough SMTP
// (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; no TLS, no AUTH) for
// net/smtp and go-mail clients.
package smtptest

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// Mail is one received message.
type Mail struct {
	From string
	To   []string
	Data string // headers and body as sent (dot-unstuffed)
}

// Server is a running capture server.
type Server struct {
	ln     net.Listener
	mu     sync.Mutex
	msgs   []Mail
	wg     sync.WaitGroup
	onMail func(Mail)
}

// Listen serves on addr until Close, calling onMail (if not nil) for each
// message; `indicia mailcatcher` uses it as the mail catcher of `make run`.
func Listen(addr string, onMail func(Mail)) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, onMail: onMail}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Close stops the server and waits for its connections to end.
func (s *Server) Close() error {
	err := s.ln.Close()
	s.wg.Wait()
	return err
}

// Start listens on a loopback port until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{ln: ln}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

// URL is the SMTP_URL of the server.
func (s *Server) URL() string { return "smtp://" + s.ln.Addr().String() }

// Messages returns the messages received so far.
func (s *Server) Messages() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.msgs...)
}

// Wait returns once n messages arrived or the timeout passed.
func (s *Server) Wait(n int, timeout time.Duration) []Mail {
	end := time.Now().Add(timeout)
	for {
		m := s.Messages()
		if len(m) >= n || time.Now().After(end) {
			return m
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.serve(c) }()
	}
}

func (s *Server) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	say := func(line string) { w.WriteString(line + "\r\n"); w.Flush() }
	say("220 smtptest ready")
	var cur Mail
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		cmd := strings.ToUpper(line)
		switch {
		case strings.HasPrefix(cmd, "EHLO"):
			w.WriteString("250-smtptest\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n")
			say("250 OK")
		case strings.HasPrefix(cmd, "HELO"):
			say("250 smtptest")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			cur = Mail{From: addr(line[len("MAIL FROM:"):])}
			say("250 OK")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			cur.To = append(cur.To, addr(line[len("RCPT TO:"):]))
			say("250 OK")
		case cmd == "DATA":
			say("354 end with <CRLF>.<CRLF>")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if strings.TrimRight(l, "\r\n") == "." {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			cur.Data = b.String()
			s.mu.Lock()
			if s.onMail != nil {
				s.onMail(cur)
			} else {
				s.msgs = append(s.msgs, cur)
			}
			s.mu.Unlock()
			say("250 OK queued")
		case cmd == "RSET":
			cur = Mail{}
			say("250 OK")
		case cmd == "NOOP":
			say("250 OK")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}

func addr(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, ' '); i > 0 {
		s = s[:i]
	}
	return strings.Trim(s, "<>")
}
