package reports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db/dbtest"
	"indicia/internal/csvsafe"
	"indicia/metering"
	"indicia/metering/meteringtest"
	"indicia/payments"
	"indicia/payments/stripestub"
	"indicia/reports"
)

// history is an account with two meters and a mixed history: an admin
// credit, a card top-up, prepaid purchases, an auto-refill, a mailer's void
// credited back to the meter, trickle purchases, a trickle void refunded to
// the card, and an unused label submitted for refund.
type history struct {
	pool           *pgxpool.Pool
	acc            *accounts.Service
	met            *metering.Service
	pay            *payments.Service
	owner          accounts.User
	prepaid, trick metering.Meter
	labels         []string // every label, in purchase order
	costCodeID     int64
}

func mixedHistory(t *testing.T) *history {
	t.Helper()
	ctx := context.Background()
	h := &history{pool: dbtest.New(t)}
	rdb, prefix := dbtest.Redis(t)
	var err error
	if h.acc, err = accounts.New(h.pool, rdb, accounts.Options{RedisPrefix: prefix}); err != nil {
		t.Fatal(err)
	}
	var acct accounts.Account
	h.owner, acct, err = h.acc.SignUp(ctx, accounts.SignUpInput{Name: "Mae Mailer", Company: "Mae Co", Email: "mae@example.com",
		Password: "long enough password", Address: accounts.Address{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06901"}})
	if err != nil {
		t.Fatal(err)
	}
	bx := meteringtest.Start(t)
	h.met = metering.New(h.pool, bx.Client, metering.Options{})
	stub := stripestub.New(stripestub.Options{})
	srv := httptest.NewServer(stub)
	t.Cleanup(srv.Close)
	h.pay = payments.New(h.pool, payments.NewStripe(payments.StripeConfig{SecretKey: "sk_test_stub", WebhookSecret: "whsec_x", APIURL: srv.URL}),
		h.met, payments.Options{FeePerPiece: 5})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	h.prepaid, err = h.met.Provision(ctx, acct.ID, acct.OriginZIP)
	must(err)
	h.trick, err = h.met.Provision(ctx, acct.ID, acct.OriginZIP)
	must(err)
	_, err = h.met.Credit(ctx, accounts.System, h.prepaid.ID, 100_00, metering.CreditAdmin, "")
	must(err)
	_, err = h.pay.SaveCard(ctx, h.owner, "pm_card_visa")
	must(err)
	_, err = h.pay.TopUp(ctx, h.owner, h.prepaid.ID, 25_00, "topup-1")
	must(err)
	buy := func(m metering.Meter, postages ...int64) {
		t.Helper()
		req := metering.PurchaseRequest{MeterID: m.ID}
		for _, p := range postages {
			req.Pieces = append(req.Pieces, metering.PieceRequest{Postage: p, DestZIP: "90210", MailClass: "FCM_LETTER",
				Recipient: metering.Recipient{Name: "Ann Lee", Lines: []string{"9 ELM ST", "BEVERLY HILLS CA 90210"}, Standardized: "9 ELM ST|90210"}})
		}
		p, err := h.pay.Buy(ctx, h.owner, req)
		must(err)
		for _, l := range p.Labels {
			h.labels = append(h.labels, l.PublicID)
		}
	}
	// $125.00 in; one $116.00 piece leaves $9.00, under the refill threshold.
	buy(h.prepaid, 116_00)
	must(h.pay.SetFunding(ctx, h.owner, payments.Funding{MeterID: h.prepaid.ID, Mode: payments.ModePrepaid,
		RefillAmount: 50_00, RefillThreshold: 10_00, RefillDailyCap: 100_00}))
	fired, err := h.pay.MaybeRefill(ctx, h.prepaid.ID)
	must(err)
	if !fired {
		// The purchase's own after-purchase check runs in the background and
		// may have seen the new settings first: then its refill is the one.
		deadline := time.Now().Add(30 * time.Second)
		for h.meter(t, h.prepaid.ID).Record.DR < 10_00 {
			if time.Now().After(deadline) {
				t.Fatal("auto-refill: no refill reached the meter")
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	buy(h.prepaid, 78, 78, 78)
	_, err = h.met.Void(ctx, h.owner, h.labels[2])
	must(err)
	must(h.pay.SetFunding(ctx, h.owner, payments.Funding{MeterID: h.trick.ID, Mode: payments.ModeTrickle}))
	buy(h.trick, 63, 63)
	v, err := h.met.Void(ctx, h.owner, h.labels[5])
	must(err)
	if !v.ToCard {
		t.Fatalf("the trickle label's void went to %+v, want the card", v)
	}
	// The oldest issued, unscanned label (the $116.00 piece) is submitted for refund.
	run, err := h.met.SubmitRefunds(ctx, -72*time.Hour, 1, nil)
	must(err)
	if run.Submitted != 1 {
		t.Fatalf("refund run %+v, want one label", run)
	}
	// One piece carries a cost code.
	must(h.pool.QueryRow(ctx, `INSERT INTO cost_codes (account_id, name, code, created_at) VALUES ($1, 'Marketing', 'MKT', now()) RETURNING id`,
		acct.ID).Scan(&h.costCodeID))
	_, err = h.pool.Exec(ctx, `UPDATE indicia SET cost_code_id = $1 WHERE public_id = $2`, h.costCodeID, h.labels[1])
	must(err)
	// The piece was changed past the purchase path: sum the rollup again.
	must(metering.RebuildSpendRollup(ctx, h.pool))
	return h
}

func (h *history) meter(t *testing.T, id int64) metering.Meter {
	t.Helper()
	m, err := h.met.Meter(context.Background(), accounts.System, id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (h *history) ledger(t *testing.T, account string) int64 {
	t.Helper()
	var b int64
	if err := h.pool.QueryRow(context.Background(), `SELECT coalesce(sum(amount), 0)::bigint FROM ledger_entries WHERE account = $1`, account).Scan(&b); err != nil {
		t.Fatal(err)
	}
	return b
}

func period() reports.Filter {
	today := time.Now().UTC().Truncate(24 * time.Hour)
	return reports.Filter{From: today.AddDate(0, 0, -1), To: today.AddDate(0, 0, 2)}
}

// Every report ties out to the meters' registers and to the ledger after
// a mixed history.
func TestReportsTieOutToRegistersAndLedger(t *testing.T) {
	t.Parallel()
	h := mixedHistory(t)
	ctx := context.Background()
	rep := reports.New(h.pool)
	f := period()
	// A refund made in Stripe's dashboard takes $10.00 back out of the
	// prepaid meter.
	if _, err := h.met.Debit(ctx, accounts.System, h.prepaid.ID, 10_00, metering.DebitOutsideRefund, "re_outside_tieout"); err != nil {
		t.Fatal(err)
	}

	// Funding: each meter's closing balance is its descending register and
	// its ledger balance; what was credited is AR + DR.
	totals, err := rep.FundingTotals(ctx, h.owner, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(totals) != 2 {
		t.Fatalf("funding for %d meters, want 2", len(totals))
	}
	var dispensed int64
	for _, mf := range totals {
		var m metering.Meter
		for _, id := range []int64{h.prepaid.ID, h.trick.ID} {
			if x := h.meter(t, id); x.Record.Serial == mf.Serial {
				m = x
			}
		}
		if mf.Opening != 0 || mf.Closing != m.Record.DR || mf.Closing != h.ledger(t, "meter:"+itoa(m.ID)) {
			t.Errorf("meter %s: opening %d closing %d, DR %d, ledger %d", mf.Serial, mf.Opening, mf.Closing, m.Record.DR, h.ledger(t, "meter:"+itoa(m.ID)))
		}
		if mf.Credited() != m.Record.AR+m.Record.DR {
			t.Errorf("meter %s: credited %d, AR + DR = %d", mf.Serial, mf.Credited(), m.Record.AR+m.Record.DR)
		}
		if -mf.ByKind[reports.FundPurchase] != m.Record.AR {
			t.Errorf("meter %s: purchases %d, AR %d", mf.Serial, mf.ByKind[reports.FundPurchase], m.Record.AR)
		}
		dispensed -= mf.ByKind[reports.FundPurchase]
	}
	pre := totals[0]
	if pre.Serial != h.prepaid.Record.Serial {
		pre = totals[1]
	}
	want := map[string]int64{reports.FundAdminCredit: 100_00, reports.FundTopUp: 25_00, reports.FundAutoRefill: 50_00,
		reports.FundVoidRefund: 116_00 + 78, reports.FundTakenBack: -10_00, reports.FundPurchase: -(116_00 + 3*78)}
	for k, v := range want {
		if pre.ByKind[k] != v {
			t.Errorf("prepaid meter %s: %d, want %d (all: %v)", k, pre.ByKind[k], v, pre.ByKind)
		}
	}

	// The funding rows run each meter's balance from the opening to the
	// closing balance, and paging gives the same rows as the download.
	var streamed []reports.FundingRow
	if err := rep.StreamFunding(ctx, h.owner, f, func(r reports.FundingRow) error { streamed = append(streamed, r); return nil }); err != nil {
		t.Fatal(err)
	}
	last := map[string]int64{}
	takenBack := 0
	for _, r := range streamed {
		last[r.MeterSerial] = r.Balance
		if r.Kind == reports.FundTakenBack && r.Amount == -10_00 && r.MeterSerial == h.prepaid.Record.Serial {
			takenBack++
		}
	}
	if takenBack != 1 {
		t.Errorf("%d funding rows take the outside refund back, want 1", takenBack)
	}
	for _, mf := range totals {
		if last[mf.Serial] != mf.Closing {
			t.Errorf("meter %s: last running balance %d, closing %d", mf.Serial, last[mf.Serial], mf.Closing)
		}
	}
	var paged []reports.FundingRow
	for c := (reports.Cursor{}); ; {
		rows, next, err := rep.Funding(ctx, h.owner, f, c, 3)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, rows...)
		if next.IsZero() {
			break
		}
		c = next
	}
	if len(paged) != len(streamed) {
		t.Fatalf("%d funding rows paged, %d streamed", len(paged), len(streamed))
	}
	for i := range paged {
		if paged[i] != streamed[i] {
			t.Errorf("funding row %d: paged %+v, streamed %+v", i, paged[i], streamed[i])
		}
	}

	// Register: one row per piece, statuses as they are, postage adding up
	// to what the meters dispensed and fees to what the card paid.
	var reg []reports.RegisterRow
	if err := rep.StreamRegister(ctx, h.owner, f, func(r reports.RegisterRow) error { reg = append(reg, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(reg) != len(h.labels) {
		t.Fatalf("register has %d rows, %d labels were bought", len(reg), len(h.labels))
	}
	var postage, fees, voided int64
	status := map[string]string{}
	for _, r := range reg {
		postage += r.Postage
		fees += r.Fee
		status[r.LabelID] = r.Status
		if r.Status == "voided" || r.Status == "refunded" {
			voided += r.Postage
			if r.VoidedAt == nil {
				t.Errorf("label %s %s without a void date", r.LabelID, r.Status)
			}
		}
	}
	if postage != dispensed {
		t.Errorf("register postage %d, meters dispensed %d", postage, dispensed)
	}
	if fees != 2*5 || fees != h.ledger(t, payments.AccVendorFees) {
		t.Errorf("register fees %d, vendor fees in the ledger %d, want 10", fees, h.ledger(t, payments.AccVendorFees))
	}
	wantStatus := map[int]string{0: "refunded", 1: "issued", 2: "voided", 3: "issued", 4: "issued", 5: "voided"}
	for i, s := range wantStatus {
		if status[h.labels[i]] != s {
			t.Errorf("label %d is %q in the register, want %q", i, status[h.labels[i]], s)
		}
	}
	if reg[1].CostCode != "Marketing" || reg[1].User != "Mae Mailer" || reg[1].MeterSerial != h.prepaid.Record.Serial {
		t.Errorf("register row %+v: want cost code Marketing, user Mae Mailer, meter %s", reg[1], h.prepaid.Record.Serial)
	}
	var paging []reports.RegisterRow
	for c := (reports.Cursor{}); ; {
		rows, next, err := rep.Register(ctx, h.owner, f, c, 4)
		if err != nil {
			t.Fatal(err)
		}
		paging = append(paging, rows...)
		if next.IsZero() {
			break
		}
		c = next
	}
	if len(paging) != len(reg) || paging[len(paging)-1].LabelID != reg[len(reg)-1].LabelID {
		t.Errorf("paging read %d rows, streaming %d", len(paging), len(reg))
	}
	// Streaming in chunks smaller than the register gives the same rows.
	var chunked []string
	err = rep.WithStreamChunk(4).StreamRegister(ctx, h.owner, f, func(r reports.RegisterRow) error { chunked = append(chunked, r.LabelID); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(chunked) != len(reg) {
		t.Errorf("streaming in chunks of 4 read %d rows, want %d", len(chunked), len(reg))
	}
	for i := range chunked {
		if i < len(reg) && chunked[i] != reg[i].LabelID {
			t.Errorf("chunked row %d is %s, want %s", i, chunked[i], reg[i].LabelID)
		}
	}

	// Summary: the total equals the register, and the spend kept is what
	// the post office is owed in the ledger.
	for _, g := range reports.Groups {
		s, err := rep.Summary(ctx, h.owner, f, g)
		if err != nil {
			t.Fatalf("summary by %s: %v", g, err)
		}
		var pieces, sum int64
		for _, r := range s.Rows {
			pieces += r.Pieces
			sum += r.Postage
		}
		if pieces != int64(len(reg)) || sum != postage || s.Total.Postage != postage || s.Total.VoidedPostage != voided {
			t.Errorf("summary by %s: %d pieces $%d (total %+v), register %d pieces $%d voided %d", g, pieces, sum, s.Total, len(reg), postage, voided)
		}
		if s.Total.Spend() != h.ledger(t, "postal_revenue:06901") {
			t.Errorf("summary by %s: spend %d, post office owed %d", g, s.Total.Spend(), h.ledger(t, "postal_revenue:06901"))
		}
	}
	byCode, err := rep.Summary(ctx, h.owner, f, reports.ByCostCode)
	if err != nil {
		t.Fatal(err)
	}
	if len(byCode.Rows) != 2 || byCode.Rows[1].Key != "Marketing" || byCode.Rows[1].Pieces != 1 {
		t.Errorf("summary by cost code: %+v", byCode.Rows)
	}

	// Refunds: the mailer's prepaid void back to the meter, the trickle void
	// to the card, and the automatic refund of the unused label.
	refunds, _, err := rep.Refunds(ctx, h.owner, f, reports.Cursor{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]reports.RefundRow{}
	for _, r := range refunds {
		got[r.LabelID] = r
	}
	if len(refunds) != 3 {
		t.Fatalf("%d refund rows, want 3: %+v", len(refunds), refunds)
	}
	if r := got[h.labels[2]]; r.Kind != reports.RefundVoid || r.ReturnedTo != "meter" || r.Postage != 78 {
		t.Errorf("prepaid void: %+v", r)
	}
	if r := got[h.labels[5]]; r.Kind != reports.RefundVoid || r.ReturnedTo != "card" || r.CardRefund != 63 || r.CardState != "succeeded" {
		t.Errorf("trickle void: %+v", r)
	}
	if r := got[h.labels[0]]; r.Kind != reports.RefundAutomatic || r.ReturnedTo != "meter" || r.Postage != 116_00 {
		t.Errorf("automatic refund: %+v", r)
	}
	var back int64
	for _, r := range refunds {
		if r.ReturnedTo == "meter" {
			back += r.Postage
		}
	}
	if back != pre.ByKind[reports.FundVoidRefund] {
		t.Errorf("refunds to the meter %d, funding void refunds %d", back, pre.ByKind[reports.FundVoidRefund])
	}
}

// Filters narrow every report, and only owners, users with "Export
// reports" and vendor admins read them.
func TestReportsFiltersAndPermission(t *testing.T) {
	t.Parallel()
	h := mixedHistory(t)
	ctx := context.Background()
	rep := reports.New(h.pool)
	f := period()
	f.MeterSerial = h.trick.Record.Serial
	reg, _, err := rep.Register(ctx, h.owner, f, reports.Cursor{}, 100)
	if err != nil || len(reg) != 2 {
		t.Fatalf("register of the trickle meter: %d rows, %v; want 2", len(reg), err)
	}
	f = period()
	f.CostCodeID = h.costCodeID
	if reg, _, err := rep.Register(ctx, h.owner, f, reports.Cursor{}, 100); err != nil || len(reg) != 1 || reg[0].LabelID != h.labels[1] {
		t.Errorf("register for the cost code: %+v %v", reg, err)
	}
	// A period before the history holds nothing, and the funding opens and
	// closes at zero.
	f = period()
	f.From, f.To = f.From.AddDate(0, 0, -30), f.From.AddDate(0, 0, -20)
	if reg, _, err := rep.Register(ctx, h.owner, f, reports.Cursor{}, 100); err != nil || len(reg) != 0 {
		t.Errorf("register of an earlier month: %d rows %v", len(reg), err)
	}
	// A period after it opens with the balances.
	f = period()
	f.From, f.To = f.To, f.To.AddDate(0, 0, 5)
	totals, err := rep.FundingTotals(ctx, h.owner, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range totals {
		if mf.Opening != mf.Closing || len(mf.ByKind) != 0 {
			t.Errorf("meter %s after its history: %+v", mf.Serial, mf)
		}
	}

	mk := func(email string, perms ...string) accounts.User {
		u, err := h.acc.CreateUser(ctx, accounts.System, accounts.CreateInput{Email: email, Name: email, Role: "mailer_user",
			AccountID: h.owner.AccountID, Password: "long enough password", Permissions: perms})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	clerk := mk("clerk@example.com", "buy_postage")
	viewer := mk("viewer@example.com", "export_reports")
	if _, _, err := rep.Register(ctx, clerk, period(), reports.Cursor{}, 10); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("a user without Export reports: %v, want forbidden", err)
	}
	if _, err := rep.FundingTotals(ctx, clerk, period()); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("funding for a user without Export reports: %v, want forbidden", err)
	}
	if reg, _, err := rep.Register(ctx, viewer, period(), reports.Cursor{}, 100); err != nil || len(reg) != len(h.labels) {
		t.Errorf("a user with Export reports: %d rows %v", len(reg), err)
	}
	// A mailer naming another account still reads only their own.
	other := period()
	other.AccountID = h.owner.AccountID + 1000
	if reg, _, err := rep.Register(ctx, viewer, other, reports.Cursor{}, 100); err != nil || len(reg) != len(h.labels) {
		t.Errorf("a mailer asking for another account: %d rows %v", len(reg), err)
	}
}

func TestParseFilterNamesTheField(t *testing.T) {
	now := time.Date(2026, 5, 17, 12, 0, 0, 0, time.UTC)
	get := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	owner := accounts.User{Role: accounts.RoleOwner, AccountID: 7}
	f, err := reports.ParseFilter(owner, get(), now)
	if err != nil || f.From != time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC) || f.To != time.Date(2026, 5, 18, 0, 0, 0, 0, time.UTC) {
		t.Errorf("default period %v–%v %v; want the last twelve months to today", f.From, f.To, err)
	}
	cases := []struct {
		kv    []string
		field string
	}{
		{[]string{"from", "2026-05-10", "to", "2026-05-01"}, "to"},
		{[]string{"from", "2020-01-01", "to", "2026-01-01"}, "to"},
		{[]string{"from", "May 1"}, "from"},
		{[]string{"user", "bob"}, "user"},
		{[]string{"cost_code", "-3"}, "cost_code"},
		{[]string{"class", "BOGUS"}, "class"},
		{[]string{"origin_zip", "0690"}, "origin_zip"},
	}
	for _, c := range cases {
		_, err := reports.ParseFilter(owner, get(c.kv...), now)
		fields, ok := apperr.AsFields(err)
		if !ok || fields[c.field] == "" {
			t.Errorf("%v: %v, want a message at %s", c.kv, err, c.field)
		}
	}
	if f, err := reports.ParseFilter(owner, get("from", "2026-01-01", "to", "2026-01-31", "class", "FCM_LETTER", "account", "99"), now); err != nil || f.Days() != 31 || f.AccountID != 0 {
		t.Errorf("a good filter: %+v %v", f, err)
	}
	if _, err := reports.ParseGroup("weekday"); apperr.KindOf(err) != apperr.KindInvalid {
		t.Errorf("an unknown grouping: %v", err)
	}
	c := reports.Cursor{At: now, ID: 42}
	if back, err := reports.ParseCursor(c.String()); err != nil || back != c {
		t.Errorf("cursor round trip: %+v %v", back, err)
	}
	if _, err := reports.ParseCursor("not-a-cursor!"); apperr.KindOf(err) != apperr.KindInvalid {
		t.Errorf("a bad cursor: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// The CSV PostgreSQL writes for the register is, byte for byte, what the
// rows would give through encoding/csv and the formula guard, with names
// that need guarding and quoting, and with filters of each type.
func TestRegisterCopyMatchesTheRows(t *testing.T) {
	t.Parallel()
	h := mixedHistory(t)
	ctx := context.Background()
	rep := reports.New(h.pool)
	if _, err := h.pool.Exec(ctx, `UPDATE users SET name = '=HYPERLINK("x", 1)' WHERE name = 'Mae Mailer'`); err != nil {
		t.Fatal(err)
	}
	if _, err := h.pool.Exec(ctx, `UPDATE cost_codes SET name = '-Mkt, "east"' WHERE id = $1`, h.costCodeID); err != nil {
		t.Fatal(err)
	}
	// Services (two bits) and a fractional weight on one piece.
	if _, err := h.pool.Exec(ctx, `UPDATE indicia SET services = 5, weight_oz = 2.5 WHERE public_id = $1`, h.labels[3]); err != nil {
		t.Fatal(err)
	}
	all := period()
	bySerial := period()
	bySerial.MeterSerial = h.prepaid.Record.Serial
	byCode := period()
	byCode.CostCodeID = h.costCodeID
	for name, f := range map[string]reports.Filter{"all": all, "meter serial": bySerial, "cost code": byCode} {
		var want bytes.Buffer
		cw := csv.NewWriter(&want)
		n := 0
		if err := rep.StreamRegister(ctx, h.owner, f, func(r reports.RegisterRow) error {
			n++
			cells := r.Cells()
			for i := range cells {
				if i < 10 || i > 12 {
					cells[i] = csvsafe.Cell(cells[i])
				}
			}
			return cw.Write(cells)
		}); err != nil {
			t.Fatal(err)
		}
		cw.Flush()
		var got bytes.Buffer
		if err := rep.CopyRegisterCSV(ctx, h.owner, f, &got); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n == 0 || got.String() != want.String() {
			t.Errorf("%s: %d rows; COPY wrote\n%s\nthe rows give\n%s", name, n, got.String(), want.String())
		}
	}
	if !strings.Contains(func() string {
		var b bytes.Buffer
		_ = rep.CopyRegisterCSV(ctx, h.owner, all, &b)
		return b.String()
	}(), `'=HYPERLINK(""x"", 1)`) {
		t.Error("the user's formula-like name is not guarded in the CSV")
	}
}
