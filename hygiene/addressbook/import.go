package addressbook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db"
	"indicia/hygiene/address"
)

// AddressBookColumns are the columns of an address-book import and export,
// in export order. The header row is required; see AddressBookImportSpec.
var AddressBookColumns = []string{"name", "company", "line1", "line2", "city", "state", "zip", "email", "phone", "department"}

// AddressBookImportSpec: line1 and either zip or city and state are required;
// common spellings of the headers are accepted.
var AddressBookImportSpec = address.ImportSpec{
	Columns:  AddressBookColumns,
	Required: [][]string{{"line1", "zip"}, {"line1", "city", "state"}},
	Aliases: map[string]string{
		"address": "line1", "address1": "line1", "address line 1": "line1", "street": "line1", "delivery line": "line1",
		"address2": "line2", "address line 2": "line2", "zipcode": "zip", "zip code": "zip", "postal code": "zip",
		"firm": "company", "organization": "company", "recipient": "name", "full name": "name", "dept": "department",
	},
}

// BadRow is a row an import skipped, with the reason.
type BadRow struct {
	Line   int
	Reason string
}

// maxBadRowsKept bounds the report of a file that is mostly wrong.
const maxBadRowsKept = 1000

// ImportReport is the outcome of an address-book import.
type ImportReport struct {
	Imported int
	ByStatus map[address.Status]int
	Bad      []BadRow // the first maxBadRowsKept
	BadCount int
}

// Import adds every good row of im to the actor's address book, standardized
// (the suggestion is saved when the cleanser found or corrected the address;
// an ambiguous or invalid one is kept as written, with its status). Bad rows
// are reported with their line numbers and the rest is imported, in one
// transaction. A file refused as a whole returns an *ImportError.
func (b *Book) Import(ctx context.Context, actor accounts.User, im *address.Importer) (ImportReport, error) {
	if err := AuthorizeEdit(actor); err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{ByStatus: map[address.Status]int{}}
	bad := func(line int, reason string) {
		rep.BadCount++
		if len(rep.Bad) < maxBadRowsKept {
			rep.Bad = append(rep.Bad, BadRow{line, reason})
		}
	}
	now := b.now().UTC()
	var rows [][]any
	for {
		// Cleansing runs for the request: a request that is over (its
		// deadline passed, the server stopping) stops it.
		if err := ctx.Err(); err != nil {
			return ImportReport{}, fmt.Errorf("addressbook: import address book: %w", err)
		}
		r, err := im.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return ImportReport{}, err
		}
		if r.Err != "" {
			bad(r.Line, r.Err)
			continue
		}
		v := r.Values
		in := EntryInput{Name: v[0], Company: v[1], Fields: address.Fields{Line1: v[2], Line2: v[3], City: v[4], State: v[5], ZIP: v[6]}, Email: v[7], Phone: v[8], Department: v[9]}
		if err := validateInput(in); err != nil {
			fields, _ := apperr.AsFields(err)
			var msgs []string
			for _, c := range AddressBookColumns {
				if m, ok := fields[c]; ok {
					msgs = append(msgs, c+": "+m)
				}
			}
			bad(r.Line, strings.Join(msgs, " "))
			continue
		}
		fc := b.c.CheckFields(in.Fields)
		if fc.Result.Status == address.StatusValid || fc.Result.Status == address.StatusCorrected {
			in.Decision = DecisionSuggested
		}
		e, _ := b.prepare(in)
		rep.ByStatus[e.Status]++
		rows = append(rows, []any{actor.AccountID, e.Name, e.Company, e.Fields.Line1, e.Fields.Line2, e.Fields.City, e.Fields.State,
			e.Fields.ZIP, e.ZIP4, e.Email, e.Phone, e.Department, string(e.Status), e.Reasons, e.DPV, e.MatchKey, actor.ID, now, now})
	}
	err := db.Transact(ctx, b.pool, func(tx pgx.Tx) error {
		n, err := tx.CopyFrom(ctx, pgx.Identifier{"address_book"}, []string{"account_id", "name", "company", "line1", "line2", "city", "state",
			"zip", "zip4", "email", "phone", "department", "status", "reasons", "dpv", "match_key", "created_by", "created_at", "updated_at"},
			pgx.CopyFromRows(rows))
		rep.Imported = int(n)
		return err
	})
	if err != nil {
		return ImportReport{}, fmt.Errorf("addressbook: import address book: %w", err)
	}
	return rep, nil
}

// ImportErrorMessage returns the user-facing message of a refused file, or "".
func ImportErrorMessage(err error) (msg string, tooLarge bool) {
	var ie *address.ImportError
	if errors.As(err, &ie) {
		return ie.Message, errors.Is(err, address.ErrImportTooLarge) || errors.Is(err, address.ErrImportBomb)
	}
	return "", false
}
