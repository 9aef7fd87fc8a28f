package coa

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db"
	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/jobs"
)

var (
	jsonUnmarshal = json.Unmarshal
	// jobsSkipRetry marks an error that retrying cannot fix.
	jobsSkipRetry = asynq.SkipRetry
)

// Match statuses.
const (
	MatchPending    = "pending"
	MatchAccepted   = "accepted"
	MatchDismissed  = "dismissed"
	MatchWithdrawn  = "withdrawn"
	MatchSuperseded = "superseded"
)

// COAMatch is a move found for one address-book entry, as the mailer sees it.
type COAMatch struct {
	ID      int64 `json:"id"`
	EntryID int64 `json:"entry_id"`
	// ExternalID and Reference are the mailer's own identifiers of the
	// address-book entry, so a client can tie the move to its record.
	ExternalID string         `json:"external_id"`
	Reference  string         `json:"reference"`
	Name       string         `json:"name"`
	Company    string         `json:"company"`
	Old        address.Fields `json:"old"`
	New        address.Fields `json:"new"`
	NewZIP4    string         `json:"new_zip4,omitempty"`
	MoveType   string         `json:"move_type"` // the tier the name matched: business, individual, family
	// NameMatch says how the names matched: firm (business move, firm name),
	// exact (same first and last name), nickname (a nickname and its formal
	// name, same last name) or last_name (family move). Empty for matches
	// found before it was recorded.
	NameMatch string    `json:"name_match"`
	Code      MoveCode  `json:"code"`
	Effective time.Time `json:"move_effective_date"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// How a match's names matched (COAMatch.NameMatch).
const (
	NameMatchFirm     = "firm"
	NameMatchExact    = "exact"
	NameMatchNickname = "nickname"
	NameMatchLastName = "last_name"
)

// NameMatchText is NameMatch in a mailer's words.
func (m COAMatch) NameMatchText() string {
	switch m.NameMatch {
	case NameMatchFirm:
		return "firm name"
	case NameMatchExact:
		return "same name"
	case NameMatchNickname:
		return "nickname of the name"
	case NameMatchLastName:
		return "family name"
	}
	return ""
}

// CanAccept reports a match whose new address can be taken.
func (m COAMatch) CanAccept() bool { return m.Status == MatchPending && m.Code == CodeNewAddress }

// OldOneLine and NewOneLine format the two addresses.
func (m COAMatch) OldOneLine() string { return fieldsOneLine(m.Old, "") }
func (m COAMatch) NewOneLine() string { return fieldsOneLine(m.New, m.NewZIP4) }

// matchQuery reads matches with their records; the entries' names and
// addresses come from the address book (withEntries).
const matchQuery = `SELECT m.id, m.entry_id,
	CASE WHEN m.code = 'new_address' THEN r.new_line1 ELSE '' END, CASE WHEN m.code = 'new_address' THEN r.new_line2 ELSE '' END,
	CASE WHEN m.code = 'new_address' THEN r.new_city ELSE '' END, CASE WHEN m.code = 'new_address' THEN r.new_state ELSE '' END,
	CASE WHEN m.code = 'new_address' THEN r.new_zip ELSE '' END, CASE WHEN m.code = 'new_address' THEN r.new_zip4 ELSE '' END,
	m.tier, m.code, r.effective, m.status, m.created_at, m.name_match
	FROM coa_matches m JOIN coa_records r ON r.id = m.final_id`

func scanMatch(r pgx.Row) (COAMatch, error) {
	var m COAMatch
	var code string
	err := r.Scan(&m.ID, &m.EntryID,
		&m.New.Line1, &m.New.Line2, &m.New.City, &m.New.State, &m.New.ZIP, &m.NewZIP4, &m.MoveType, &code, &m.Effective, &m.Status, &m.CreatedAt, &m.NameMatch)
	m.Code = MoveCode(code)
	return m, err
}

// withEntries fills in the name, company and old address of each match from
// the account's address book. A match whose entry is gone is left out (the
// entry's deletion removes its matches too).
func (c *Service) withEntries(ctx context.Context, q addressbook.Rowser, accountID int64, list []COAMatch) ([]COAMatch, error) {
	ids := make([]int64, len(list))
	for i, m := range list {
		ids[i] = m.EntryID
	}
	entries, err := c.book.Entries(ctx, q, accountID, ids)
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, m := range list {
		e, ok := entries[m.EntryID]
		if !ok {
			continue
		}
		m.Name, m.Company, m.Old, m.ExternalID, m.Reference = e.Name, e.Company, e.Fields, e.ExternalID, e.Reference
		out = append(out, m)
	}
	return out, nil
}

// Matches lists the actor's account's matches with the given status
// ("" pending), newest first, and the total. A mailer sees only matches of
// their own account's address book.
func (c *Service) Matches(ctx context.Context, actor accounts.User, status string, offset, limit int) ([]COAMatch, int, error) {
	if err := addressbook.AuthorizeRead(actor); err != nil {
		return nil, 0, err
	}
	if status == "" {
		status = MatchPending
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	if err := c.logAccess(ctx, c.pool, actor, "view_matches", "status "+status); err != nil {
		return nil, 0, err
	}
	var total int
	if err := c.pool.QueryRow(ctx, `SELECT count(*) FROM coa_matches WHERE account_id = $1 AND status = $2`, actor.AccountID, status).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("coa: count COA matches: %w", err)
	}
	rows, err := c.pool.Query(ctx, matchQuery+` WHERE m.account_id = $1 AND m.status = $2 ORDER BY m.created_at DESC, m.id DESC LIMIT $3 OFFSET $4`,
		actor.AccountID, status, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("coa: list COA matches: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (COAMatch, error) { return scanMatch(r) })
	if err != nil {
		return nil, 0, fmt.Errorf("coa: list COA matches: %w", err)
	}
	if list, err = c.withEntries(ctx, c.pool, actor.AccountID, list); err != nil {
		return nil, 0, fmt.Errorf("coa: list COA matches: %w", err)
	}
	return list, total, nil
}

// PendingCount is the number of matches waiting for the actor's account
// (for a badge; not logged as an access, it reveals no COA data).
func (c *Service) PendingCount(ctx context.Context, actor accounts.User) (int, error) {
	if addressbook.AuthorizeRead(actor) != nil {
		return 0, nil
	}
	var n int
	err := c.pool.QueryRow(ctx, `SELECT count(*) FROM coa_matches WHERE account_id = $1 AND status = 'pending'`, actor.AccountID).Scan(&n)
	return n, err
}

// Accept moves the entry to the match's new address: the old address is
// appended to the entry's history (source "coa") and the match is accepted.
func (c *Service) Accept(ctx context.Context, actor accounts.User, id int64) (COAMatch, error) {
	return c.decide(ctx, actor, id, true)
}

// Dismiss marks a match as not to be acted on; it is not shown again.
func (c *Service) Dismiss(ctx context.Context, actor accounts.User, id int64) (COAMatch, error) {
	return c.decide(ctx, actor, id, false)
}

func (c *Service) decide(ctx context.Context, actor accounts.User, id int64, accept bool) (COAMatch, error) {
	if err := addressbook.AuthorizeEdit(actor); err != nil {
		return COAMatch{}, err
	}
	var m COAMatch
	err := db.Transact(ctx, c.pool, func(tx pgx.Tx) error {
		now := c.now().UTC()
		var oldKey string
		var err error
		m, err = scanMatch(tx.QueryRow(ctx, matchQuery+` WHERE m.id = $1 AND m.account_id = $2 FOR UPDATE OF m`, id, actor.AccountID))
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFound("No such change of address.")
		}
		if err != nil {
			return fmt.Errorf("coa: load COA match %d: %w", id, err)
		}
		found, err := c.withEntries(ctx, tx, actor.AccountID, []COAMatch{m})
		if err != nil {
			return fmt.Errorf("coa: load COA match %d: %w", id, err)
		}
		if len(found) == 0 {
			return apperr.NotFound("No such change of address.")
		}
		m = found[0]
		if m.Status != MatchPending {
			return apperr.Conflict("", "This change of address was already "+m.Status+".")
		}
		action := "dismiss_match"
		if accept {
			action = "accept_match"
			if m.Code != CodeNewAddress {
				return apperr.Conflict("", "There is no new address to accept: "+m.Code.Label()+".")
			}
			if err := tx.QueryRow(ctx, `SELECT old_key FROM coa_matches WHERE id = $1`, id).Scan(&oldKey); err != nil {
				return err
			}
			if err := c.book.ApplyMove(ctx, tx, actor, m.EntryID, oldKey, m.New, m.NewZIP4, "coa", now); err != nil {
				return err
			}
			m.Status = MatchAccepted
			// Other pending moves of this entry were about the old address.
			if _, err := tx.Exec(ctx, `UPDATE coa_matches SET status = 'superseded', decided_at = $3
				WHERE entry_id = $1 AND id <> $2 AND status = 'pending'`, m.EntryID, id, now); err != nil {
				return err
			}
		} else {
			m.Status = MatchDismissed
		}
		if _, err := tx.Exec(ctx, `UPDATE coa_matches SET status = $2, decided_at = $3 WHERE id = $1`, id, m.Status, now); err != nil {
			return fmt.Errorf("coa: decide COA match %d: %w", id, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO coa_match_deciders (match_id, decided_by) VALUES ($1, $2)
			ON CONFLICT (match_id) DO UPDATE SET decided_by = excluded.decided_by`, id, actor.ID); err != nil {
			return fmt.Errorf("coa: decide COA match %d: %w", id, err)
		}
		return c.logAccess(ctx, tx, actor, action, "match "+strconv.FormatInt(id, 10))
	})
	return m, err
}

// Lookup is the check at purchase time: does the recipient name at the
// cleansed address result appear in a change-of-address list in service
// within the window? It returns nil when not (code no_match). The name may
// be a person's ("Bob Smith") or a firm's; business, individual and family
// records are tried in that order and chains are followed. The look-up is
// logged for the account.
func (c *Service) Lookup(ctx context.Context, accountID int64, result address.Result, name string) (*Move, error) {
	key := result.Key()
	if key == "" || accountID == 0 {
		return nil, nil
	}
	k := c.fullNameKeys(name, name)
	if k.First == nil {
		k.First = []string{}
	}
	now := c.now().UTC()
	if err := c.lookups.log(ctx, accountID, key, now); err != nil {
		return nil, err
	}
	type rec struct {
		id, list        int64
		moveType        string
		newF            address.Fields
		newZIP4, newKey string
		eff             time.Time
		mlna, boxClosed bool
	}
	find := func(oldKey string, after time.Time) ([]rec, error) {
		rows, err := c.pool.Query(ctx, `WITH k(first_keys, middle_key, last_key, firm_key) AS (SELECT $3::text[], $4::text, $5::text, $6::text)
			SELECT r.id, r.list_id, r.move_type, r.new_line1, r.new_line2, r.new_city, r.new_state, r.new_zip, r.new_zip4, r.new_key,
				r.effective, r.moved_left_no_address, r.po_box_closed
			FROM coa_records r JOIN coa_lists l ON l.id = r.list_id AND l.status = 'active', k
			WHERE r.old_key = $1 AND r.effective >= $2 AND `+namePred+`
			ORDER BY CASE r.move_type WHEN 'business' THEN 1 WHEN 'individual' THEN 2 ELSE 3 END, r.effective DESC, r.id`,
			oldKey, after, k.First, k.Middle, k.Last, k.Firm)
		if err != nil {
			return nil, fmt.Errorf("coa: COA look-up: %w", err)
		}
		return pgx.CollectRows(rows, func(r pgx.CollectableRow) (rec, error) {
			var x rec
			return x, r.Scan(&x.id, &x.list, &x.moveType, &x.newF.Line1, &x.newF.Line2, &x.newF.City, &x.newF.State, &x.newF.ZIP,
				&x.newZIP4, &x.newKey, &x.eff, &x.mlna, &x.boxClosed)
		})
	}
	recs, err := find(key, c.cutoff(now))
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	// Keep the best tier only.
	top := recs[:0:0]
	for _, r := range recs {
		if r.moveType == recs[0].moveType {
			top = append(top, r)
		}
	}
	outcome := func(r rec) string {
		switch {
		case r.newKey != "":
			return "A|" + r.newKey
		case r.boxClosed:
			return "box"
		}
		return "mlna"
	}
	var finals []rec
	for _, r := range top {
		cur := r
		for depth := 0; depth < 5 && cur.newKey != ""; depth++ {
			next, err := find(cur.newKey, cur.eff)
			if err != nil {
				return nil, err
			}
			var nx *rec
			for i := range next {
				if next[i].id != cur.id {
					nx = &next[i]
					break
				}
			}
			if nx == nil {
				break
			}
			cur = *nx
		}
		finals = append(finals, cur)
	}
	mv := &Move{MoveType: recs[0].moveType, Effective: finals[0].eff, RecordID: top[0].id, FinalID: finals[0].id, ListID: top[0].list}
	mv.Old = address.Fields{}
	if len(result.Components) > 0 || result.Standardized.DeliveryLine != "" {
		mv.Old = address.Fields{Line1: result.Standardized.DeliveryLine, ZIP: result.ZIP}
	}
	for _, f := range finals[1:] {
		if outcome(f) != outcome(finals[0]) {
			mv.Code = CodeAmbiguous
			return mv, nil
		}
	}
	f := finals[0]
	switch {
	case f.newKey != "":
		mv.Code, mv.New, mv.NewZIP4, mv.NewKey = CodeNewAddress, f.newF, f.newZIP4, f.newKey
	case f.boxClosed:
		mv.Code = CodePOBoxClosed
	default:
		mv.Code = CodeMovedNoAddress
	}
	return mv, nil
}

// StageBookMatch stages, in the caller's transaction, the job that matches
// one account's address book against the COA lists. The address-book code
// calls it after an import or an edit; call (*jobs.Queue).Enqueue with the
// returned ID after commit (or leave it to the sweeper).
func StageBookMatch(ctx context.Context, tx pgx.Tx, accountID, by int64, now time.Time) (int64, error) {
	return jobs.Stage(ctx, tx, jobs.New{Kind: JobKindCOAMatch, Payload: matchPayload{Account: accountID}, CreatedBy: by, AccountID: accountID}, now)
}

// SubmitBookMatch stages and enqueues an account's matching job in its own
// transaction (for callers without one). While one is still queued, it
// returns that one: a burst of edits costs one run.
func (c *Service) SubmitBookMatch(ctx context.Context, accountID int64) (int64, error) {
	var id int64
	err := db.Transact(ctx, c.pool, func(tx pgx.Tx) error {
		queued, ok, err := jobs.QueuedFor(ctx, tx, JobKindCOAMatch, accountID)
		if err != nil {
			return fmt.Errorf("coa: find queued COA match: %w", err)
		}
		if ok {
			id = queued
			return nil
		}
		id, err = StageBookMatch(ctx, tx, accountID, 0, c.now().UTC())
		return err
	})
	if err != nil {
		return 0, err
	}
	c.enqueue(ctx, id)
	return id, nil
}
