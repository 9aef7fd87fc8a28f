package addressbook

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db"
	"indicia/hygiene/address"
)

// Entry is one saved recipient of a mailer account.
type Entry struct {
	ID         int64
	AccountID  int64
	Name       string
	Company    string
	Fields     address.Fields
	ZIP4       string
	Email      string
	Phone      string
	Department string
	// ExternalID and Reference are the mailer's own identifiers for the
	// recipient, carried back in matches, exports and the API.
	ExternalID string
	Reference  string
	Status     address.Status
	Reasons    []string
	DPV        string
	MatchKey   string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// LastLine is "CITY ST ZIP" or "CITY ST ZIP-ZIP4".
func (e Entry) LastLine() string { return e.Fields.LastLine(e.ZIP4) }

// Decisions on a suggestion.
const (
	DecisionSuggested = "suggested" // save the standardized suggestion
	DecisionMine      = "mine"      // keep the address as typed
)

// EntryInput is a create or edit form.
type EntryInput struct {
	Name, Company, Email, Phone, Department string
	ExternalID, Reference                   string
	Fields                                  address.Fields
	// Decision is DecisionSuggested or DecisionMine; "" saves as typed.
	Decision string
}

// HistoryEntry is one previous address of an entry.
type HistoryEntry struct {
	Fields     address.Fields
	ZIP4       string
	Status     address.Status
	Source     string // edit, import, coa
	ReplacedAt time.Time
}

// Book is the address book of every mailer account. Every user of the
// account reads it; users who may buy postage (owners always) edit it.
type Book struct {
	pool *pgxpool.Pool
	c    *address.Cleanser
	now  func() time.Time
}

// New returns the address book over pool, cleansing with c.
func New(pool *pgxpool.Pool, c *address.Cleanser) *Book {
	return &Book{pool: pool, c: c, now: time.Now}
}

// Cleanser is the cleanser the book standardizes with.
func (b *Book) Cleanser() *address.Cleanser { return b.c }

// AuthorizeRead refuses an actor who may not read the account's book (nor
// the changes of address found in it).
func AuthorizeRead(actor accounts.User) error {
	if !actor.Role.IsMailer() || actor.AccountID == 0 || actor.Disabled {
		return apperr.Forbidden("Only mailer accounts have an address book.")
	}
	return nil
}

// AuthorizeEdit refuses an actor who may not change the account's book (nor
// accept or dismiss the changes of address found in it).
func AuthorizeEdit(actor accounts.User) error {
	if err := AuthorizeRead(actor); err != nil {
		return err
	}
	if !actor.Can(accounts.PermBuyPostage) {
		return apperr.Forbidden("You need the \"Buy postage\" permission to change the address book.")
	}
	return nil
}

// CanEdit reports whether actor may change the book (for showing buttons).
func CanEdit(actor accounts.User) bool { return AuthorizeEdit(actor) == nil }

func validateInput(in EntryInput) error {
	f := apperr.Fields{}
	if strings.TrimSpace(in.Fields.Line1) == "" {
		f["line1"] = "Enter the street address, PO Box or route."
	}
	if strings.TrimSpace(in.Fields.ZIP) == "" && (strings.TrimSpace(in.Fields.City) == "" || strings.TrimSpace(in.Fields.State) == "") {
		f["zip"] = "Enter the ZIP code, or the city and state."
	}
	if e := strings.TrimSpace(in.Email); e != "" {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			f["email"] = "Enter an email address like name@example.com, or leave it empty."
		}
	}
	long := map[string]string{"name": in.Name, "company": in.Company, "line1": in.Fields.Line1, "line2": in.Fields.Line2,
		"city": in.Fields.City, "state": in.Fields.State, "zip": in.Fields.ZIP, "email": in.Email, "phone": in.Phone, "department": in.Department}
	for k, v := range long {
		if len(v) > address.MaxImportFieldLen {
			f[k] = fmt.Sprintf("At most %d characters.", address.MaxImportFieldLen)
		}
	}
	if len(strings.TrimSpace(in.ExternalID)) > MaxExternalIDLen {
		f["external_id"] = fmt.Sprintf("At most %d characters.", MaxExternalIDLen)
	}
	if len(in.Reference) > address.MaxImportFieldLen {
		f["reference"] = fmt.Sprintf("At most %d characters.", address.MaxImportFieldLen)
	}
	return f.Err()
}

// MaxExternalIDLen bounds a mailer's own identifier of a recipient.
const MaxExternalIDLen = 100

// externalIDTaken is the refusal of an external_id another entry of the
// account already has.
func externalIDTaken(id string) error {
	return apperr.Conflict("external_id", fmt.Sprintf("Another address in your book already has the external id %q.", id))
}

// isExternalIDConflict reports a write refused by the unique index on
// (account_id, external_id).
func isExternalIDConflict(err error) bool {
	return db.IsUniqueViolation(err, "address_book_external_id_idx")
}

// prepare cleanses the input and picks the fields to store.
func (b *Book) prepare(in EntryInput) (Entry, address.FieldCheck) {
	fc := b.c.CheckFields(in.Fields)
	e := Entry{Name: strings.TrimSpace(in.Name), Company: strings.TrimSpace(in.Company), Email: strings.TrimSpace(in.Email),
		Phone: strings.TrimSpace(in.Phone), Department: strings.TrimSpace(in.Department),
		ExternalID: strings.TrimSpace(in.ExternalID), Reference: strings.TrimSpace(in.Reference),
		Fields: trimFields(in.Fields), Status: fc.Result.Status, Reasons: fc.Warnings(), DPV: fc.Result.DPV}
	if in.Decision == DecisionSuggested {
		e.Fields = fc.Suggested
		e.ZIP4 = fc.Result.ZIP4
		e.MatchKey = fc.Result.Key()
	} else if !fc.Differs {
		e.ZIP4 = fc.Result.ZIP4
		e.MatchKey = fc.Result.Key()
	} else {
		// Kept as typed: its key is the standardized form of what was typed,
		// which is what the cleanser produced anyway.
		e.MatchKey = fc.Result.Key()
	}
	if e.Reasons == nil {
		e.Reasons = []string{}
	}
	return e, fc
}

func trimFields(f address.Fields) address.Fields {
	return address.Fields{Line1: strings.TrimSpace(f.Line1), Line2: strings.TrimSpace(f.Line2), City: strings.TrimSpace(f.City), State: strings.TrimSpace(f.State), ZIP: strings.TrimSpace(f.ZIP)}
}

// Check cleanses an address for the live check and the no-JavaScript form.
func (b *Book) Check(f address.Fields) address.FieldCheck { return b.c.CheckFields(f) }

// Create saves a new entry.
func (b *Book) Create(ctx context.Context, actor accounts.User, in EntryInput) (Entry, error) {
	if err := AuthorizeEdit(actor); err != nil {
		return Entry{}, err
	}
	if err := validateInput(in); err != nil {
		return Entry{}, err
	}
	e, _ := b.prepare(in)
	e.AccountID = actor.AccountID
	now := b.now().UTC()
	e.CreatedAt, e.UpdatedAt = now, now
	err := b.pool.QueryRow(ctx, `INSERT INTO address_book (account_id, name, company, line1, line2, city, state, zip, zip4, email, phone, department,
		status, reasons, dpv, match_key, created_by, created_at, updated_at, external_id, reference)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$18,$19,$20) RETURNING id`,
		e.AccountID, e.Name, e.Company, e.Fields.Line1, e.Fields.Line2, e.Fields.City, e.Fields.State, e.Fields.ZIP, e.ZIP4,
		e.Email, e.Phone, e.Department, string(e.Status), e.Reasons, e.DPV, e.MatchKey, actor.ID, now, e.ExternalID, e.Reference).Scan(&e.ID)
	if isExternalIDConflict(err) {
		return Entry{}, externalIDTaken(e.ExternalID)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("addressbook: create address book entry: %w", err)
	}
	return e, nil
}

// Update saves an edit; a changed address goes to the entry's history first.
func (b *Book) Update(ctx context.Context, actor accounts.User, id int64, in EntryInput) (Entry, error) {
	if err := AuthorizeEdit(actor); err != nil {
		return Entry{}, err
	}
	if err := validateInput(in); err != nil {
		return Entry{}, err
	}
	e, _ := b.prepare(in)
	err := db.Transact(ctx, b.pool, func(tx pgx.Tx) error {
		now := b.now().UTC()
		old, err := getEntry(ctx, tx, actor.AccountID, id, true)
		if err != nil {
			return err
		}
		if old.Fields != e.Fields || old.ZIP4 != e.ZIP4 {
			if err := appendHistory(ctx, tx, old, "edit", actor.ID, now); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE address_book SET name=$3, company=$4, line1=$5, line2=$6, city=$7, state=$8, zip=$9, zip4=$10,
			email=$11, phone=$12, department=$13, status=$14, reasons=$15, dpv=$16, match_key=$17, updated_at=$18, external_id=$19, reference=$20
			WHERE id = $1 AND account_id = $2`, id, actor.AccountID, e.Name, e.Company, e.Fields.Line1, e.Fields.Line2, e.Fields.City,
			e.Fields.State, e.Fields.ZIP, e.ZIP4, e.Email, e.Phone, e.Department, string(e.Status), e.Reasons, e.DPV, e.MatchKey, now,
			e.ExternalID, e.Reference)
		if isExternalIDConflict(err) {
			return externalIDTaken(e.ExternalID)
		}
		if err != nil {
			return fmt.Errorf("addressbook: update address book entry %d: %w", id, err)
		}
		e.ID, e.AccountID, e.CreatedAt, e.UpdatedAt = id, actor.AccountID, old.CreatedAt, now
		return nil
	})
	return e, err
}

func appendHistory(ctx context.Context, tx pgx.Tx, prev Entry, source string, by int64, now time.Time) error {
	var byID any
	if by != 0 {
		byID = by
	}
	_, err := tx.Exec(ctx, `INSERT INTO address_history (entry_id, line1, line2, city, state, zip, zip4, status, source, changed_by, replaced_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`, prev.ID, prev.Fields.Line1, prev.Fields.Line2, prev.Fields.City, prev.Fields.State,
		prev.Fields.ZIP, prev.ZIP4, string(prev.Status), source, byID, now)
	if err != nil {
		return fmt.Errorf("addressbook: record history of entry %d: %w", prev.ID, err)
	}
	return nil
}

// Delete removes an entry and its history.
func (b *Book) Delete(ctx context.Context, actor accounts.User, id int64) error {
	if err := AuthorizeEdit(actor); err != nil {
		return err
	}
	tag, err := b.pool.Exec(ctx, `DELETE FROM address_book WHERE id = $1 AND account_id = $2`, id, actor.AccountID)
	if err != nil {
		return fmt.Errorf("addressbook: delete address book entry %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.NotFound("No such address in your address book.")
	}
	return nil
}

const entryColumns = `id, account_id, name, company, line1, line2, city, state, zip, zip4, email, phone, department, status, reasons, dpv, match_key, created_at, updated_at,
	external_id, reference`

func scanEntry(r pgx.Row) (Entry, error) {
	var e Entry
	var st string
	err := r.Scan(&e.ID, &e.AccountID, &e.Name, &e.Company, &e.Fields.Line1, &e.Fields.Line2, &e.Fields.City, &e.Fields.State, &e.Fields.ZIP,
		&e.ZIP4, &e.Email, &e.Phone, &e.Department, &st, &e.Reasons, &e.DPV, &e.MatchKey, &e.CreatedAt, &e.UpdatedAt, &e.ExternalID, &e.Reference)
	e.Status = address.Status(st)
	return e, err
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func getEntry(ctx context.Context, q querier, account, id int64, lock bool) (Entry, error) {
	sql := `SELECT ` + entryColumns + ` FROM address_book WHERE id = $1 AND account_id = $2`
	if lock {
		sql += ` FOR UPDATE`
	}
	e, err := scanEntry(q.QueryRow(ctx, sql, id, account))
	if errors.Is(err, pgx.ErrNoRows) {
		return Entry{}, apperr.NotFound("No such address in your address book.")
	}
	if err != nil {
		return Entry{}, fmt.Errorf("addressbook: load address book entry %d: %w", id, err)
	}
	return e, nil
}

// Get returns one entry of the actor's account (the purchase page uses it).
func (b *Book) Get(ctx context.Context, actor accounts.User, id int64) (Entry, error) {
	if err := AuthorizeRead(actor); err != nil {
		return Entry{}, err
	}
	return getEntry(ctx, b.pool, actor.AccountID, id, false)
}

// History lists an entry's previous addresses, oldest first.
func (b *Book) History(ctx context.Context, actor accounts.User, id int64) ([]HistoryEntry, error) {
	if _, err := b.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	rows, err := b.pool.Query(ctx, `SELECT line1, line2, city, state, zip, zip4, status, source, replaced_at
		FROM address_history WHERE entry_id = $1 ORDER BY replaced_at, id`, id)
	if err != nil {
		return nil, fmt.Errorf("addressbook: history of entry %d: %w", id, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (HistoryEntry, error) {
		var h HistoryEntry
		var st string
		err := r.Scan(&h.Fields.Line1, &h.Fields.Line2, &h.Fields.City, &h.Fields.State, &h.Fields.ZIP, &h.ZIP4, &st, &h.Source, &h.ReplacedAt)
		h.Status = address.Status(st)
		return h, err
	})
}

func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

const searchWhere = `account_id = $1 AND ($2 = '' OR name ILIKE $3 OR company ILIKE $3 OR city ILIKE $3 OR zip LIKE $4)`

func searchArgs(account int64, q string) []any {
	q = strings.TrimSpace(q)
	return []any{account, q, likePattern(q), strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"}
}

// Search finds entries whose name, company or city contains q, or whose ZIP
// starts with it, ordered by name (the purchase page's picker uses it).
func (b *Book) Search(ctx context.Context, actor accounts.User, q string, limit int) ([]Entry, error) {
	list, _, err := b.List(ctx, actor, q, 0, limit)
	return list, err
}

// List is Search with an offset and the total number of matches, for pages.
func (b *Book) List(ctx context.Context, actor accounts.User, q string, offset, limit int) ([]Entry, int, error) {
	if err := AuthorizeRead(actor); err != nil {
		return nil, 0, err
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	args := searchArgs(actor.AccountID, q)
	var total int
	if err := b.pool.QueryRow(ctx, `SELECT count(*) FROM address_book WHERE `+searchWhere, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("addressbook: count address book: %w", err)
	}
	rows, err := b.pool.Query(ctx, `SELECT `+entryColumns+` FROM address_book WHERE `+searchWhere+
		` ORDER BY lower(name), lower(company), id LIMIT $5 OFFSET $6`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("addressbook: search address book: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Entry, error) { return scanEntry(r) })
	if err != nil {
		return nil, 0, fmt.Errorf("addressbook: search address book: %w", err)
	}
	return list, total, nil
}

// Each calls fn for every entry of the actor's account, ordered by name,
// streaming from the database (exports use it).
func (b *Book) Each(ctx context.Context, actor accounts.User, fn func(Entry) error) error {
	if err := AuthorizeRead(actor); err != nil {
		return err
	}
	rows, err := b.pool.Query(ctx, `SELECT `+entryColumns+` FROM address_book WHERE account_id = $1 ORDER BY lower(name), lower(company), id`, actor.AccountID)
	if err != nil {
		return fmt.Errorf("addressbook: export address book: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return fmt.Errorf("addressbook: export address book: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// OneLine is the address on one line: "LINE1, LINE2, CITY ST ZIP".
func (e Entry) OneLine() string { return e.Fields.OneLine(e.ZIP4) }

// ByExternalID returns the actor's account's entry with the mailer's own id.
func (b *Book) ByExternalID(ctx context.Context, actor accounts.User, ext string) (Entry, error) {
	if err := AuthorizeRead(actor); err != nil {
		return Entry{}, err
	}
	e, err := scanEntry(b.pool.QueryRow(ctx, `SELECT `+entryColumns+` FROM address_book WHERE account_id = $1 AND external_id = $2`,
		actor.AccountID, strings.TrimSpace(ext)))
	if errors.Is(err, pgx.ErrNoRows) {
		return Entry{}, apperr.NotFound("No address in your address book has this external id.")
	}
	if err != nil {
		return Entry{}, fmt.Errorf("addressbook: find entry by external id: %w", err)
	}
	return e, nil
}
