package addressbook_test

import (
	"context"
	"testing"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
)

func (e *bookEnv) entry(t *testing.T, actor accounts.User, name string) addressbook.Entry {
	t.Helper()
	ent, err := e.book.Create(context.Background(), actor, addressbook.EntryInput{Name: name,
		Fields: address.Fields{Line1: "350 5th Ave", City: "New York", State: "NY", ZIP: "10118"}})
	if err != nil {
		t.Fatal(err)
	}
	return ent
}

func memberNames(list []addressbook.Entry) []string {
	var out []string
	for _, e := range list {
		out = append(out, e.Name)
	}
	return out
}

func TestAddressGroupsCreateRenameMembersDelete(t *testing.T) {
	e := newBookEnv(t)
	ctx := context.Background()
	ann, bob, cy := e.entry(t, e.owner, "Ann"), e.entry(t, e.owner, "Bob"), e.entry(t, e.owner, "Cy")

	g, err := e.book.CreateGroup(ctx, e.clerk, "  Board members ", []int64{bob.ID, ann.ID, ann.ID})
	if err != nil {
		t.Fatal(err)
	}
	if g.Name != "Board members" || g.Members != 2 {
		t.Fatalf("created %+v, want Board members with 2", g)
	}
	if _, err := e.book.CreateGroup(ctx, e.owner, "board MEMBERS", nil); apperr.KindOf(err) != apperr.KindConflict {
		t.Fatalf("same name again: %v, want a conflict", err)
	}
	if _, err := e.book.CreateGroup(ctx, e.owner, " ", nil); apperr.KindOf(err) != apperr.KindInvalid {
		t.Fatalf("empty name: %v, want invalid", err)
	}

	g, err = e.book.UpdateGroup(ctx, e.owner, g.ID, addressbook.GroupChange{Name: "Board", Add: []int64{cy.ID}, Remove: []int64{bob.ID}})
	if err != nil {
		t.Fatal(err)
	}
	got, list, err := e.book.Group(ctx, e.reader, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if names := memberNames(list); got.Name != "Board" || len(names) != 2 || names[0] != "Ann" || names[1] != "Cy" {
		t.Fatalf("after the change: %q %v, want Board [Ann Cy]", got.Name, names)
	}

	// A change naming an entry that is not the account's changes nothing.
	stranger := e.entry(t, e.otherOwner, "Stranger")
	if _, err := e.book.UpdateGroup(ctx, e.owner, g.ID, addressbook.GroupChange{Name: "Renamed", Add: []int64{stranger.ID}}); apperr.KindOf(err) != apperr.KindInvalid {
		t.Fatalf("adding another account's entry: %v, want invalid", err)
	}
	if got, list, _ := e.book.Group(ctx, e.owner, g.ID); got.Name != "Board" || len(list) != 2 {
		t.Fatalf("a refused change was half applied: %q with %d", got.Name, len(list))
	}

	// Deleting an entry drops it from the group.
	if err := e.book.Delete(ctx, e.owner, cy.ID); err != nil {
		t.Fatal(err)
	}
	groups, err := e.book.Groups(ctx, e.owner)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || groups[0].Members != 1 {
		t.Fatalf("groups after deleting an entry: %+v", groups)
	}

	// Readers read, only editors change.
	if _, err := e.book.UpdateGroup(ctx, e.reader, g.ID, addressbook.GroupChange{Name: "Mine"}); apperr.KindOf(err) != apperr.KindForbidden {
		t.Fatalf("reader renaming: %v, want forbidden", err)
	}
	if err := e.book.DeleteGroup(ctx, e.owner, g.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.book.Get(ctx, e.owner, ann.ID); err != nil {
		t.Fatalf("deleting the group deleted its entry: %v", err)
	}
	if err := e.book.DeleteGroup(ctx, e.owner, g.ID); apperr.KindOf(err) != apperr.KindNotFound {
		t.Fatalf("deleting twice: %v, want not found", err)
	}
}

func TestAddressGroupsAreTheAccountsOwn(t *testing.T) {
	e := newBookEnv(t)
	ctx := context.Background()
	g, err := e.book.CreateGroup(ctx, e.owner, "Mine", []int64{e.entry(t, e.owner, "Ann").ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.book.Group(ctx, e.otherOwner, g.ID); apperr.KindOf(err) != apperr.KindNotFound {
		t.Fatalf("another account reading: %v, want not found", err)
	}
	if _, err := e.book.UpdateGroup(ctx, e.otherOwner, g.ID, addressbook.GroupChange{Name: "Theirs"}); apperr.KindOf(err) != apperr.KindNotFound {
		t.Fatalf("another account renaming: %v, want not found", err)
	}
	if err := e.book.DeleteGroup(ctx, e.otherOwner, g.ID); apperr.KindOf(err) != apperr.KindNotFound {
		t.Fatalf("another account deleting: %v, want not found", err)
	}
	if list, err := e.book.Groups(ctx, e.otherOwner); err != nil || len(list) != 0 {
		t.Fatalf("another account's list: %v %v, want empty", list, err)
	}
	if _, err := e.book.Groups(ctx, e.staff); apperr.KindOf(err) != apperr.KindForbidden {
		t.Fatalf("postal staff: %v, want forbidden", err)
	}
}
