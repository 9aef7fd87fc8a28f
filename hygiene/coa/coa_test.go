package coa_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db/dbtest"
	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/hygiene/coa"
)

// coaNow is the tests' clock: lists are dated relative to it.
var coaNow = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

type coaEnv struct {
	t            testing.TB
	pool         *pgxpool.Pool
	book         *addressbook.Book
	coa          *coa.Service
	owner, other accounts.User
	staff        accounts.User
	acc          *accounts.Service
	mails        []string
}

const coaHeader = "move_type,first_name,middle,last_name,firm,old_line1,old_line2,old_city,old_state,old_zip,new_line1,new_line2,new_city,new_state,new_zip,move_effective_date,moved_left_no_address,po_box_closed\n"

func newCOAEnv(t testing.TB, window int) *coaEnv {
	t.Helper()
	pool := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	acc, err := accounts.New(pool, rdb, accounts.Options{RedisPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	signUp := func(email string) accounts.User {
		u, _, err := acc.SignUp(ctx, accounts.SignUpInput{Name: "Owner " + email, Company: "Co " + email, Email: email, Password: "correct horse battery",
			Address: accounts.Address{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06901"}})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	e := &coaEnv{t: t, pool: pool, acc: acc}
	e.owner = signUp("owner@example.com")
	e.other = signUp("other@example.com")
	e.staff, err = acc.CreateUser(ctx, accounts.System, accounts.CreateInput{Email: "staff@example.com", Name: "Staff", Role: "postal_staff",
		Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := address.New()
	if err != nil {
		t.Fatal(err)
	}
	e.book = addressbook.New(pool, c)
	e.coa, err = coa.New(pool, c, coa.Options{WindowMonths: window, Now: func() time.Time { return coaNow }, BaseURL: "http://x",
		Notify: func(_ context.Context, to, subject, body string) error {
			e.mails = append(e.mails, to+"|"+subject+"|"+body)
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// add puts an entry in a user's book.
func (e *coaEnv) add(u accounts.User, name, company, line1, zip string) addressbook.Entry {
	e.t.Helper()
	en, err := e.book.Create(context.Background(), u, addressbook.EntryInput{Name: name, Company: company,
		Fields: address.Fields{Line1: line1, ZIP: zip}, Decision: addressbook.DecisionSuggested})
	if err != nil {
		e.t.Fatal(err)
	}
	return en
}

// load uploads rows (CSV lines after the header) as staff, loads and matches the list.
func (e *coaEnv) load(rows ...string) (coa.COAList, coa.ImportSummary) {
	e.t.Helper()
	return e.loadFile(coaHeader+strings.Join(rows, "\n")+"\n", "list.csv", 0)
}

func (e *coaEnv) loadFile(content, name string, replaces int64) (coa.COAList, coa.ImportSummary) {
	e.t.Helper()
	path, err := coa.SaveUpload(e.t.TempDir(), strings.NewReader(content))
	if err != nil {
		e.t.Fatal(err)
	}
	return e.loadPath(path, name, replaces)
}

func (e *coaEnv) loadPath(path, name string, replaces int64) (coa.COAList, coa.ImportSummary) {
	e.t.Helper()
	ctx := context.Background()
	l, _, err := e.coa.CreateList(ctx, e.staff, coa.COAListInput{Source: "USPS test", Filename: name, Path: path, Replaces: replaces})
	if err != nil {
		e.t.Fatal(err)
	}
	sum, err := e.coa.ImportList(ctx, l.ID, nil)
	if err != nil {
		l, _, _ = e.coa.List(ctx, e.staff, l.ID, 10)
		return l, sum
	}
	var lists []int64
	lists = append(lists, l.ID)
	if replaces != 0 {
		lists = append(lists, replaces)
	}
	if _, err := e.coa.MatchLists(ctx, lists...); err != nil {
		e.t.Fatal(err)
	}
	l, _, err = e.coa.List(ctx, e.staff, l.ID, 10)
	if err != nil {
		e.t.Fatal(err)
	}
	return l, sum
}

// matches returns the owner's matches of a status keyed by entry name (or company).
func (e *coaEnv) matches(u accounts.User, status string) map[string]coa.COAMatch {
	e.t.Helper()
	list, _, err := e.coa.Matches(context.Background(), u, status, 0, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]coa.COAMatch{}
	for _, m := range list {
		k := m.Name
		if k == "" {
			k = m.Company
		}
		out[k] = m
	}
	return out
}

func TestCOAMoveTypes(t *testing.T) {
	e := newCOAEnv(t, 0)
	e.add(e.owner, "", "Acme Widgets Inc", "1 Elm St", "06901")
	e.add(e.owner, "Robert J. Smith", "", "2 Oak St", "06901")
	e.add(e.owner, "Mary Jones", "", "3 Pine St", "06901")
	e.add(e.owner, "Nobody Moved", "", "4 Pine St", "06901")
	l, sum := e.load(
		"business,,,,ACME WIDGETS,1 elm street,,Stamford,CT,06901,100 Elm St,,Stamford,CT,06902,2026-05,,",
		"individual,Bob,J,Smith,,2 Oak Street,,Stamford,CT,06901,200 Oak St,,Stamford,CT,06902,2026-06-15,,",
		"family,,,Jones,,3 Pine St,,,,06901,300 Pine St,,,,06902,2026-07-01,,",
	)
	if l.Status != coa.ListActive || sum.Loaded != 3 || sum.Bad != 0 {
		t.Fatalf("list %+v summary %+v", l, sum)
	}
	if l.Period() != "2026-05-01 – 2026-07-01" {
		t.Errorf("period = %q", l.Period())
	}
	m := e.matches(e.owner, "")
	if len(m) != 3 {
		t.Fatalf("want 3 matches, got %v", m)
	}
	for name, want := range map[string][2]string{"Acme Widgets Inc": {"business", "100 ELM ST"}, "Robert J. Smith": {"individual", "200 OAK ST"}, "Mary Jones": {"family", "300 PINE ST"}} {
		got := m[name]
		if got.MoveType != want[0] || got.Code != coa.CodeNewAddress || got.New.Line1 != want[1] || got.New.ZIP != "06902" {
			t.Errorf("%s: %+v", name, got)
		}
	}
	if !m["Mary Jones"].Effective.Equal(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("move date %v", m["Mary Jones"].Effective)
	}
	if len(e.mails) != 1 || !strings.HasPrefix(e.mails[0], "owner@example.com|3 of your recipients moved") {
		t.Errorf("mails = %q", e.mails)
	}
}

func TestCOANameVariants(t *testing.T) {
	e := newCOAEnv(t, 0)
	e.add(e.owner, "Bill Brown", "", "10 Main St", "06901")
	e.add(e.owner, "Elizabeth Taylor", "", "11 Main St", "06901")
	e.add(e.owner, "Robert B Smith", "", "12 Main St", "06901")
	e.add(e.owner, "John Doe", "", "13 Main St", "06901")
	e.add(e.owner, "Smith, Katherine", "", "14 Main St", "06901")
	e.load(
		"individual,William,,Brown,,10 Main St,,,,06901,1 New Rd,,,,06902,2026-06,,",
		"individual,Liz,,Taylor,,11 Main St,,,,06901,2 New Rd,,,,06902,2026-06,,",
		"individual,Robert,A,Smith,,12 Main St,,,,06901,3 New Rd,,,,06902,2026-06,,",
		"individual,James,,Doe,,13 Main St,,,,06901,4 New Rd,,,,06902,2026-06,,",
		"individual,Kate,,Smith,,14 Main St,,,,06901,5 New Rd,,,,06902,2026-06,,",
	)
	m := e.matches(e.owner, "")
	for _, name := range []string{"Bill Brown", "Elizabeth Taylor", "Smith, Katherine"} {
		if m[name].Code != coa.CodeNewAddress {
			t.Errorf("%s should match a nickname: %v", name, m[name])
		}
	}
	for _, name := range []string{"Robert B Smith", "John Doe"} {
		if _, ok := m[name]; ok {
			t.Errorf("%s must not match (different middle initial / first name)", name)
		}
	}
}

// Two different given names never match through a formal name they share,
// and each match says how the names matched.
func TestCOANamePrecision(t *testing.T) {
	e := newCOAEnv(t, 0)
	e.add(e.owner, "Lisa Jones", "", "20 Main St", "06901")
	e.add(e.owner, "Alex Lee", "", "21 Main St", "06901")
	e.add(e.owner, "Jack Smith", "", "22 Main St", "06901")
	e.add(e.owner, "Pam Green", "", "23 Main St", "06901")
	e.add(e.owner, "Jeffrey White", "", "24 Main St", "06901")
	e.add(e.owner, "Peggy Black", "", "25 Main St", "06901")
	e.add(e.owner, "Sandy Stone", "", "26 Main St", "06901")
	e.add(e.owner, "Carol Reed", "", "27 Main St Apt 5", "06901")
	e.add(e.owner, "", "Acme Widgets Inc", "28 Main St", "06901")
	e.add(e.owner, "Dora Park", "", "29 Main St", "06901")
	e.load(
		"individual,Betty,,Jones,,20 Main St,,,,06901,1 New Rd,,,,06902,2026-06,,",
		"individual,Sandra,,Lee,,21 Main St,,,,06901,2 New Rd,,,,06902,2026-06,,",
		"individual,John,,Smith,,22 Main St,,,,06901,3 New Rd,,,,06902,2026-06,,",
		"individual,Pamela,,Green,,23 Main St,,,,06901,4 New Rd,,,,06902,2026-06,,",
		"individual,Jeff,,White,,24 Main St,,,,06901,5 New Rd,,,,06902,2026-06,,",
		"individual,Margaret,,Black,,25 Main St,,,,06901,6 New Rd,,,,06902,2026-06,,",
		"individual,Alexandra,,Stone,,26 Main St,,,,06901,7 New Rd,,,,06902,2026-06,,",
		"individual,Carol,,Reed,,27 Main St # 5,,,,06901,8 New Rd,,,,06902,2026-06,,",
		"business,,,,ACME WIDGETS,28 Main St,,,,06901,9 New Rd,,,,06902,2026-06,,",
		"family,,,Park,,29 Main St,,,,06901,10 New Rd,,,,06902,2026-06,,",
	)
	m := e.matches(e.owner, "")
	for _, name := range []string{"Lisa Jones", "Alex Lee", "Jack Smith"} {
		if got, ok := m[name]; ok {
			t.Errorf("%s must not match a move of another given name: %+v", name, got)
		}
	}
	for name, how := range map[string]string{"Pam Green": coa.NameMatchNickname, "Jeffrey White": coa.NameMatchNickname,
		"Peggy Black": coa.NameMatchNickname, "Sandy Stone": coa.NameMatchNickname, "Carol Reed": coa.NameMatchExact,
		"Acme Widgets Inc": coa.NameMatchFirm, "Dora Park": coa.NameMatchLastName} {
		got, ok := m[name]
		if !ok || got.Code != coa.CodeNewAddress {
			t.Errorf("%s should match: %+v", name, got)
			continue
		}
		if got.NameMatch != how {
			t.Errorf("%s: name_match %q, want %q", name, got.NameMatch, how)
		}
	}
}

func TestCOADateWindow(t *testing.T) {
	rows := []string{
		"individual,Ann,,Old,,20 Main St,,,,06901,1 New Rd,,,,06902,2025-03-01,,", // 20 months before coaNow
		"individual,Ann,,Recent,,21 Main St,,,,06901,2 New Rd,,,,06902,2025-07-01,,",
	}
	e := newCOAEnv(t, 0)
	e.add(e.owner, "Ann Old", "", "20 Main St", "06901")
	e.add(e.owner, "Ann Recent", "", "21 Main St", "06901")
	e.load(rows...)
	m := e.matches(e.owner, "")
	if _, ok := m["Ann Old"]; ok || m["Ann Recent"].Code != coa.CodeNewAddress {
		t.Errorf("18-month window: %v", m)
	}
	e = newCOAEnv(t, 24)
	e.add(e.owner, "Ann Old", "", "20 Main St", "06901")
	e.load(rows...)
	if m := e.matches(e.owner, ""); m["Ann Old"].Code != coa.CodeNewAddress {
		t.Errorf("24-month window: %v", m)
	}
	if _, err := coa.New(e.pool, nil, coa.Options{WindowMonths: 49}); err == nil {
		t.Error("a 49-month window was accepted")
	}
}

func TestCOAChainedMoves(t *testing.T) {
	e := newCOAEnv(t, 0)
	e.add(e.owner, "Carol King", "", "30 Main St", "06901")
	e.load("individual,Carol,,King,,30 Main St,,,,06901,40 Elm St,,,,06902,2026-01,,")
	if m := e.matches(e.owner, ""); m["Carol King"].New.Line1 != "40 ELM ST" {
		t.Fatalf("first move: %v", m)
	}
	// A later list says she moved again: the pending match now leads to C.
	e.load("individual,Carol,,King,,40 Elm St,,,,06902,50 Oak St,,,,06903,2026-06,,")
	m := e.matches(e.owner, "")
	if len(m) != 1 || m["Carol King"].New.Line1 != "50 OAK ST" || m["Carol King"].New.ZIP != "06903" {
		t.Fatalf("chain should lead to the latest address: %v", m)
	}
}

func TestCOAAmbiguousAndFlags(t *testing.T) {
	e := newCOAEnv(t, 0)
	e.add(e.owner, "Dan Ray", "", "60 Main St", "06901")
	e.add(e.owner, "Eve Stone", "", "61 Main St", "06901")
	e.add(e.owner, "", "Box Holder LLC", "PO Box 62", "06901")
	e.load(
		"individual,Daniel,,Ray,,60 Main St,,,,06901,1 A St,,,,06902,2026-03,,",
		"individual,Dan,,Ray,,60 Main St,,,,06901,2 B St,,,,06903,2026-04,,",
		"individual,Eve,,Stone,,61 Main St,,,,06901,,,,,,2026-04,yes,",
		"business,,,,Box Holder,PO Box 62,,,,06901,,,,,,2026-04,,true",
	)
	m := e.matches(e.owner, "")
	if m["Dan Ray"].Code != coa.CodeAmbiguous || m["Dan Ray"].New.Line1 != "" {
		t.Errorf("two new addresses: %+v", m["Dan Ray"])
	}
	if m["Eve Stone"].Code != coa.CodeMovedNoAddress {
		t.Errorf("moved, left no address: %+v", m["Eve Stone"])
	}
	if m["Box Holder LLC"].Code != coa.CodePOBoxClosed {
		t.Errorf("box closed: %+v", m["Box Holder LLC"])
	}
	if _, err := e.coa.Accept(context.Background(), e.owner, m["Dan Ray"].ID); apperr.KindOf(err) != apperr.KindConflict {
		t.Errorf("accepting an ambiguous match: %v", err)
	}
}

func TestCOAWithdrawAndReplace(t *testing.T) {
	e := newCOAEnv(t, 0)
	e.add(e.owner, "Fay Wong", "", "70 Main St", "06901")
	e.add(e.owner, "Gus Hale", "", "71 Main St", "06901")
	first, _ := e.load("individual,Fay,,Wong,,70 Main St,,,,06901,1 Fir St,,,,06902,2026-02,,")
	second, _ := e.load("individual,Gus,,Hale,,71 Main St,,,,06901,2 Fir St,,,,06902,2026-02,,")
	if len(e.matches(e.owner, "")) != 2 {
		t.Fatal("both lists should match")
	}
	ctx := context.Background()
	if _, err := e.coa.Withdraw(ctx, e.owner, first.ID); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("a mailer withdrew a list: %v", err)
	}
	if _, err := e.coa.Withdraw(ctx, e.staff, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.coa.MatchLists(ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	m := e.matches(e.owner, "")
	if _, ok := m["Fay Wong"]; ok || len(m) != 1 {
		t.Errorf("withdrawn list's match still pending: %v", m)
	}
	if w := e.matches(e.owner, coa.MatchWithdrawn); w["Fay Wong"].ID == 0 {
		t.Errorf("not marked withdrawn: %v", w)
	}
	// A new version of the second list moves Gus elsewhere.
	v2, _ := e.loadFile(coaHeader+"individual,Gus,,Hale,,71 Main St,,,,06901,9 Oak St,,,,06903,2026-03,,\n", "v2.csv", second.ID)
	if old, _, _ := e.coa.List(ctx, e.staff, second.ID, 1); old.Status != coa.ListReplaced || v2.Status != coa.ListActive {
		t.Errorf("statuses: old %s new %s", old.Status, v2.Status)
	}
	m = e.matches(e.owner, "")
	if m["Gus Hale"].New.Line1 != "9 OAK ST" || len(m) != 1 {
		t.Errorf("replacement: %v", m)
	}
}

func TestCOAMalformedUpload(t *testing.T) {
	e := newCOAEnv(t, 0)
	l, sum := e.load(
		"individual,Hal,,Ivy,,80 Main St,,,,06901,1 New Rd,,,,06902,2026-06,,",      // line 2
		"moving,Hal,,Ivy,,80 Main St,,,,06901,1 New Rd,,,,06902,2026-06,,",          // line 3: move type
		"individual,Hal,,Ivy,,80 Main St,,,,06901,1 New Rd,,,,06902,June 2026,,",    // line 4: date
		"business,,,,,80 Main St,,,,06901,1 New Rd,,,,06902,2026-06,,",              // line 5: no firm
		"individual,Hal,,Ivy,,80 Main St,,,,06901,,,,,,2026-06,,",                   // line 6: no new address
		"individual,Hal,,Ivy,,80 Main St,,,,06901,1 New Rd,,,,06902,2026-06,maybe,", // line 7: flag
	)
	if sum.Total != 6 || sum.Loaded != 1 || sum.Bad != 5 || l.BadRows != 5 || l.Status != coa.ListActive {
		t.Fatalf("summary %+v list %+v", sum, l)
	}
	_, errs, err := e.coa.List(context.Background(), e.staff, l.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]string{3: "move_type", 4: "move_effective_date", 5: "firm", 6: "no new address", 7: "moved_left_no_address"}
	if len(errs) != len(want) {
		t.Fatalf("errors %v", errs)
	}
	for _, le := range errs {
		if !strings.Contains(le.Reason, want[le.Line]) {
			t.Errorf("line %d: %q, want mention of %q", le.Line, le.Reason, want[le.Line])
		}
	}
	// A file without the required columns fails as a whole.
	bad, _ := e.loadFile("name,address\nBob,1 Main St\n", "bad.csv", 0)
	if bad.Status != coa.ListFailed || !strings.Contains(bad.Message, "move_type") {
		t.Errorf("refused file: %+v", bad)
	}
}

func TestCOAXLSXUpload(t *testing.T) {
	e := newCOAEnv(t, 0)
	e.add(e.owner, "Ida Lane", "", "90 Main St", "06901")
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	hdr := strings.Split(strings.TrimSpace(coaHeader), ",")
	row := strings.Split("individual,Ida,,Lane,,90 Main St,,,,06901,5 Bay Rd,,,,06902,2026-08-01,,", ",")
	for i, r := range [][]string{hdr, row} {
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, vals); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "list.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	l, sum := e.loadPath(path, "list.xlsx", 0)
	if l.Status != coa.ListActive || sum.Loaded != 1 {
		t.Fatalf("xlsx: %+v %+v", l, sum)
	}
	if m := e.matches(e.owner, ""); m["Ida Lane"].New.Line1 != "5 BAY RD" {
		t.Errorf("xlsx match: %v", m)
	}
	_ = os.Remove(path)
}

func TestCOAAcceptDismissAndHistory(t *testing.T) {
	e := newCOAEnv(t, 0)
	ctx := context.Background()
	jo := e.add(e.owner, "Jo March", "", "100 Main St", "06901")
	e.add(e.owner, "Amy March", "", "101 Main St", "06901")
	e.load(
		"individual,Jo,,March,,100 Main St,,,,06901,7 Orchard St,,Concord,MA,01742,2026-09,,",
		"individual,Amy,,March,,101 Main St,,,,06901,8 Orchard St,,Concord,MA,01742,2026-09,,",
	)
	m := e.matches(e.owner, "")
	if _, err := e.coa.Accept(ctx, e.other, m["Jo March"].ID); apperr.KindOf(err) != apperr.KindNotFound {
		t.Errorf("another account accepted: %v", err)
	}
	if _, err := e.coa.Accept(ctx, e.owner, m["Jo March"].ID); err != nil {
		t.Fatal(err)
	}
	got, err := e.book.Get(ctx, e.owner, jo.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Fields.Line1 != "7 ORCHARD ST" || got.Fields.ZIP != "01742" {
		t.Errorf("entry not moved: %+v", got.Fields)
	}
	h, err := e.book.History(ctx, e.owner, jo.ID)
	if err != nil || len(h) != 1 || h[0].Source != "coa" || h[0].Fields.Line1 != jo.Fields.Line1 {
		t.Errorf("history %+v %v", h, err)
	}
	if _, err := e.coa.Dismiss(ctx, e.owner, m["Amy March"].ID); err != nil {
		t.Fatal(err)
	}
	if len(e.matches(e.owner, "")) != 0 || len(e.matches(e.owner, coa.MatchAccepted)) != 1 || len(e.matches(e.owner, coa.MatchDismissed)) != 1 {
		t.Error("statuses after accept and dismiss")
	}
	// Matching again does not bring back a dismissed match.
	if _, err := e.coa.MatchAccount(ctx, e.owner.AccountID); err != nil {
		t.Fatal(err)
	}
	if len(e.matches(e.owner, "")) != 0 {
		t.Error("a decided match came back")
	}
}

func TestCOAPrivacyAndAccessLog(t *testing.T) {
	e := newCOAEnv(t, 0)
	ctx := context.Background()
	e.add(e.owner, "Kim Park", "", "110 Main St", "06901")
	e.add(e.other, "Lee Park", "", "110 Main St", "06901")
	e.load(
		"family,,,Park,,110 Main St,,,,06901,9 Kim Rd,,,,06902,2026-09,,",
	)
	if m := e.matches(e.owner, ""); len(m) != 1 || m["Kim Park"].ID == 0 {
		t.Errorf("owner sees %v", m)
	}
	if m := e.matches(e.other, ""); len(m) != 1 || m["Lee Park"].ID == 0 {
		t.Errorf("other sees %v", m)
	}
	if _, err := e.coa.Lists(ctx, e.owner, 10); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("a mailer listed COA lists: %v", err)
	}
	if _, _, err := e.coa.Matches(ctx, e.staff, "", 0, 10); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("staff read a mailer's matches: %v", err)
	}
	var n int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM coa_access_log WHERE action = 'view_matches' AND user_id = $1`, e.owner.ID).Scan(&n); err != nil || n == 0 {
		t.Errorf("match views not logged: %d %v", n, err)
	}
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM coa_access_log WHERE action IN ('upload_list','view_list') AND user_id = $1`, e.staff.ID).Scan(&n); err != nil || n < 2 {
		t.Errorf("list access not logged: %d %v", n, err)
	}
}

func TestCOALookupAndBookMatch(t *testing.T) {
	e := newCOAEnv(t, 0)
	ctx := context.Background()
	e.load("individual,Maggie,,Stone,,120 Main St,,,,06901,3 River Rd,,,,06902,2026-10,,")
	c, _ := address.New()
	res := c.Cleanse("120 Main Street\nStamford CT 06901")
	mv, err := e.coa.Lookup(ctx, e.owner.AccountID, res, "Margaret Stone")
	if err != nil || mv == nil || mv.Code != coa.CodeNewAddress || mv.New.Line1 != "3 RIVER RD" {
		t.Fatalf("lookup: %+v %v", mv, err)
	}
	if mv, err := e.coa.Lookup(ctx, e.owner.AccountID, res, "Peter Stone"); err != nil || mv != nil {
		t.Errorf("another name: %+v %v", mv, err)
	}
	// An entry added after the list arrives is matched by its account's job.
	e.add(e.owner, "Maggie Stone", "", "120 Main St", "06901")
	if _, err := e.coa.MatchAccount(ctx, e.owner.AccountID); err != nil {
		t.Fatal(err)
	}
	if m := e.matches(e.owner, ""); m["Maggie Stone"].New.Line1 != "3 RIVER RD" {
		t.Errorf("book match: %v", m)
	}
}

func TestCOAGzipUpload(t *testing.T) {
	e := newCOAEnv(t, 0)
	e.add(e.owner, "Zed Gzip", "", "130 Main St", "06901")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(coaHeader + "individual,Zed,,Gzip,,130 Main St,,,,06901,1 Zip Rd,,,,06902,2026-10,,\n"))
	zw.Close()
	l, sum := e.loadFile(buf.String(), "list.csv.gz", 0)
	if l.Status != coa.ListActive || sum.Loaded != 1 {
		t.Fatalf("gzip: %+v %+v", l, sum)
	}
	if m := e.matches(e.owner, ""); m["Zed Gzip"].New.Line1 != "1 ZIP RD" {
		t.Errorf("gzip match: %v", m)
	}
}

func TestCOAImportReportsProgress(t *testing.T) {
	e := newCOAEnv(t, 0)
	ctx := context.Background()
	var sb strings.Builder
	sb.WriteString(coaHeader)
	for i := range 10_000 {
		fmt.Fprintf(&sb, "family,,,Prog%d,,%d Main St,,,,06901,%d Oak Ave,,,,06902,2026-06,,\n", i, i+1, i+1)
	}
	path, err := coa.SaveUpload(t.TempDir(), strings.NewReader(sb.String()))
	if err != nil {
		t.Fatal(err)
	}
	l, _, err := e.coa.CreateList(ctx, e.staff, coa.COAListInput{Source: "progress", Filename: "p.csv", Path: path})
	if err != nil {
		t.Fatal(err)
	}
	var calls int
	var lastDone, lastEst int64
	if _, err := e.coa.ImportList(ctx, l.ID, func(done, est int64, _ string) { calls, lastDone, lastEst = calls+1, done, est }); err != nil {
		t.Fatal(err)
	}
	if calls < 2 || lastDone != 10_000 || lastEst != 10_000 {
		t.Errorf("progress: %d calls, last %d of %d", calls, lastDone, lastEst)
	}
}
