package coa

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/hygiene/addressbook"
)

// MatchFilter selects an account's matches. Empty fields select all.
type MatchFilter struct {
	Status   string    // pending (when empty), accepted, dismissed, withdrawn, superseded
	MoveType string    // the tier the name matched: individual, family, business
	Code     MoveCode  // new_address, moved_left_no_address, po_box_closed, ambiguous
	From, To time.Time // move effective date, inclusive (zero: open)
}

// MatchStatuses are the statuses a filter may name.
var MatchStatuses = []string{MatchPending, MatchAccepted, MatchDismissed, MatchWithdrawn, MatchSuperseded}

// MatchCodes are the codes a match can carry.
var MatchCodes = []MoveCode{CodeNewAddress, CodeMovedNoAddress, CodePOBoxClosed, CodeAmbiguous}

// Check refuses a filter naming an unknown status, move type or code, or an
// empty date range, each at its field.
func (f MatchFilter) Check() error {
	bad := apperr.Fields{}
	if f.Status != "" && !oneOf(f.Status, MatchStatuses...) {
		bad["status"] = "status is one of " + strings.Join(MatchStatuses, ", ") + "."
	}
	if f.MoveType != "" && !oneOf(f.MoveType, MoveIndividual, MoveFamily, MoveBusiness) {
		bad["move_type"] = "move_type is one of individual, family, business."
	}
	if f.Code != "" {
		ok := false
		for _, c := range MatchCodes {
			ok = ok || c == f.Code
		}
		if !ok {
			bad["code"] = "code is one of new_address, moved_left_no_address, po_box_closed, ambiguous."
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		bad["to"] = "The end date is before the start date."
	}
	return bad.Err()
}

func oneOf(s string, set ...string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

// where is the filter as SQL over coa_matches m joined to its final record
// r, with its arguments numbered from $1 (the account).
func (f MatchFilter) where(account int64) (string, []any) {
	status := f.Status
	if status == "" {
		status = MatchPending
	}
	args := []any{account, status}
	var b strings.Builder
	b.WriteString(`m.account_id = $1 AND m.status = $2`)
	add := func(cond string, v any) {
		args = append(args, v)
		b.WriteString(" AND " + strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.MoveType != "" {
		add(`m.tier = ?`, f.MoveType)
	}
	if f.Code != "" {
		add(`m.code = ?`, string(f.Code))
	}
	if !f.From.IsZero() {
		add(`r.effective >= ?`, f.From)
	}
	if !f.To.IsZero() {
		add(`r.effective <= ?`, f.To)
	}
	return b.String(), args
}

// MatchPage is one page of matches, newest first. After is the cursor of
// the next page (0: this is the last).
type MatchPage struct {
	Matches []COAMatch `json:"matches"`
	Total   int        `json:"total"`
	After   int64      `json:"next_after,omitempty"`
}

// FindMatches lists the actor's account's matches that pass f, newest
// first (by id), limit at a time. after is the cursor of a previous page
// (the ids below it follow); offset skips rows instead, for old clients.
func (c *Service) FindMatches(ctx context.Context, actor accounts.User, f MatchFilter, after int64, offset, limit int) (MatchPage, error) {
	if err := addressbook.AuthorizeRead(actor); err != nil {
		return MatchPage{}, err
	}
	if err := f.Check(); err != nil {
		return MatchPage{}, err
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	if err := c.logAccess(ctx, c.pool, actor, "view_matches", "status "+statusOr(f.Status)); err != nil {
		return MatchPage{}, err
	}
	where, args := f.where(actor.AccountID)
	var p MatchPage
	if err := c.pool.QueryRow(ctx, `SELECT count(*) FROM coa_matches m JOIN coa_records r ON r.id = m.final_id WHERE `+where, args...).Scan(&p.Total); err != nil {
		return MatchPage{}, fmt.Errorf("coa: count COA matches: %w", err)
	}
	q := matchQuery + ` WHERE ` + where
	if after > 0 {
		args = append(args, after)
		q += ` AND m.id < $` + strconv.Itoa(len(args))
	}
	args = append(args, limit+1, offset)
	q += fmt.Sprintf(` ORDER BY m.id DESC LIMIT $%d OFFSET $%d`, len(args)-1, len(args))
	rows, err := c.pool.Query(ctx, q, args...)
	if err != nil {
		return MatchPage{}, fmt.Errorf("coa: list COA matches: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (COAMatch, error) { return scanMatch(r) })
	if err != nil {
		return MatchPage{}, fmt.Errorf("coa: list COA matches: %w", err)
	}
	if len(list) > limit {
		list = list[:limit]
		p.After = list[limit-1].ID
	}
	if p.Matches, err = c.withEntries(ctx, c.pool, actor.AccountID, list); err != nil {
		return MatchPage{}, fmt.Errorf("coa: list COA matches: %w", err)
	}
	return p, nil
}

func statusOr(s string) string {
	if s == "" {
		return MatchPending
	}
	return s
}

// EachMatch calls fn for every match of the actor's account that passes f,
// newest first, streaming (the export uses it).
func (c *Service) EachMatch(ctx context.Context, actor accounts.User, f MatchFilter, fn func(COAMatch) error) error {
	var after int64
	for {
		p, err := c.FindMatches(ctx, actor, f, after, 0, 500)
		if err != nil {
			return err
		}
		for _, m := range p.Matches {
			if err := fn(m); err != nil {
				return err
			}
		}
		if p.After == 0 {
			return nil
		}
		after = p.After
	}
}

// MaxBulkMatches bounds one bulk decision; the answer says how many of the
// filter's matches remain for another call.
const MaxBulkMatches = 5000

// BulkSkip is a match a bulk decision left alone, with the reason.
type BulkSkip struct {
	ID     int64  `json:"id"`
	Reason string `json:"reason"`
}

// BulkResult is the outcome of a bulk accept or dismiss.
type BulkResult struct {
	Decided   int        `json:"decided"`
	Skipped   []BulkSkip `json:"skipped"`
	Remaining int        `json:"remaining"` // pending matches of the filter not reached (beyond MaxBulkMatches)
}

// DecideMany accepts (or dismisses) the given matches, or, when ids is
// empty, every pending match that passes f (at most MaxBulkMatches). Each
// match is decided in its own transaction, exactly as one at a time would
// be: a match that cannot be accepted (no new address, already decided, the
// entry's address changed) is skipped with its reason and the rest go on.
func (c *Service) DecideMany(ctx context.Context, actor accounts.User, ids []int64, f *MatchFilter, accept bool) (BulkResult, error) {
	if err := addressbook.AuthorizeEdit(actor); err != nil {
		return BulkResult{}, err
	}
	res := BulkResult{Skipped: []BulkSkip{}}
	switch {
	case len(ids) > MaxBulkMatches:
		return res, apperr.Invalid("ids", fmt.Sprintf("At most %d ids at a time.", MaxBulkMatches))
	case len(ids) == 0 && f == nil:
		return res, apperr.Invalid("ids", "Give the ids of the matches, or a filter.")
	case len(ids) == 0:
		pf := *f
		if pf.Status != "" && pf.Status != MatchPending {
			return res, apperr.Invalid("status", "Only pending matches can be accepted or dismissed.")
		}
		pf.Status = MatchPending
		if err := pf.Check(); err != nil {
			return res, err
		}
		where, args := pf.where(actor.AccountID)
		args = append(args, MaxBulkMatches+1)
		rows, err := c.pool.Query(ctx, `SELECT m.id FROM coa_matches m JOIN coa_records r ON r.id = m.final_id WHERE `+where+
			fmt.Sprintf(` ORDER BY m.id DESC LIMIT $%d`, len(args)), args...)
		if err != nil {
			return res, fmt.Errorf("coa: select COA matches: %w", err)
		}
		if ids, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return res, fmt.Errorf("coa: select COA matches: %w", err)
		}
		if len(ids) > MaxBulkMatches {
			ids = ids[:MaxBulkMatches]
			var n int
			if err := c.pool.QueryRow(ctx, `SELECT count(*) FROM coa_matches m JOIN coa_records r ON r.id = m.final_id WHERE `+where,
				args[:len(args)-1]...).Scan(&n); err != nil {
				return res, fmt.Errorf("coa: count COA matches: %w", err)
			}
			res.Remaining = n - MaxBulkMatches
		}
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if err := ctx.Err(); err != nil {
			return res, err
		}
		_, err := c.decide(ctx, actor, id, accept)
		var ae *apperr.Error
		switch {
		case err == nil:
			res.Decided++
		case errors.As(err, &ae) && (ae.Kind == apperr.KindNotFound || ae.Kind == apperr.KindConflict):
			res.Skipped = append(res.Skipped, BulkSkip{ID: id, Reason: ae.Message})
		default:
			return res, err
		}
	}
	return res, nil
}
