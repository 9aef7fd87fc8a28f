package metering

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
)

// What a label is now, as the label history filters it.
const (
	ListIssued   = "issued"   // sold, never scanned, not voided
	ListUsed     = "used"     // scanned valid by postal staff
	ListVoided   = "voided"   // voided by the mailer
	ListRefunded = "refunded" // unused and submitted for refund
)

// Sort orders of the label history; the first is the default.
const (
	SortDateDesc    = "date_desc"
	SortDateAsc     = "date_asc"
	SortPostageDesc = "postage_desc"
	SortPostageAsc  = "postage_asc"
)

// MaxLabelPage is the most labels one page of the history holds.
const MaxLabelPage = 500

// maxFilterYears bounds a date range: a longer one is almost always a typo,
// and the account's whole history is the open range anyway.
const maxFilterYears = 3

// LabelFilter selects labels of the actor's account. Zero fields do not
// filter. Dates are whole UTC days, both ends included.
type LabelFilter struct {
	PurchasedFrom, PurchasedTo time.Time
	MailedFrom, MailedTo       time.Time
	MeterID                    int64
	UserID                     int64
	CostCodeID                 int64
	MailClass                  string
	Status                     string // ListIssued, ListUsed, ListVoided or ListRefunded
	OriginZIP                  string
	Recipient                  string // text within the recipient's name, company or address
	LabelID                    string
	Sort                       string
	// IDs, when set, keeps only these labels (a selection from the list).
	IDs []string
}

// Validate names the first bad field: a reversed or too long date range, an
// unknown status or sort.
func (f LabelFilter) Validate() error {
	if err := checkRange(f.PurchasedFrom, f.PurchasedTo, "purchased_from", "purchased_to", "purchase date"); err != nil {
		return err
	}
	if err := checkRange(f.MailedFrom, f.MailedTo, "mailed_from", "mailed_to", "mailing date"); err != nil {
		return err
	}
	switch f.Status {
	case "", ListIssued, ListUsed, ListVoided, ListRefunded:
	default:
		return apperr.Invalid("status", "Choose the status issued, used, voided or refunded.")
	}
	switch f.Sort {
	case "", SortDateDesc, SortDateAsc, SortPostageDesc, SortPostageAsc:
	default:
		return apperr.Invalid("sort", "Choose the order date_desc, date_asc, postage_desc or postage_asc.")
	}
	if len(f.Recipient) > 100 {
		return apperr.Invalid("recipient", "Search for at most 100 characters of the recipient.")
	}
	return nil
}

func checkRange(from, to time.Time, fromField, toField, what string) error {
	if from.IsZero() || to.IsZero() {
		return nil
	}
	if to.Before(from) {
		return apperr.Invalid(toField, "The "+what+" range ends before it starts: choose an end on or after "+from.Format("2006-01-02")+".")
	}
	if to.After(from.AddDate(maxFilterYears, 0, 0)) {
		return apperr.Invalid(toField, fmt.Sprintf("The %s range is longer than %d years: choose an end on or before %s.", what, maxFilterYears,
			from.AddDate(maxFilterYears, 0, 0).Format("2006-01-02")))
	}
	return nil
}

func (f LabelFilter) sort() string {
	if f.Sort == "" {
		return SortDateDesc
	}
	return f.Sort
}

// ListedLabel is a label in the history, with who bought it, its cost code
// and what became of it.
type ListedLabel struct {
	Label
	UserID   int64  // 0 when the buyer was an API key of a deleted user
	CostCode string // the cost code's name; "" when none was charged
	State    LabelState
}

// ListStatus is the label's status as the history filters it.
func (l ListedLabel) ListStatus() string {
	switch {
	case l.Status == "voided" && l.State.VoidReason == VoidSubmittedForRefund:
		return ListRefunded
	case l.Status == "voided":
		return ListVoided
	case l.State.UsedAt != nil:
		return ListUsed
	}
	return ListIssued
}

// LabelPage is one page of the history; Next is the opaque cursor of the
// page after it, "" on the last page.
type LabelPage struct {
	Labels []ListedLabel
	Next   string
}

// labelCursor is where a page ended: the sort key and the id of its last
// label. It names its sort so a cursor is never read under another order.
type labelCursor struct {
	Sort string `json:"s"`
	Key  int64  `json:"k"` // created_at in microseconds, or postage in cents
	ID   int64  `json:"i"`
}

func (c labelCursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s, sort string) (labelCursor, error) {
	var c labelCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID <= 0 {
		return c, apperr.Invalid("cursor", "This page cursor is not one this list gave out; start again from the first page.")
	}
	if c.Sort != sort {
		return c, apperr.Invalid("cursor", "This page cursor belongs to another sort order; start again from the first page.")
	}
	return c, nil
}

// labelListQuery builds the history's statement: the account's labels,
// filtered, in keyset order after the cursor.
type labelListQuery struct {
	where []string
	args  []any
}

func (q *labelListQuery) add(cond string, arg any) {
	q.args = append(q.args, arg)
	q.where = append(q.where, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(q.args))))
}

// Each status is a condition the label's own columns decide, so every one
// can use the account's ordering index. The two voided lists name their
// reason by equality (a constraint allows no other), which lets the voided
// labels' postage index read either list in order.
var statusCondition = map[string]string{
	ListIssued:   `i.status = 'issued' AND i.used_at IS NULL`,
	ListUsed:     `i.status = 'issued' AND i.used_at IS NOT NULL`,
	ListVoided:   `i.status = 'voided' AND i.void_reason = '` + VoidByMailer + `'`,
	ListRefunded: `i.status = 'voided' AND i.void_reason = '` + VoidSubmittedForRefund + `'`,
}

// recipientSearchText is the text a recipient search reads; it is the
// expression of the trigram index indicia_recipient_trgm_idx, character for
// character, so that PostgreSQL can use the index.
const recipientSearchText = `(coalesce(i.recipient->>'name', '') || ' ' || coalesce(i.recipient->>'company', '') || ' ' ||
    coalesce(i.recipient->>'lines', '') || ' ' || i.dest_zip)`

// likeEscape makes user text match literally inside an ILIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ListLabels returns one page of the actor's account's labels that match
// the filter, in the filter's order, after the cursor ("" for the first
// page). Pages are keyset pages: a label bought while someone pages through
// never shifts the next page, and no label is skipped or shown twice.
func (s *Service) ListLabels(ctx context.Context, actor accounts.User, f LabelFilter, cursor string, limit int) (LabelPage, error) {
	if !actor.Role.IsMailer() || !canReadLabels(actor, actor.AccountID) {
		return LabelPage{}, apperr.Forbidden("Only a mailer account's users list its labels.")
	}
	if err := f.Validate(); err != nil {
		return LabelPage{}, err
	}
	if limit <= 0 || limit > MaxLabelPage {
		return LabelPage{}, apperr.Invalid("limit", fmt.Sprintf("Choose a page size from 1 to %d.", MaxLabelPage))
	}
	sort := f.sort()
	var q labelListQuery
	q.add(`i.account_id = $?`, actor.AccountID)
	if !f.PurchasedFrom.IsZero() {
		q.add(`i.created_at >= $?`, dayStart(f.PurchasedFrom))
	}
	if !f.PurchasedTo.IsZero() {
		q.add(`i.created_at < $?`, dayStart(f.PurchasedTo).AddDate(0, 0, 1))
	}
	// A purchase dates its pieces from the day before to mailingWindow days
	// after (validatePurchase), so a date-of-mailing range also bounds the
	// purchase time. Saying so lets PostgreSQL read the range from the date
	// order's index instead of sorting every piece mailed in the range.
	if !f.MailedFrom.IsZero() {
		q.add(`i.mailing_date >= $?`, dayStart(f.MailedFrom))
		q.add(`i.created_at >= $?`, dayStart(f.MailedFrom).AddDate(0, 0, -mailingWindowDays-1))
	}
	if !f.MailedTo.IsZero() {
		q.add(`i.mailing_date <= $?`, dayStart(f.MailedTo))
		q.add(`i.created_at < $?`, dayStart(f.MailedTo).AddDate(0, 0, 3))
	}
	if f.MeterID != 0 {
		q.add(`i.meter_id = $?`, f.MeterID)
	}
	if f.UserID != 0 {
		q.add(`i.user_id = $?`, f.UserID)
	}
	if f.CostCodeID != 0 {
		q.add(`i.cost_code_id = $?`, f.CostCodeID)
	}
	if f.MailClass != "" {
		q.add(`i.mail_class = $?`, f.MailClass)
	}
	if f.Status != "" {
		q.where = append(q.where, statusCondition[f.Status])
	}
	if f.OriginZIP != "" {
		q.add(`i.origin_zip = $?`, f.OriginZIP)
	}
	if f.LabelID != "" {
		q.add(`i.public_id = $?`, f.LabelID)
	}
	if len(f.IDs) > 0 {
		q.add(`i.public_id = ANY($?)`, f.IDs)
	}
	if t := strings.TrimSpace(f.Recipient); t != "" {
		q.add(recipientSearchText+` ILIKE $?`, "%"+likeEscape(t)+"%")
	}
	keyCol, dir, cmp := "i.created_at", "DESC", "<"
	switch sort {
	case SortDateAsc:
		dir, cmp = "ASC", ">"
	case SortPostageDesc:
		keyCol = "i.postage"
	case SortPostageAsc:
		keyCol, dir, cmp = "i.postage", "ASC", ">"
	}
	if cursor != "" {
		c, err := decodeCursor(cursor, sort)
		if err != nil {
			return LabelPage{}, err
		}
		var key any = c.Key
		if keyCol == "i.created_at" {
			key = time.UnixMicro(c.Key).UTC()
		}
		q.args = append(q.args, key, c.ID)
		n := len(q.args)
		q.where = append(q.where, fmt.Sprintf("(%s, i.id) %s ($%d, $%d)", keyCol, cmp, n-1, n))
	}
	q.args = append(q.args, limit+1)
	sql := `SELECT ` + labelColumns + `, i.id, coalesce(i.user_id, 0), coalesce(cc.name, ''),
		i.void_reason, i.used_at, i.used_location
		FROM indicia i JOIN meters m ON m.id = i.meter_id
		LEFT JOIN cost_codes cc ON cc.id = i.cost_code_id
		WHERE ` + strings.Join(q.where, " AND ") + `
		ORDER BY ` + keyCol + ` ` + dir + `, i.id ` + dir + ` LIMIT $` + strconv.Itoa(len(q.args))
	// Planned with the values every time: which index is fastest depends on
	// them (a rare recipient name wants the trigram index, a common one the
	// date order), and a cached generic plan cannot tell.
	rows, err := s.reads().Query(ctx, sql, append([]any{pgx.QueryExecModeExec}, q.args...)...)
	if err != nil {
		return LabelPage{}, fmt.Errorf("metering: list labels: %w", err)
	}
	type row struct {
		l  ListedLabel
		id int64
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		var services int32
		var rj, from []byte
		l := &x.l
		err := r.Scan(&l.PublicID, &l.MeterID, &l.Serial, &l.PieceNumber, &l.MailingDate, &l.Postage, &l.OriginZIP, &l.DestZIP, &l.MailClass,
			&services, &rj, &l.Indicium, &l.Status, &l.CreatedAt, &l.CostCodeID, &l.Reference, &l.TrackingNumber, &l.DestCountry, &l.WeightOz, &from, &x.id, &l.UserID, &l.CostCode,
			&l.State.VoidReason, &l.State.UsedAt, &l.State.UsedLocation)
		l.Services = uint32(services)
		if err == nil {
			err = json.Unmarshal(rj, &l.Recipient)
		}
		if err == nil {
			l.ShipFrom, err = shipFromOf(from)
		}
		return x, err
	})
	if err != nil {
		return LabelPage{}, fmt.Errorf("metering: list labels: %w", err)
	}
	var page LabelPage
	if len(got) > limit {
		last := got[limit-1]
		c := labelCursor{Sort: sort, Key: last.l.Postage, ID: last.id}
		if keyCol == "i.created_at" {
			c.Key = last.l.CreatedAt.UnixMicro()
		}
		page.Next = c.encode()
		got = got[:limit]
	}
	page.Labels = make([]ListedLabel, len(got))
	for i, x := range got {
		page.Labels[i] = x.l
	}
	return page, nil
}

func dayStart(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ListFilterChoices are what the history's filters offer: the account's
// meters and the cost codes its labels were charged to.
type ListFilterChoices struct {
	Meters    []Meter
	CostCodes []CostCodeChoice
}

// CostCodeChoice is one cost code the filter offers.
type CostCodeChoice struct {
	ID       int64
	Name     string
	Archived bool
}

// LabelFilterChoices returns the actor's account's meters and cost codes.
func (s *Service) LabelFilterChoices(ctx context.Context, actor accounts.User) (ListFilterChoices, error) {
	var out ListFilterChoices
	if !actor.Role.IsMailer() {
		return out, nil
	}
	ms, err := s.Meters(ctx, actor, actor.AccountID)
	if err != nil {
		return out, err
	}
	out.Meters = ms
	rows, err := s.reads().Query(ctx, `SELECT id, name, archived_at IS NOT NULL FROM cost_codes WHERE account_id = $1 ORDER BY lower(name)`, actor.AccountID)
	if err != nil {
		return out, fmt.Errorf("metering: cost codes for the label filter: %w", err)
	}
	out.CostCodes, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (CostCodeChoice, error) {
		var c CostCodeChoice
		return c, r.Scan(&c.ID, &c.Name, &c.Archived)
	})
	if err != nil {
		return out, fmt.Errorf("metering: cost codes for the label filter: %w", err)
	}
	return out, nil
}
