package reports_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/reports"
)

type sentMail struct {
	mu   sync.Mutex
	sent map[string][]string // address -> subjects
}

func (m *sentMail) send(_ context.Context, to, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sent == nil {
		m.sent = map[string][]string{}
	}
	m.sent[to] = append(m.sent[to], subject+"\n"+body)
	return nil
}

// The month's statement ties to the funding report, lists the card
// charges, is stored once however many workers run it, and is emailed once
// to the owners and to the users who asked for it.
func TestMonthlyStatementStoredOnceAndEmailed(t *testing.T) {
	t.Parallel()
	h := mixedHistory(t)
	ctx := context.Background()
	rep := reports.New(h.pool)
	mk := func(email string, optIn bool) accounts.User {
		u, err := h.acc.CreateUser(ctx, accounts.System, accounts.CreateInput{Email: email, Name: email, Role: "mailer_user",
			AccountID: h.owner.AccountID, Password: "long enough password", Permissions: []string{"export_reports"}})
		if err != nil {
			t.Fatal(err)
		}
		if optIn {
			if err := h.acc.SetStatementEmails(ctx, u, true); err != nil {
				t.Fatal(err)
			}
		}
		return u
	}
	reader := mk("reader@example.com", true)
	mk("quiet@example.com", false)

	mail := &sentMail{}
	month := time.Now().UTC()
	var wg sync.WaitGroup
	made := make([]int, 3)
	for i := range made {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := rep.GenerateStatements(ctx, month, mail.send, "https://indicia.example")
			if err != nil {
				t.Error(err)
			}
			made[i] = n
		}()
	}
	wg.Wait()
	if made[0]+made[1]+made[2] != 1 {
		t.Fatalf("three runs made %v statements, want one in all", made)
	}
	if n, err := rep.GenerateStatements(ctx, month, mail.send, "https://indicia.example"); n != 0 || err != nil {
		t.Errorf("a later run made %d (%v), want none", n, err)
	}
	if len(mail.sent["mae@example.com"]) != 1 || len(mail.sent["reader@example.com"]) != 1 || len(mail.sent["quiet@example.com"]) != 0 || len(mail.sent) != 2 {
		t.Errorf("statement emails: %v; want one each to the owner and the user who asked", mail.sent)
	}
	if body := strings.Join(mail.sent["mae@example.com"], ""); !strings.Contains(body, "https://indicia.example/reports/statements/st_") {
		t.Errorf("the email has no link to the statement: %q", body)
	}

	sts, err := rep.Statements(ctx, reader, 0)
	if err != nil || len(sts) != 1 {
		t.Fatalf("statements: %+v %v", sts, err)
	}
	totals, err := rep.FundingTotals(ctx, h.owner, reports.Filter{From: sts[0].Month, To: sts[0].Month.AddDate(0, 1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	var closing int64
	for _, m := range totals {
		closing += m.Closing
	}
	dr := h.meter(t, h.prepaid.ID).Record.DR + h.meter(t, h.trick.ID).Record.DR
	if sts[0].Opening != 0 || sts[0].Closing != closing || closing != dr {
		t.Errorf("statement opening %d closing %d; funding closes at %d, the meters hold %d", sts[0].Opening, sts[0].Closing, closing, dr)
	}
	_, pdf, err := rep.StatementFile(ctx, h.owner, sts[0].PublicID, "pdf")
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Errorf("statement PDF: %.10q %v", pdf, err)
	}
	_, csvb, err := rep.StatementFile(ctx, h.owner, sts[0].PublicID, "csv")
	if err != nil {
		t.Fatal(err)
	}
	csv := string(csvb)
	for _, want := range []string{"balance,", ",closing," + reports.Dollars(closing), "card_charge,", "topup", "refill", "trickle", "card_refund,", "cost_code,", "Marketing"} {
		if !strings.Contains(csv, want) {
			t.Errorf("statement CSV lacks %q:\n%s", want, csv)
		}
	}
	// Another account's user and a user without Export reports read nothing.
	other, _, err := h.acc.SignUp(ctx, accounts.SignUpInput{Name: "Otto Other", Company: "Other Co", Email: "otto@example.com",
		Password: "long enough password", Address: accounts.Address{Line1: "2 Main St", City: "Stamford", State: "CT", ZIP: "06901"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := rep.StatementFile(ctx, other, sts[0].PublicID, "pdf"); apperr.KindOf(err) != apperr.KindNotFound {
		t.Errorf("another account's owner: %v, want not found", err)
	}
	if list, err := rep.Statements(ctx, other, h.owner.AccountID); err != nil || len(list) != 0 {
		t.Errorf("another account's owner lists %d statements (%v)", len(list), err)
	}
}
