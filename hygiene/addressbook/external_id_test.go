package addressbook_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"indicia/apperr"
	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
)

func TestAddressBookExternalID(t *testing.T) {
	e := newBookEnv(t)
	ctx := context.Background()
	in := addressbook.EntryInput{Name: "Ann Ash", ExternalID: " C-1 ", Reference: "policy 9", Fields: address.Fields{Line1: "80 Main St", ZIP: "06901"}}
	a, err := e.book.Create(ctx, e.owner, in)
	if err != nil || a.ExternalID != "C-1" || a.Reference != "policy 9" {
		t.Fatalf("create: %+v %v", a, err)
	}
	got, err := e.book.Get(ctx, e.owner, a.ID)
	if err != nil || got.ExternalID != "C-1" || got.Reference != "policy 9" {
		t.Fatalf("get: %+v %v", got, err)
	}
	// Unique within the account, at the field; another account may reuse it.
	in.ExternalID = "C-1"
	if _, err := e.book.Create(ctx, e.owner, in); apperr.KindOf(err) != apperr.KindConflict || fieldOf(err) != "external_id" {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := e.book.Create(ctx, e.otherOwner, in); err != nil {
		t.Errorf("other account: %v", err)
	}
	b, err := e.book.Create(ctx, e.owner, addressbook.EntryInput{Name: "Bo", ExternalID: "C-2", Fields: address.Fields{Line1: "81 Main St", ZIP: "06901"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.book.Update(ctx, e.owner, b.ID, addressbook.EntryInput{Name: "Bo", ExternalID: "C-1", Fields: b.Fields}); apperr.KindOf(err) != apperr.KindConflict {
		t.Errorf("update to a taken id: %v", err)
	}
	// Import: a repeated id in the file and an id already in the book are
	// refused by line; the rest is imported with its ids.
	data := []byte("name,line1,zip,customer id,reference\n" +
		"Cy,82 Main St,06901,C-3,r3\n" +
		"Di,83 Main St,06901,C-3,r4\n" +
		"Ed,84 Main St,06901,C-1,r5\n" +
		"Fay,85 Main St,06901,,\n")
	im, err := address.NewImport(bytes.NewReader(data), int64(len(data)), "book.csv", addressbook.AddressBookImportSpec)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	rep, err := e.book.Import(ctx, e.owner, im)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 2 || rep.BadCount != 2 || len(rep.Bad) != 2 || rep.Bad[0].Line != 3 || rep.Bad[1].Line != 4 ||
		!strings.Contains(rep.Bad[0].Reason, "line 2") || !strings.Contains(rep.Bad[1].Reason, "already") {
		t.Fatalf("report %+v", rep)
	}
	n := 0
	for _, c := range rep.ByStatus {
		n += c
	}
	if n != 2 {
		t.Errorf("statuses count %d rows, want 2: %v", n, rep.ByStatus)
	}
	list, _ := e.book.Search(ctx, e.owner, "Cy", 10)
	if len(list) != 1 || list[0].ExternalID != "C-3" || list[0].Reference != "r3" {
		t.Errorf("imported %+v", list)
	}
}

func fieldOf(err error) string {
	if ae, ok := err.(*apperr.Error); ok {
		return ae.Field
	}
	return ""
}

// A ZIP a spreadsheet stored as a number is restored from the city and
// state, with the reason kept on the entry; a wrong short ZIP is not.
func TestAddressBookImportRestoresLeadingZero(t *testing.T) {
	e := newBookEnv(t)
	ctx := context.Background()
	data := []byte("name,line1,city,state,zip\n" +
		"Ann,80 Main St,Stamford,CT,6901\n" +
		"Bo,81 Main St,Stamford,CT,9999\n")
	im, err := address.NewImport(bytes.NewReader(data), int64(len(data)), "book.csv", addressbook.AddressBookImportSpec)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	if _, err := e.book.Import(ctx, e.owner, im); err != nil {
		t.Fatal(err)
	}
	ann, _ := e.book.Search(ctx, e.owner, "Ann", 1)
	if len(ann) != 1 || ann[0].Fields.ZIP != "06901" || !strings.Contains(strings.Join(ann[0].Reasons, ";"), "leading zero") {
		t.Errorf("Ann: %+v", ann)
	}
	bo, _ := e.book.Search(ctx, e.owner, "Bo", 1)
	if len(bo) != 1 || bo[0].Fields.ZIP == "09999" || strings.Contains(strings.Join(bo[0].Reasons, ";"), "leading zero") {
		t.Errorf("Bo: %+v", bo)
	}
}
