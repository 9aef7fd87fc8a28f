package metering_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db/dbtest"
	"indicia/metering"
	"indicia/metering/meteringtest"
)

// buyPieces buys one purchase of pieces with the given postages and class.
func buyClassPieces(t *testing.T, svc *metering.Service, owner accounts.User, class string, postages ...int64) []metering.Label {
	t.Helper()
	var ps []metering.PieceRequest
	for i, p := range postages {
		pr := piece(p)
		pr.MailClass = class
		pr.Recipient.Name = fmt.Sprintf("Recipient %d", i)
		ps = append(ps, pr)
	}
	p, err := svc.Purchase(context.Background(), owner, metering.PurchaseRequest{Pieces: ps})
	if err != nil {
		t.Fatal(err)
	}
	return p.Labels
}

// pageAll reads every page of the filter with a small page size and
// returns the label ids in order.
func pageAll(t *testing.T, svc *metering.Service, owner accounts.User, f metering.LabelFilter, size int) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for n := 0; ; n++ {
		if n > 1000 {
			t.Fatal("paging never ends")
		}
		lp, err := svc.ListLabels(context.Background(), owner, f, cursor, size)
		if err != nil {
			t.Fatal(err)
		}
		if len(lp.Labels) > size {
			t.Fatalf("page of %d labels, asked for %d", len(lp.Labels), size)
		}
		for _, l := range lp.Labels {
			ids = append(ids, l.PublicID)
		}
		if lp.Next == "" {
			return ids
		}
		cursor = lp.Next
	}
}

func fieldOf(err error) string {
	var e *apperr.Error
	if errors.As(err, &e) && e.Kind == apperr.KindInvalid {
		return e.Field
	}
	return ""
}

// Every label of the account comes back exactly once, in order, whatever the
// page size and the order, and each filter keeps exactly the labels it names.
func TestListLabelsFiltersAndKeysetPages(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m, pool := setupPool(t, b, 1_000_000)
	ctx := context.Background()
	var all []metering.Label
	all = append(all, buyClassPieces(t, svc, owner, "FCM_LETTER", 78, 78, 150)...)
	all = append(all, buyClassPieces(t, svc, owner, "PRIORITY", 1305)...)
	all = append(all, buyClassPieces(t, svc, owner, "FCM_LETTER", 90, 78, 78, 200, 55)...)
	all = append(all, buyClassPieces(t, svc, owner, "GROUND_ADVANTAGE", 860, 78)...)
	if len(all) != 11 {
		t.Fatalf("bought %d labels", len(all))
	}
	// Another account's labels never show.
	other, _, err := accountsFor(t, pool).SignUp(ctx, accounts.SignUpInput{Name: "Otto", Company: "Otto Co", Email: "otto@example.com",
		Password: "long enough password", Address: accounts.Address{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06901"}})
	if err != nil {
		t.Fatal(err)
	}
	om, err := svc.Provision(ctx, other.AccountID, "06901")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Credit(ctx, accounts.System, om.ID, 10_000, metering.CreditAdmin, ""); err != nil {
		t.Fatal(err)
	}
	buyClassPieces(t, svc, other, "FCM_LETTER", 78)

	// Newest first, ties (one purchase) broken by id: the reverse of buying order.
	want := make([]string, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		want = append(want, all[i].PublicID)
	}
	for _, size := range []int{1, 2, 3, 4, 11, 50} {
		if got := pageAll(t, svc, owner, metering.LabelFilter{}, size); !slices.Equal(got, want) {
			t.Fatalf("newest first, pages of %d:\n got %v\nwant %v", size, got, want)
		}
	}
	asc := slices.Clone(want)
	slices.Reverse(asc)
	if got := pageAll(t, svc, owner, metering.LabelFilter{Sort: metering.SortDateAsc}, 3); !slices.Equal(got, asc) {
		t.Fatalf("oldest first:\n got %v\nwant %v", got, asc)
	}
	// By postage, ties by id: every label once, postages in order.
	byPostage := map[string]int64{}
	for _, l := range all {
		byPostage[l.PublicID] = l.Postage
	}
	for _, sort := range []string{metering.SortPostageAsc, metering.SortPostageDesc} {
		got := pageAll(t, svc, owner, metering.LabelFilter{Sort: sort}, 2)
		if len(got) != len(all) {
			t.Fatalf("%s: %d labels, want %d", sort, len(got), len(all))
		}
		for i := 1; i < len(got); i++ {
			a, b := byPostage[got[i-1]], byPostage[got[i]]
			if (sort == metering.SortPostageAsc && a > b) || (sort == metering.SortPostageDesc && a < b) {
				t.Fatalf("%s out of order at %d: %d then %d", sort, i, a, b)
			}
		}
		seen := map[string]bool{}
		for _, id := range got {
			if seen[id] {
				t.Fatalf("%s lists %s twice", sort, id)
			}
			seen[id] = true
		}
	}

	count := func(f metering.LabelFilter) int { return len(pageAll(t, svc, owner, f, 4)) }
	if n := count(metering.LabelFilter{MailClass: "FCM_LETTER"}); n != 8 {
		t.Errorf("FCM_LETTER: %d labels, want 8", n)
	}
	if n := count(metering.LabelFilter{MailClass: "PRIORITY"}); n != 1 {
		t.Errorf("PRIORITY: %d labels, want 1", n)
	}
	if n := count(metering.LabelFilter{MeterID: m.ID}); n != 11 {
		t.Errorf("the meter: %d labels, want 11", n)
	}
	if n := count(metering.LabelFilter{MeterID: om.ID}); n != 0 {
		t.Errorf("another account's meter: %d labels, want 0", n)
	}
	if n := count(metering.LabelFilter{UserID: owner.ID}); n != 11 {
		t.Errorf("the owner's labels: %d, want 11", n)
	}
	if n := count(metering.LabelFilter{OriginZIP: m.Record.OriginZIP}); n != 11 {
		t.Errorf("origin %s: %d labels, want 11", m.Record.OriginZIP, n)
	}
	if n := count(metering.LabelFilter{OriginZIP: "10001"}); n != 0 {
		t.Errorf("origin 10001: %d labels, want 0", n)
	}
	if got := pageAll(t, svc, owner, metering.LabelFilter{LabelID: all[3].PublicID}, 5); !slices.Equal(got, []string{all[3].PublicID}) {
		t.Errorf("label id: %v", got)
	}
	// Recipient text, case-insensitive, literal (a % is not a wildcard).
	if n := count(metering.LabelFilter{Recipient: "recipient 4"}); n != 1 {
		t.Errorf("recipient 4: %d labels, want 1", n)
	}
	if n := count(metering.LabelFilter{Recipient: "beverly hills"}); n != 11 {
		t.Errorf("beverly hills: %d labels, want 11", n)
	}
	if n := count(metering.LabelFilter{Recipient: "%"}); n != 0 {
		t.Errorf("a literal %%: %d labels, want 0", n)
	}

	// Dates: move the first purchase to last January, and its pieces' mailing date.
	if _, err := pool.Exec(ctx, `UPDATE indicia SET created_at = '2026-01-15 10:00:00Z', mailing_date = '2026-01-16' WHERE public_id = ANY($1)`,
		[]string{all[0].PublicID, all[1].PublicID, all[2].PublicID}); err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	if n := count(metering.LabelFilter{PurchasedFrom: day("2026-01-15"), PurchasedTo: day("2026-01-15")}); n != 3 {
		t.Errorf("bought on 2026-01-15: %d labels, want 3", n)
	}
	if n := count(metering.LabelFilter{PurchasedFrom: day("2026-01-16")}); n != 8 {
		t.Errorf("bought from 2026-01-16: %d labels, want 8", n)
	}
	if n := count(metering.LabelFilter{MailedFrom: day("2026-01-01"), MailedTo: day("2026-01-31")}); n != 3 {
		t.Errorf("mailed in January: %d labels, want 3", n)
	}
	// A narrow range by postage, one label a page: highest first, ties newest id first.
	got := pageAll(t, svc, owner, metering.LabelFilter{PurchasedFrom: day("2026-01-15"), PurchasedTo: day("2026-01-15"), Sort: metering.SortPostageDesc}, 1)
	if want := []string{all[2].PublicID, all[1].PublicID, all[0].PublicID}; !slices.Equal(got, want) {
		t.Errorf("January by postage: %v, want %v", got, want)
	}
	got = pageAll(t, svc, owner, metering.LabelFilter{MailedFrom: day("2026-01-16"), MailedTo: day("2026-01-16"), Sort: metering.SortPostageAsc}, 2)
	if want := []string{all[0].PublicID, all[1].PublicID, all[2].PublicID}; !slices.Equal(got, want) {
		t.Errorf("mailed 2026-01-16 by postage, lowest first: %v, want %v", got, want)
	}

	// Statuses: one voided by the mailer, one submitted for refund, one scanned.
	if _, err := svc.Void(ctx, owner, all[4].PublicID); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE indicia SET status = 'voided', void_reason = $2, voided_at = now() WHERE public_id = $1`,
		all[5].PublicID, metering.VoidSubmittedForRefund); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE indicia SET used_at = now() WHERE public_id = $1`, all[6].PublicID); err != nil {
		t.Fatal(err)
	}
	for status, want := range map[string][]string{metering.ListVoided: {all[4].PublicID}, metering.ListRefunded: {all[5].PublicID},
		metering.ListUsed: {all[6].PublicID}} {
		lp, err := svc.ListLabels(ctx, owner, metering.LabelFilter{Status: status}, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range lp.Labels {
			got = append(got, l.PublicID)
			if l.ListStatus() != status {
				t.Errorf("%s lists %s as %s", status, l.PublicID, l.ListStatus())
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("status %s: %v, want %v", status, got, want)
		}
	}
	if n := count(metering.LabelFilter{Status: metering.ListIssued}); n != 8 {
		t.Errorf("issued: %d labels, want 8", n)
	}

	// Cost codes: the name comes with the label and filters it.
	var cc int64
	if err := pool.QueryRow(ctx, `INSERT INTO cost_codes (account_id, name, created_at) VALUES ($1, 'Marketing', now()) RETURNING id`,
		owner.AccountID).Scan(&cc); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE indicia SET cost_code_id = $1 WHERE public_id = ANY($2)`, cc, []string{all[7].PublicID, all[8].PublicID}); err != nil {
		t.Fatal(err)
	}
	lp, err := svc.ListLabels(ctx, owner, metering.LabelFilter{CostCodeID: cc}, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(lp.Labels) != 2 || lp.Labels[0].CostCode != "Marketing" || lp.Labels[1].CostCodeID != cc {
		t.Errorf("cost code Marketing: %+v", lp.Labels)
	}
	ch, err := svc.LabelFilterChoices(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Meters) != 1 || len(ch.CostCodes) != 1 || ch.CostCodes[0].Name != "Marketing" {
		t.Errorf("filter choices: %d meters, cost codes %+v", len(ch.Meters), ch.CostCodes)
	}
	// Filters combine.
	if n := count(metering.LabelFilter{MailClass: "FCM_LETTER", Status: metering.ListIssued, PurchasedFrom: day("2026-01-16")}); n != 2 {
		t.Errorf("issued FCM letters bought from 2026-01-16: %d, want 2", n)
	}
}

// Labels bought while a mailer pages through never shift the pages: the
// pages after the first still list every older label once, with no gap.
func TestListLabelsPagesAreStableAcrossPurchases(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, _ := setup(t, b, 1_000_000)
	ctx := context.Background()
	var older []string
	for i := 0; i < 4; i++ {
		for _, l := range buyClassPieces(t, svc, owner, "FCM_LETTER", 78, 90, 100) {
			older = append(older, l.PublicID)
		}
	}
	slices.Reverse(older) // the order the list shows them: newest first
	for _, sort := range []string{metering.SortDateDesc, metering.SortPostageAsc} {
		f := metering.LabelFilter{Sort: sort}
		first, err := svc.ListLabels(ctx, owner, f, "", 5)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, l := range first.Labels {
			got[l.PublicID]++
		}
		cursor := first.Next
		for cursor != "" {
			// Someone buys between every two pages.
			buyClassPieces(t, svc, owner, "FCM_LETTER", 78, 1)
			lp, err := svc.ListLabels(ctx, owner, f, cursor, 5)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range lp.Labels {
				got[l.PublicID]++
			}
			cursor = lp.Next
		}
		for _, id := range older {
			if got[id] != 1 {
				t.Errorf("%s: label %s listed %d times", sort, id, got[id])
			}
		}
		if sort == metering.SortDateDesc {
			// Newest first: none of the labels bought while paging shows up later.
			if len(got) != len(older) {
				t.Errorf("%s: %d labels listed, want the %d that existed at the first page", sort, len(got), len(older))
			}
		}
	}
}

// Bad filters name their field; a cursor is refused under another sort or
// when it is not one the list gave out.
func TestListLabelsRefusesBadFilters(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, _ := setup(t, b, 100_000)
	ctx := context.Background()
	buyClassPieces(t, svc, owner, "FCM_LETTER", 78, 78)
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	cases := []struct {
		f     metering.LabelFilter
		field string
	}{
		{metering.LabelFilter{PurchasedFrom: day("2026-05-02"), PurchasedTo: day("2026-05-01")}, "purchased_to"},
		{metering.LabelFilter{MailedFrom: day("2022-01-01"), MailedTo: day("2025-01-02")}, "mailed_to"},
		{metering.LabelFilter{Status: "lost"}, "status"},
		{metering.LabelFilter{Sort: "zip"}, "sort"},
	}
	for _, c := range cases {
		if _, err := svc.ListLabels(ctx, owner, c.f, "", 10); fieldOf(err) != c.field {
			t.Errorf("%+v: %v, want an invalid %s", c.f, err, c.field)
		}
	}
	// Exactly three years is allowed.
	if _, err := svc.ListLabels(ctx, owner, metering.LabelFilter{MailedFrom: day("2022-01-01"), MailedTo: day("2025-01-01")}, "", 10); err != nil {
		t.Errorf("three years: %v", err)
	}
	lp, err := svc.ListLabels(ctx, owner, metering.LabelFilter{}, "", 1)
	if err != nil || lp.Next == "" {
		t.Fatalf("first page: %v %q", err, lp.Next)
	}
	if _, err := svc.ListLabels(ctx, owner, metering.LabelFilter{Sort: metering.SortPostageDesc}, lp.Next, 1); fieldOf(err) != "cursor" {
		t.Errorf("a date cursor under the postage order: %v", err)
	}
	for _, bad := range []string{"x", "eyJ9", "!!!"} {
		if _, err := svc.ListLabels(ctx, owner, metering.LabelFilter{}, bad, 1); fieldOf(err) != "cursor" {
			t.Errorf("cursor %q: %v", bad, err)
		}
	}
	for _, n := range []int{0, -1, metering.MaxLabelPage + 1} {
		if _, err := svc.ListLabels(ctx, owner, metering.LabelFilter{}, "", n); fieldOf(err) != "limit" {
			t.Errorf("limit %d: %v", n, err)
		}
	}
	if _, err := svc.ListLabels(ctx, accounts.System, metering.LabelFilter{}, "", 10); err == nil {
		t.Error("the system has no label history")
	}
}

func accountsFor(t *testing.T, pool *pgxpool.Pool) *accounts.Service {
	t.Helper()
	rdb, prefix := dbtest.Redis(t)
	acc, err := accounts.New(pool, rdb, accounts.Options{RedisPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	return acc
}
