package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"indicia/email/smtptest"
)

// runMailCatcher is the development mail catcher of `make run`: it accepts
// every message on a loopback SMTP port and writes it to a .eml file.
func runMailCatcher(args []string) error {
	fs := flags("mailcatcher", "Development mail catcher: accept SMTP on --addr and write each message to --dir as an .eml file.")
	addr := fs.String("addr", "127.0.0.1:1025", "SMTP address to listen on (loopback only)")
	dir := fs.String("dir", "./var/mail", "where messages are written")
	if done, err := parse(fs, args); done {
		return err
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	n := 0
	srv, err := smtptest.Listen(*addr, func(m smtptest.Mail) {
		n++
		name := filepath.Join(*dir, fmt.Sprintf("%s-%04d.eml", time.Now().UTC().Format("20060102T150405"), n))
		if err := os.WriteFile(name, []byte(m.Data), 0o600); err != nil {
			slog.Error("mailcatcher: write", "err", err)
			return
		}
		subject := ""
		for _, l := range strings.Split(m.Data, "\n") {
			if strings.HasPrefix(strings.ToLower(l), "subject:") {
				subject = strings.TrimSpace(l[len("subject:"):])
				break
			}
		}
		slog.Info("mail caught", "to", strings.Join(m.To, ", "), "subject", subject, "file", name)
	})
	if err != nil {
		return fmt.Errorf("mailcatcher: %w", err)
	}
	slog.Info("mail catcher listening", "addr", *addr, "dir", *dir)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return srv.Close()
}
