package payments_test

import (
	"bufio"
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"

	"indicia/metering"
	"indicia/payments"
)

// smtpSink is a minimal SMTP server that keeps each message it receives.
func smtpSink(t *testing.T) (string, chan string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got := make(chan string, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				r := bufio.NewReader(c)
				say := func(s string) { c.Write([]byte(s + "\r\n")) }
				say("220 sink ESMTP")
				var msg strings.Builder
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					cmd := strings.ToUpper(strings.TrimSpace(line))
					switch {
					case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
						say("250 sink")
					case cmd == "DATA":
						say("354 go ahead")
						for {
							l, err := r.ReadString('\n')
							if err != nil {
								return
							}
							if l == ".\r\n" {
								break
							}
							msg.WriteString(l)
						}
						got <- msg.String()
						say("250 queued")
					case cmd == "QUIT":
						say("221 bye")
						return
					default:
						say("250 ok")
					}
				}
			}(c)
		}
	}()
	return ln.Addr().String(), got
}

func TestLowBalanceEmailOverSMTP(t *testing.T) {
	t.Parallel()
	addr, got := smtpSink(t)
	e := setup(t, 12_00, payments.Options{Mailer: payments.SMTPMailer{Addr: addr, From: "billing@indicia.test", NoTLS: true}})
	ctx := context.Background()
	if _, err := e.pay.Buy(ctx, e.owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(5_00)}}); err != nil {
		t.Fatal(err)
	}
	// Buy runs the refill/low-balance check after the purchase; wait for its email.
	msg := <-got
	if !strings.Contains(msg, "To: <mae@example.com>") || !strings.Contains(msg, "Low postage balance") || !strings.Contains(msg, "$7.00") {
		t.Fatalf("email:\n%s\nwant a low-balance email to the owner naming $7.00", msg)
	}
}

func TestReceiptPDF(t *testing.T) {
	t.Parallel()
	e := setup(t, 0, payments.Options{FeePerPiece: 5})
	e.card("pm_card_visa")
	e.trickle()
	c, _, err := e.pay.BuyTrickle(context.Background(), e.owner, metering.PurchaseRequest{MeterID: e.meter.ID, Pieces: []metering.PieceRequest{piece(78)}})
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := payments.ReceiptPDF(c, "Mae Co", e.meter.Record.Serial)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatal("not a PDF")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	f := t.TempDir() + "/r.pdf"
	if err := writeFile(f, pdf); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{c.PublicID, "Postage", "$0.78", "$0.05", "$0.83", "visa ending 4242"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("receipt text lacks %q:\n%s", want, out)
		}
	}
}
