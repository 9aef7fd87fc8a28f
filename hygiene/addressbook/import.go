package addressbook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db"
	"indicia/hygiene/address"
)

// AddressBookColumns are the columns of an address-book import and export,
// in export order. The header row is required; see AddressBookImportSpec.
var AddressBookColumns = []string{"name", "company", "line1", "line2", "city", "state", "zip", "email", "phone", "department", "external_id", "reference"}

// AddressBookImportSpec: line1 is required, and each row needs a zip or a
// city and state, in their columns or at the end of line1 (the whole address
// in one column); common spellings of the headers are accepted.
var AddressBookImportSpec = address.ImportSpec{
	Columns:  AddressBookColumns,
	Required: [][]string{{"line1"}},
	Aliases: map[string]string{
		"address": "line1", "address1": "line1", "address line 1": "line1", "street": "line1", "delivery line": "line1",
		"address2": "line2", "address line 2": "line2", "zipcode": "zip", "zip code": "zip", "postal code": "zip",
		"firm": "company", "organization": "company", "recipient": "name", "full name": "name", "dept": "department",
		"customer id": "external_id", "customer number": "external_id", "external id": "external_id", "client id": "external_id",
		"ref": "reference", "your reference": "reference",
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
	type pendingRow struct {
		line   int
		ext    string
		status address.Status
		row    []any
	}
	var pending []pendingRow
	seen := map[string]int{} // external_id -> first line
	var extIDs []string
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
		in := EntryInput{Name: v[0], Company: v[1], Fields: address.Fields{Line1: v[2], Line2: v[3], City: v[4], State: v[5], ZIP: v[6]}, Email: v[7], Phone: v[8],
			Department: v[9], ExternalID: v[10], Reference: v[11]}
		// A spreadsheet that stored the ZIP as a number lost its leading
		// zero; it is restored when the city and state have that ZIP, and
		// the entry says so.
		var restored string
		in.Fields, restored = b.c.RestoreFieldsZIP(in.Fields, "zip")
		if in.Fields.OneCell() {
			// The whole address in line1: split into its columns when
			// it reads with a ZIP or a city and state.
			if s := b.c.CheckFields(in.Fields).Suggested; !s.OneCell() {
				in.Fields = s
			}
		}
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
		if restored != "" {
			e.Reasons = append(e.Reasons, restored)
		}
		if e.ExternalID != "" {
			if first, dup := seen[e.ExternalID]; dup {
				bad(r.Line, fmt.Sprintf("external_id: %q is also on line %d", e.ExternalID, first))
				continue
			}
			seen[e.ExternalID] = r.Line
			extIDs = append(extIDs, e.ExternalID)
		}
		pending = append(pending, pendingRow{line: r.Line, ext: e.ExternalID, status: e.Status, row: []any{actor.AccountID, e.Name, e.Company,
			e.Fields.Line1, e.Fields.Line2, e.Fields.City, e.Fields.State, e.Fields.ZIP, e.ZIP4, e.Email, e.Phone, e.Department, string(e.Status),
			e.Reasons, e.DPV, e.MatchKey, actor.ID, now, now, e.ExternalID, e.Reference}})
	}
	var late []BadRow // refused inside the transaction (applied once it commits)
	err := db.Transact(ctx, b.pool, func(tx pgx.Tx) error {
		// An external_id already in the book refuses its row, by line; the
		// rest is imported.
		late = late[:0]
		taken := map[string]bool{}
		if len(extIDs) > 0 {
			q, err := tx.Query(ctx, `SELECT external_id FROM address_book WHERE account_id = $1 AND external_id = ANY($2)`, actor.AccountID, extIDs)
			if err != nil {
				return err
			}
			ids, err := pgx.CollectRows(q, pgx.RowTo[string])
			if err != nil {
				return err
			}
			for _, id := range ids {
				taken[id] = true
			}
		}
		rows := make([][]any, 0, len(pending))
		for _, p := range pending {
			if p.ext != "" && taken[p.ext] {
				late = append(late, BadRow{p.line, fmt.Sprintf("external_id: %q is already in your address book", p.ext)})
				continue
			}
			rows = append(rows, p.row)
		}
		n, err := tx.CopyFrom(ctx, pgx.Identifier{"address_book"}, []string{"account_id", "name", "company", "line1", "line2", "city", "state",
			"zip", "zip4", "email", "phone", "department", "status", "reasons", "dpv", "match_key", "created_by", "created_at", "updated_at",
			"external_id", "reference"},
			pgx.CopyFromRows(rows))
		rep.Imported = int(n)
		return err
	})
	if db.IsUniqueViolation(err, "address_book_external_id_idx") {
		return ImportReport{}, apperr.Conflict("external_id", "Another change to your address book added some of these external ids at the same moment. Import the file again.")
	}
	if err != nil {
		return ImportReport{}, fmt.Errorf("addressbook: import address book: %w", err)
	}
	refused := map[int]bool{}
	for _, l := range late {
		bad(l.Line, l.Reason)
		refused[l.Line] = true
	}
	for _, p := range pending {
		if !refused[p.line] {
			rep.ByStatus[p.status]++
		}
	}
	if len(late) > 0 {
		sort.Slice(rep.Bad, func(i, j int) bool { return rep.Bad[i].Line < rep.Bad[j].Line })
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
