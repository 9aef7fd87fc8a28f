package addressbook_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db/dbtest"
	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
)

type bookEnv struct {
	pool                 *pgxpool.Pool
	book                 *addressbook.Book
	c                    *address.Cleanser
	owner, clerk, reader accounts.User
	otherOwner, staff    accounts.User
}

func newBookEnv(t testing.TB) *bookEnv {
	t.Helper()
	pool := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	acc, err := accounts.New(pool, rdb, accounts.Options{RedisPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	signUp := func(email string) accounts.User {
		u, _, err := acc.SignUp(ctx, accounts.SignUpInput{Name: "Owner", Company: "Co " + email, Email: email, Password: "correct horse battery",
			Address: accounts.Address{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06901"}})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	mk := func(email, role string, acct int64, perms []string) accounts.User {
		u, err := acc.CreateUser(ctx, accounts.System, accounts.CreateInput{Email: email, Name: email, Role: role, AccountID: acct,
			Password: "correct horse battery", Permissions: perms})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	e := &bookEnv{pool: pool}
	e.owner = signUp("owner@example.com")
	e.otherOwner = signUp("other@example.com")
	e.clerk = mk("clerk@example.com", "mailer_user", e.owner.AccountID, []string{"buy_postage"})
	e.reader = mk("reader@example.com", "mailer_user", e.owner.AccountID, []string{"export_reports"})
	e.staff = mk("staff@example.com", "postal_staff", 0, nil)
	e.c, err = address.New()
	if err != nil {
		t.Fatal(err)
	}
	e.book = addressbook.New(pool, e.c)
	return e
}

func TestAddressBookCreateStandardizesAndKeepsHistory(t *testing.T) {
	e := newBookEnv(t)
	ctx := context.Background()
	in := addressbook.EntryInput{Name: "Ann Lee", Company: "Lee & Co", Fields: address.Fields{Line1: "123 main street apt 4", City: "Springfeld", State: "IL", ZIP: "62704"},
		Decision: addressbook.DecisionSuggested}
	ent, err := e.book.Create(ctx, e.clerk, in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.book.Get(ctx, e.owner, ent.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Fields.Line1 != "123 MAIN ST APT 4" || got.Fields.City != "SPRINGFIELD" || got.Status != address.StatusCorrected {
		t.Fatalf("saved %+v", got)
	}
	if len(got.Reasons) == 0 || !strings.Contains(got.Reasons[0], "SPRINGFIELD") || got.MatchKey != "123 MAIN ST # 4|62704" {
		t.Errorf("reasons %q key %q", got.Reasons, got.MatchKey)
	}

	// Keep mine: saved as typed, status still recorded.
	in2 := in
	in2.Fields = address.Fields{Line1: "9 Elm Street", City: "Boston", State: "CA", ZIP: "02108"}
	in2.Decision = addressbook.DecisionMine
	if _, err := e.book.Update(ctx, e.owner, ent.ID, in2); err != nil {
		t.Fatal(err)
	}
	got, _ = e.book.Get(ctx, e.owner, ent.ID)
	if got.Fields.Line1 != "9 Elm Street" || got.Fields.State != "CA" || got.Status != address.StatusCorrected {
		t.Errorf("kept mine: %+v", got)
	}
	hist, err := e.book.History(ctx, e.reader, ent.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 || hist[0].Fields.Line1 != "123 MAIN ST APT 4" || hist[0].Source != "edit" {
		t.Fatalf("history %+v", hist)
	}
	// A change of name only is not an address change.
	in2.Name = "Ann B. Lee"
	if _, err := e.book.Update(ctx, e.owner, ent.ID, in2); err != nil {
		t.Fatal(err)
	}
	if hist, _ := e.book.History(ctx, e.owner, ent.ID); len(hist) != 1 {
		t.Errorf("history after a name change: %d entries", len(hist))
	}
}

func TestAddressBookValidation(t *testing.T) {
	e := newBookEnv(t)
	_, err := e.book.Create(context.Background(), e.owner, addressbook.EntryInput{Email: "not an email"})
	fields, ok := apperr.AsFields(err)
	if !ok || fields["line1"] == "" || fields["zip"] == "" || fields["email"] == "" {
		t.Fatalf("err = %v (%v)", err, fields)
	}
}

func TestAddressBookAuthorization(t *testing.T) {
	e := newBookEnv(t)
	ctx := context.Background()
	ent, err := e.book.Create(ctx, e.owner, addressbook.EntryInput{Name: "Zed", Fields: address.Fields{Line1: "350 5th Ave", City: "New York", State: "NY", ZIP: "10118"}})
	if err != nil {
		t.Fatal(err)
	}
	upd := addressbook.EntryInput{Name: "Hacked", Fields: address.Fields{Line1: "1 Evil Way", ZIP: "10118"}}
	// Another account can neither see nor change nor delete it.
	if _, err := e.book.Get(ctx, e.otherOwner, ent.ID); apperr.KindOf(err) != apperr.KindNotFound {
		t.Errorf("other account Get: %v", err)
	}
	if _, err := e.book.Update(ctx, e.otherOwner, ent.ID, upd); apperr.KindOf(err) != apperr.KindNotFound {
		t.Errorf("other account Update: %v", err)
	}
	if err := e.book.Delete(ctx, e.otherOwner, ent.ID); apperr.KindOf(err) != apperr.KindNotFound {
		t.Errorf("other account Delete: %v", err)
	}
	if list, _ := e.book.Search(ctx, e.otherOwner, "", 10); len(list) != 0 {
		t.Errorf("other account sees %d entries", len(list))
	}
	// A user without buy_postage reads but does not edit; staff have no book.
	if list, err := e.book.Search(ctx, e.reader, "zed", 10); err != nil || len(list) != 1 {
		t.Errorf("reader search: %v %d", err, len(list))
	}
	if _, err := e.book.Update(ctx, e.reader, ent.ID, upd); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("reader Update: %v", err)
	}
	if _, err := e.book.Search(ctx, e.staff, "", 10); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("staff Search: %v", err)
	}
	got, _ := e.book.Get(ctx, e.owner, ent.ID)
	if got.Name != "Zed" {
		t.Errorf("entry changed to %+v", got)
	}
	if err := e.book.Delete(ctx, e.clerk, ent.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.book.Get(ctx, e.owner, ent.ID); apperr.KindOf(err) != apperr.KindNotFound {
		t.Errorf("after delete: %v", err)
	}
}

func TestAddressBookSearchAndPages(t *testing.T) {
	e := newBookEnv(t)
	ctx := context.Background()
	for _, x := range []struct{ name, company, line1, city, st, zip string }{
		{"Alice", "Acme", "1 Main St", "Stamford", "CT", "06901"},
		{"Bob", "Widgets 100%", "2 Main St", "Boston", "MA", "02108"},
		{"Carol", "", "3 Main St", "Austin", "TX", "78701"},
	} {
		if _, err := e.book.Create(ctx, e.owner, addressbook.EntryInput{Name: x.name, Company: x.company,
			Fields: address.Fields{Line1: x.line1, City: x.city, State: x.st, ZIP: x.zip}, Decision: addressbook.DecisionSuggested}); err != nil {
			t.Fatal(err)
		}
	}
	names := func(q string) string {
		list, err := e.book.Search(ctx, e.owner, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, x := range list {
			n = append(n, x.Name)
		}
		return strings.Join(n, ",")
	}
	for q, want := range map[string]string{"": "Alice,Bob,Carol", "acme": "Alice", "BOSTON": "Bob", "787": "Carol", "100%": "Bob", "%": "Bob", "_": ""} {
		if got := names(q); got != want {
			t.Errorf("search %q: %q, want %q", q, got, want)
		}
	}
	page, total, err := e.book.List(ctx, e.owner, "", 2, 2)
	if err != nil || total != 3 || len(page) != 1 || page[0].Name != "Carol" {
		t.Errorf("page 2: %v %d %+v", err, total, page)
	}
}

func TestAddressBookImportReportsBadRowsAndImportsTheRest(t *testing.T) {
	e := newBookEnv(t)
	ctx := context.Background()
	data := []byte("Name,Company,Address,City,State,ZIP Code,Email\n" +
		"Ann,Acme,123 main street,Springfeld,IL,62704,ann@example.com\n" +
		"Bob,,,Boston,MA,,\n" + // no address
		"Cy,,9 Oak St,Austin,TX,78701,not-an-email\n" +
		"Di,,\"4 \"Pine\" St\",Dallas,TX,75201,\n" + // broken quotes
		"Ed,,5 Ash St,Reno,NV,89501,\n")
	im, err := address.NewImport(bytes.NewReader(data), int64(len(data)), "book.csv", addressbook.AddressBookImportSpec)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	rep, err := e.book.Import(ctx, e.clerk, im)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 2 || rep.BadCount != 3 {
		t.Fatalf("report %+v", rep)
	}
	lines := map[int]string{}
	for _, b := range rep.Bad {
		lines[b.Line] = b.Reason
	}
	if !strings.Contains(lines[3], "line1") || !strings.Contains(lines[4], "email") || !strings.Contains(lines[5], "quote") {
		t.Errorf("bad rows %+v", rep.Bad)
	}
	list, _ := e.book.Search(ctx, e.owner, "ann", 10)
	if len(list) != 1 || list[0].Fields.Line1 != "123 MAIN ST" || list[0].Fields.City != "SPRINGFIELD" || list[0].Email != "ann@example.com" {
		t.Errorf("imported %+v", list)
	}
	// A reader may not import.
	im2, _ := address.NewImport(bytes.NewReader(data), int64(len(data)), "book.csv", addressbook.AddressBookImportSpec)
	if _, err := e.book.Import(ctx, e.reader, im2); !errors.Is(err, err) || apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("reader import: %v", err)
	}
}

// An Excel address book whose ZIP column holds numbers (06901 saved as 6901)
// imports valid addresses with the ZIP's leading zero back.
func TestAddressBookImportXLSXNumericZIPKeepsLeadingZero(t *testing.T) {
	e := newBookEnv(t)
	ctx := context.Background()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range [][]any{
		{"Name", "Address", "City", "State", "ZIP"},
		{"Ann", "1 Main St", "Stamford", "CT", 6901},
	} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	if typ, _ := f.GetCellType("Sheet1", "E2"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Fatalf("the ZIP cell is not a number (%v): the test proves nothing", typ)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	im, err := address.NewImport(bytes.NewReader(data), int64(len(data)), "book.xlsx", addressbook.AddressBookImportSpec)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	rep, err := e.book.Import(ctx, e.clerk, im)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 1 || rep.BadCount != 0 {
		t.Fatalf("report %+v", rep)
	}
	list, _ := e.book.Search(ctx, e.owner, "ann", 10)
	if len(list) != 1 || list[0].Fields.ZIP != "06901" || list[0].Status == address.StatusInvalid {
		t.Errorf("imported %+v", list)
	}
}

// cancellingReader cancels its context once a read passes at.
type cancellingReader struct {
	r       io.ReaderAt
	at      int64
	cancel  context.CancelFunc
	maxRead atomic.Int64
}

func (c *cancellingReader) ReadAt(p []byte, off int64) (int, error) {
	if off > c.at {
		c.cancel()
	}
	if end := off + int64(len(p)); end > c.maxRead.Load() {
		c.maxRead.Store(end)
	}
	return c.r.ReadAt(p, off)
}

func TestAddressBookImportStopsWhenTheRequestEnds(t *testing.T) {
	e := newBookEnv(t)
	var b bytes.Buffer
	b.WriteString("Name,Address,City,State,ZIP\n")
	for i := 0; b.Len() < 2<<20; i++ {
		fmt.Fprintf(&b, "Ann %d,%d Main St,Springfield,IL,62704\n", i, i+1)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &cancellingReader{r: bytes.NewReader(b.Bytes()), at: 256 << 10, cancel: cancel}
	im, err := address.NewImport(src, int64(b.Len()), "book.csv", addressbook.AddressBookImportSpec)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	if _, err := e.book.Import(ctx, e.clerk, im); !errors.Is(err, context.Canceled) {
		t.Fatalf("import after the request ended: %v", err)
	}
	if n := src.maxRead.Load(); n > 1<<20 {
		t.Errorf("read %d of %d bytes after the request ended", n, b.Len())
	}
	if list, _ := e.book.Search(context.Background(), e.owner, "ann", 10); len(list) != 0 {
		t.Errorf("imported %d entries", len(list))
	}
}

// An address book with the whole address in one column is split into its
// columns, with a lost leading zero restored and said; a row with neither
// ZIP nor city and state is refused at its line.
func TestAddressBookImportOneColumn(t *testing.T) {
	e := newBookEnv(t)
	ctx := context.Background()
	csv := "name,address\n" +
		"Ann One,\"12 Main St, Boston MA 2108\"\n" +
		"Bob One,12 Main St\n"
	im, err := address.NewImport(bytes.NewReader([]byte(csv)), int64(len(csv)), "book.csv", addressbook.AddressBookImportSpec)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	rep, err := e.book.Import(ctx, e.clerk, im)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 1 || rep.BadCount != 1 || len(rep.Bad) != 1 || rep.Bad[0].Line != 3 || !strings.Contains(rep.Bad[0].Reason, "ZIP") {
		t.Fatalf("report %+v", rep)
	}
	list, _ := e.book.Search(ctx, e.owner, "ann one", 10)
	if len(list) != 1 {
		t.Fatalf("imported %+v", list)
	}
	got := list[0]
	if got.Fields.Line1 != "12 MAIN ST" || got.Fields.City != "BOSTON" || got.Fields.State != "MA" || got.Fields.ZIP != "02108" {
		t.Errorf("fields %+v", got.Fields)
	}
	if !strings.Contains(strings.Join(got.Reasons, "; "), "leading zero was lost") {
		t.Errorf("reasons %q", got.Reasons)
	}
}
