package coa

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/jobs"
)

// Job kinds of the change-of-address service.
const (
	JobKindCOAImport = "coa_import" // stream an uploaded list into coa_records
	JobKindCOAMatch  = "coa_match"  // match lists against address books
)

// Change-of-address window: moves older than this many months are ignored.
const (
	DefaultCOAWindowMonths = 18
	MaxCOAWindowMonths     = 48
)

// MaxCOARows is the largest list accepted (data rows).
const MaxCOARows = 5_000_000

// MoveCode is the result of matching one address and name against the COA
// lists, in the terms of the USPS NCOALink product.
type MoveCode string

const (
	CodeNewAddress     MoveCode = "new_address"           // NCOALink "A": new address given
	CodeMovedNoAddress MoveCode = "moved_left_no_address" // NCOALink "02": moved, left no address
	CodePOBoxClosed    MoveCode = "po_box_closed"         // NCOALink "03": box closed, no order
	CodeAmbiguous      MoveCode = "ambiguous"             // two different new addresses for one name and address
	CodeNoMatch        MoveCode = "no_match"              // NCOALink "00"
)

// Label is the code as a mailer reads it.
func (c MoveCode) Label() string {
	switch c {
	case CodeNewAddress:
		return "New address given"
	case CodeMovedNoAddress:
		return "Moved, left no address"
	case CodePOBoxClosed:
		return "PO box closed"
	case CodeAmbiguous:
		return "Ambiguous: more than one new address"
	}
	return "No match"
}

// Move types of a COA record; the matched tier is one of them too.
const (
	MoveIndividual = "individual"
	MoveFamily     = "family"
	MoveBusiness   = "business"
)

// Move is what the COA lists say about one recipient.
type Move struct {
	Code      MoveCode
	MoveType  string // individual, family, business (the tier the name matched)
	Effective time.Time
	Old       address.Fields
	New       address.Fields // empty unless Code is CodeNewAddress
	NewZIP4   string
	NewKey    string
	RecordID  int64 // the first record matched
	FinalID   int64 // the last record of a chain of moves
	ListID    int64
}

// NewOneLine is the new address on one line.
func (m Move) NewOneLine() string { return fieldsOneLine(m.New, m.NewZIP4) }

func fieldsOneLine(f address.Fields, zip4 string) string {
	if f.Line1 == "" {
		return ""
	}
	return f.OneLine(zip4)
}

// Notifier sends one plain-text email (package email's Sender fits).
type Notifier func(ctx context.Context, to, subject, body string) error

// OwnerFinder names who to email about an account's matches
// (*accounts.Contacts fits).
type OwnerFinder interface {
	AccountOwner(ctx context.Context, accountID int64) (accounts.Contact, error)
}

// Options tune the service.
type Options struct {
	// WindowMonths: only moves this recent count (DefaultCOAWindowMonths if 0).
	WindowMonths int
	// Queue enqueues staged jobs after commit (nil: the sweeper will).
	Queue *jobs.Queue
	// Notify emails account owners about new matches (nil: no email).
	Notify Notifier
	// Owners finds the account owner to email (accounts.NewContacts(pool) if nil).
	Owners OwnerFinder
	// BaseURL is put in the emails' links.
	BaseURL string
	// MaxLineErrors is how many bad lines of a list are kept (counted beyond).
	MaxLineErrors int
	Now           func() time.Time
}

// Service is the change-of-address service: postal lists, matching against
// address books, the matches mailers accept or dismiss, and the look-up at
// purchase time. Every read of COA data is written to coa_access_log.
type Service struct {
	pool    *pgxpool.Pool
	c       *address.Cleanser
	book    *addressbook.Book
	q       *jobs.Queue
	notify  Notifier
	owners  OwnerFinder
	baseURL string
	window  int
	maxErrs int
	now     func() time.Time
	nicks   map[string][]string
	lookups *lookupLog
}

// New returns the service over pool, standardizing with c.
func New(pool *pgxpool.Pool, c *address.Cleanser, o Options) (*Service, error) {
	if o.WindowMonths == 0 {
		o.WindowMonths = DefaultCOAWindowMonths
	}
	if o.WindowMonths < 1 || o.WindowMonths > MaxCOAWindowMonths {
		return nil, fmt.Errorf("coa: COA window of %d months: must be 1 to %d", o.WindowMonths, MaxCOAWindowMonths)
	}
	if o.MaxLineErrors == 0 {
		o.MaxLineErrors = 1000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Owners == nil {
		o.Owners = accounts.NewContacts(pool)
	}
	return &Service{pool: pool, c: c, book: addressbook.New(pool, c), q: o.Queue, notify: o.Notify, owners: o.Owners, baseURL: o.BaseURL, window: o.WindowMonths,
		maxErrs: o.MaxLineErrors, now: o.Now, nicks: nicknameIndex(), lookups: &lookupLog{pool: pool}}, nil
}

// WindowMonths is the configured match window.
func (c *Service) WindowMonths() int { return c.window }

// cutoff is the earliest move date that still counts.
func (c *Service) cutoff(now time.Time) time.Time {
	y, m, d := now.UTC().AddDate(0, -c.window, 0).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// IsCOAStaff reports whether actor may see and manage COA lists.
func IsCOAStaff(actor accounts.User) bool {
	return !actor.Disabled && (actor.Role == accounts.RoleStaff || actor.Role == accounts.RoleAdmin)
}

func canManageLists(actor accounts.User) error {
	if !IsCOAStaff(actor) {
		return apperr.Forbidden("Only postal staff see change-of-address lists.")
	}
	return nil
}

type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// logAccess records one access to COA data (who, what, when). A failure to
// log fails the access: the log is part of the privacy promise.
func (c *Service) logAccess(ctx context.Context, ex execer, actor accounts.User, action, subject string) error {
	var uid, acct any
	if actor.ID != 0 {
		uid = actor.ID
	}
	if actor.AccountID != 0 {
		acct = actor.AccountID
	}
	_, err := ex.Exec(ctx, `INSERT INTO coa_access_log (user_id, role, account_id, action, subject, at) VALUES ($1,$2,$3,$4,$5,$6)`,
		uid, string(actor.Role), acct, action, subject, c.now().UTC())
	if err != nil {
		return fmt.Errorf("coa: log COA access %s: %w", action, err)
	}
	return nil
}
