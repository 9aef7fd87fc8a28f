package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/apperr"
	"indicia/db"
	"indicia/hygiene/address"
)

// ReturnAddress is one of an account's ship-from addresses. Lines are the
// cleansed address as a label prints it. Archived, never deleted, so a
// label bought from it keeps what it printed.
type ReturnAddress struct {
	ID         int64      `json:"id"`
	AccountID  int64      `json:"-"`
	Nickname   string     `json:"nickname"`
	Name       string     `json:"name"`
	Company    string     `json:"company"`
	Address    string     `json:"address"`
	Lines      []string   `json:"lines"`
	Default    bool       `json:"default"`
	ArchivedAt *time.Time `json:"archived_at"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// Archived reports whether the address can no longer be shipped from.
func (r ReturnAddress) Archived() bool { return r.ArchivedAt != nil }

// ReturnAddressInput is a new ship-from address, or a change: nil fields
// stay as they are.
type ReturnAddressInput struct {
	Nickname *string
	Name     *string
	Company  *string
	Address  *string
	Default  *bool
}

// AddressCleanser standardizes an address (address.Cleanser fits).
type AddressCleanser interface {
	Cleanse(text string) address.Result
}

// ReturnAddresses keeps the accounts' ship-from addresses, cleansed like
// any address a label prints.
type ReturnAddresses struct {
	pool    *pgxpool.Pool
	cleanse AddressCleanser
	now     func() time.Time
}

// NewReturnAddresses builds the store.
func NewReturnAddresses(pool *pgxpool.Pool, c AddressCleanser) *ReturnAddresses {
	return &ReturnAddresses{pool: pool, cleanse: c, now: time.Now}
}

const returnAddressColumns = `id, account_id, nickname, name, company, address, lines, is_default, archived_at, created_at, updated_at`

func scanReturnAddress(r rowScanner) (ReturnAddress, error) {
	var a ReturnAddress
	var lines []byte
	err := r.Scan(&a.ID, &a.AccountID, &a.Nickname, &a.Name, &a.Company, &a.Address, &lines, &a.Default, &a.ArchivedAt, &a.CreatedAt, &a.UpdatedAt)
	if err == nil {
		err = json.Unmarshal(lines, &a.Lines)
	}
	return a, err
}

// readReturnAddresses lets every user of a mailer account read its
// ship-from addresses: a buyer picks one.
func readReturnAddresses(actor User) error {
	if !actor.Role.IsMailer() || actor.AccountID == 0 {
		return apperr.Forbidden("Ship-from addresses belong to a mailer account.")
	}
	return nil
}

// manageReturnAddresses lets whoever buys postage for the account keep its
// ship-from addresses, as with the address book.
func manageReturnAddresses(actor User) error {
	if err := readReturnAddresses(actor); err != nil {
		return err
	}
	if !actor.Can(PermBuyPostage) {
		return apperr.Forbidden("Managing ship-from addresses needs the \"Buy postage\" permission.")
	}
	return nil
}

// List lists the account's ship-from addresses, the default first, archived
// ones too when asked.
func (s *ReturnAddresses) List(ctx context.Context, actor User, withArchived bool) ([]ReturnAddress, error) {
	if err := readReturnAddresses(actor); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT `+returnAddressColumns+` FROM return_addresses
		WHERE account_id = $1 AND ($2 OR archived_at IS NULL)
		ORDER BY archived_at IS NOT NULL, NOT is_default, lower(nickname)`, actor.AccountID, withArchived)
	if err != nil {
		return nil, fmt.Errorf("accounts: list return addresses: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ReturnAddress, error) { return scanReturnAddress(r) })
	if err != nil {
		return nil, fmt.Errorf("accounts: scan return addresses: %w", err)
	}
	return out, nil
}

// Get loads one ship-from address of the actor's account.
func (s *ReturnAddresses) Get(ctx context.Context, actor User, id int64) (ReturnAddress, error) {
	if err := readReturnAddresses(actor); err != nil {
		return ReturnAddress{}, err
	}
	a, err := scanReturnAddress(s.pool.QueryRow(ctx, `SELECT `+returnAddressColumns+` FROM return_addresses WHERE id = $1 AND account_id = $2`, id, actor.AccountID))
	if errors.Is(err, pgx.ErrNoRows) {
		return ReturnAddress{}, apperr.NotFound("No such ship-from address.")
	}
	if err != nil {
		return ReturnAddress{}, fmt.Errorf("accounts: load return address %d: %w", id, err)
	}
	return a, nil
}

// ShipFrom is the lines a purchase prints as its return address: the named
// address (id, which must be the account's and not archived), else the
// account's default; nil when the account has none, and the label prints
// the account's own address. field names the refusal.
func (s *ReturnAddresses) ShipFrom(ctx context.Context, actor User, field string, id int64) ([]string, error) {
	if !actor.Role.IsMailer() || actor.AccountID == 0 {
		if id != 0 {
			return nil, apperr.Invalid(field, "Only a mailer account has ship-from addresses.")
		}
		return nil, nil
	}
	if id == 0 {
		var lines []byte
		err := s.pool.QueryRow(ctx, `SELECT lines FROM return_addresses WHERE account_id = $1 AND is_default`, actor.AccountID).Scan(&lines)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("accounts: default return address: %w", err)
		}
		var out []string
		return out, json.Unmarshal(lines, &out)
	}
	a, err := s.Get(ctx, actor, id)
	if apperr.KindOf(err) == apperr.KindNotFound {
		return nil, apperr.Invalid(field, "No such ship-from address; choose one of the account's.")
	}
	if err != nil {
		return nil, err
	}
	if a.Archived() {
		return nil, apperr.Invalid(field, "The ship-from address \""+a.Nickname+"\" is archived; restore it or choose another.")
	}
	return a.Lines, nil
}

// check validates and cleanses a as it will be stored; problems are field errors.
func (s *ReturnAddresses) check(a *ReturnAddress) error {
	a.Nickname, a.Name, a.Company, a.Address = strings.TrimSpace(a.Nickname), strings.TrimSpace(a.Name), strings.TrimSpace(a.Company), strings.TrimSpace(a.Address)
	f := apperr.Fields{}
	validateName(f, "nickname", "a short name for this address (such as Warehouse)", a.Nickname, 60)
	if len(a.Name) > 64 {
		f["name"] = "Use at most 64 characters."
	}
	if len(a.Company) > 64 {
		f["company"] = "Use at most 64 characters."
	}
	if a.Name == "" && a.Company == "" {
		f["name"] = "Enter a name or a company: the label prints who sends the piece."
	}
	for _, k := range []string{"nickname", "name", "company", "address"} {
		v := map[string]string{"nickname": a.Nickname, "name": a.Name, "company": a.Company, "address": a.Address}[k]
		if err := apperr.CheckText(k, v); err != nil && f[k] == "" {
			f[k] = err.(*apperr.Error).Message
		}
	}
	switch {
	case a.Address == "":
		f["address"] = "Enter the street address, city, state and ZIP."
	case len(a.Address) > 256:
		f["address"] = "Use at most 256 characters."
	case f["address"] == "":
		res := s.cleanse.Cleanse(a.Address)
		if res.Status == address.StatusInvalid || res.Standardized.OneLine == "" {
			msg := "This address could not be validated"
			if len(res.Reasons) > 0 {
				msg += ": " + strings.Join(res.Reasons, "; ")
			}
			f["address"] = msg + "."
			break
		}
		a.Lines = a.Lines[:0]
		for _, l := range []string{a.Name, a.Company} {
			if l != "" {
				a.Lines = append(a.Lines, strings.ToUpper(l))
			}
		}
		for _, l := range res.Standardized.Lines {
			if !slices.Contains(a.Lines, l) {
				a.Lines = append(a.Lines, l)
			}
		}
	}
	return f.Err()
}

// uniqueNickname turns a clash with another address of the account into a field error.
func uniqueNickname(err error) error {
	if db.IsUniqueViolation(err, "return_addresses_account_nickname_key") {
		return apperr.Fields{"nickname": "Another ship-from address of this account has this name."}.Err()
	}
	return nil
}

// Create adds a ship-from address; the account's first one, or one asked
// to be, becomes the default.
func (s *ReturnAddresses) Create(ctx context.Context, actor User, in ReturnAddressInput) (ReturnAddress, error) {
	if err := manageReturnAddresses(actor); err != nil {
		return ReturnAddress{}, err
	}
	a := ReturnAddress{Nickname: deref(in.Nickname), Name: deref(in.Name), Company: deref(in.Company), Address: deref(in.Address)}
	if err := s.check(&a); err != nil {
		return ReturnAddress{}, err
	}
	lines, _ := json.Marshal(a.Lines)
	now := s.now()
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		// The account's row lock orders concurrent changes of its default.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM master_accounts WHERE id = $1 FOR UPDATE`, actor.AccountID); err != nil {
			return err
		}
		var err error
		a, err = scanReturnAddress(tx.QueryRow(ctx, `INSERT INTO return_addresses (account_id, nickname, name, company, address, lines, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING `+returnAddressColumns, actor.AccountID, a.Nickname, a.Name, a.Company, a.Address, lines, now))
		if err != nil {
			return err
		}
		var others bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM return_addresses WHERE account_id = $1 AND is_default)`, actor.AccountID).Scan(&others); err != nil {
			return err
		}
		if !others || deref(in.Default) {
			return setDefault(ctx, tx, actor.AccountID, &a)
		}
		return nil
	})
	if e := uniqueNickname(err); e != nil {
		return ReturnAddress{}, e
	}
	if err != nil {
		return ReturnAddress{}, fmt.Errorf("accounts: create return address: %w", err)
	}
	return a, nil
}

// setDefault makes a the account's only default, inside tx.
func setDefault(ctx context.Context, tx pgx.Tx, accountID int64, a *ReturnAddress) error {
	if _, err := tx.Exec(ctx, `UPDATE return_addresses SET is_default = false WHERE account_id = $1 AND is_default AND id <> $2`, accountID, a.ID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE return_addresses SET is_default = true WHERE id = $1`, a.ID); err != nil {
		return err
	}
	a.Default = true
	return nil
}

// Update edits a ship-from address, or makes it the default. Labels
// already bought keep the lines they printed.
func (s *ReturnAddresses) Update(ctx context.Context, actor User, id int64, in ReturnAddressInput) (ReturnAddress, error) {
	if err := manageReturnAddresses(actor); err != nil {
		return ReturnAddress{}, err
	}
	a, err := s.Get(ctx, actor, id)
	if err != nil {
		return ReturnAddress{}, err
	}
	if in.Default != nil && *in.Default && a.Archived() {
		return ReturnAddress{}, apperr.Invalid("default", "An archived address cannot be the default; restore it first.")
	}
	if in.Default != nil && !*in.Default && a.Default {
		return ReturnAddress{}, apperr.Invalid("default", "Make another address the default instead.")
	}
	for p, v := range map[*string]*string{&a.Nickname: in.Nickname, &a.Name: in.Name, &a.Company: in.Company, &a.Address: in.Address} {
		if v != nil {
			*p = *v
		}
	}
	if err := s.check(&a); err != nil {
		return ReturnAddress{}, err
	}
	lines, _ := json.Marshal(a.Lines)
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM master_accounts WHERE id = $1 FOR UPDATE`, actor.AccountID); err != nil {
			return err
		}
		var err error
		a, err = scanReturnAddress(tx.QueryRow(ctx, `UPDATE return_addresses SET nickname = $1, name = $2, company = $3, address = $4, lines = $5, updated_at = $6
			WHERE id = $7 AND account_id = $8 RETURNING `+returnAddressColumns, a.Nickname, a.Name, a.Company, a.Address, lines, s.now(), id, actor.AccountID))
		if err != nil {
			return err
		}
		if in.Default != nil && *in.Default {
			return setDefault(ctx, tx, actor.AccountID, &a)
		}
		return nil
	})
	if e := uniqueNickname(err); e != nil {
		return ReturnAddress{}, e
	}
	if err != nil {
		return ReturnAddress{}, fmt.Errorf("accounts: update return address %d: %w", id, err)
	}
	return a, nil
}

// SetArchived archives or restores a ship-from address. Archiving the
// default passes the default to the oldest address left, if any.
func (s *ReturnAddresses) SetArchived(ctx context.Context, actor User, id int64, archived bool) (ReturnAddress, error) {
	if err := manageReturnAddresses(actor); err != nil {
		return ReturnAddress{}, err
	}
	if _, err := s.Get(ctx, actor, id); err != nil {
		return ReturnAddress{}, err
	}
	var a ReturnAddress
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM master_accounts WHERE id = $1 FOR UPDATE`, actor.AccountID); err != nil {
			return err
		}
		var err error
		a, err = scanReturnAddress(tx.QueryRow(ctx, `UPDATE return_addresses SET
				archived_at = CASE WHEN $1 THEN COALESCE(archived_at, $2) END,
				is_default = is_default AND NOT $1, updated_at = $2
			WHERE id = $3 AND account_id = $4 RETURNING `+returnAddressColumns, archived, s.now(), id, actor.AccountID))
		if err != nil || !archived {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE return_addresses SET is_default = true WHERE id = (
				SELECT id FROM return_addresses WHERE account_id = $1 AND archived_at IS NULL ORDER BY created_at, id LIMIT 1)
			AND NOT EXISTS (SELECT 1 FROM return_addresses WHERE account_id = $1 AND is_default)`, actor.AccountID)
		return err
	})
	if err != nil {
		return ReturnAddress{}, fmt.Errorf("accounts: archive return address %d: %w", id, err)
	}
	return a, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
