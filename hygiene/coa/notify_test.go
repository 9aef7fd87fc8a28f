package coa_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"indicia/accounts"
	"indicia/hygiene/address"
	"indicia/hygiene/coa"
)

// owners is an OwnerFinder over a fixed map.
type owners map[int64]accounts.Contact

func (o owners) AccountOwner(_ context.Context, accountID int64) (accounts.Contact, error) {
	c, ok := o[accountID]
	if !ok {
		return accounts.Contact{}, errors.New("no owner")
	}
	return c, nil
}

func TestCOANotifiesTheOwnerTheFinderNames(t *testing.T) {
	e := newCOAEnv(t, 0)
	c, err := address.New()
	if err != nil {
		t.Fatal(err)
	}
	var mails []string
	e.coa, err = coa.New(e.pool, c, coa.Options{Now: func() time.Time { return coaNow }, BaseURL: "http://x",
		Owners: owners{e.owner.AccountID: {Email: "desk@example.com", Name: "Front Desk"}},
		Notify: func(_ context.Context, to, subject, body string) error {
			mails = append(mails, to+"|"+subject+"|"+body)
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	e.add(e.owner, "Robert J. Smith", "", "2 Oak St", "06901")
	e.add(e.other, "Robert J. Smith", "", "2 Oak St", "06901")
	e.load("individual,Bob,J,Smith,,2 Oak Street,,Stamford,CT,06901,200 Oak St,,Stamford,CT,06902,2026-06-15,,")
	// The other account's owner is unknown to the finder: its matches stay
	// on the page and nobody is emailed.
	if len(mails) != 1 || !strings.HasPrefix(mails[0], "desk@example.com|One of your recipients moved|Hello Front Desk,") {
		t.Errorf("mails = %q", mails)
	}
	if m := e.matches(e.other, ""); len(m) != 1 {
		t.Errorf("other account's matches = %v, want 1", m)
	}
}
