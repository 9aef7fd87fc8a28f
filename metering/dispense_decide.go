package metering

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"indicia/apperr"
	"indicia/db"
	"indicia/metering/box"
	"indicia/metering/indicium"
)

// Deciding a group, the same on every dispensing path: the requests are
// reset (a path may decide a group again after another one gave up on it),
// checked against the meter's owner and their idempotency keys
// (resolveKeys), given funds in arrival order (allocate), and, once the
// transaction is over, answered (finish).

// resetPending clears what an earlier attempt decided for the group.
func resetPending(group []*pending) {
	for _, p := range group {
		p.err, p.replay, p.dupOf, p.labels = nil, 0, nil, nil
	}
}

// querier runs a query in a transaction: a pgx.Tx, or the pooled connection
// of a pipelined cross-meter transaction (pipetx.go).
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// keyedGroup is one meter's group with the account that owns the meter.
type keyedGroup struct {
	accountID int64
	group     []*pending
}

// resolveKeys checks authorization and idempotency keys for groups on one or
// more meters, with one query for all the keys.
func (s *Service) resolveKeys(ctx context.Context, tx querier, groups []keyedGroup) error {
	type acctKey struct {
		account int64
		key     string
	}
	seen := map[acctKey]*pending{}
	var accts []int64
	var keys []string
	for _, g := range groups {
		for _, p := range g.group {
			if p.actor.AccountID != g.accountID {
				p.err = apperr.NotFound("No such meter.")
				continue
			}
			k := p.req.IdempotencyKey
			if k == "" {
				continue
			}
			ak := acctKey{g.accountID, k}
			if first, ok := seen[ak]; ok {
				if string(first.hash) != string(p.hash) {
					p.err = idemConflict()
				} else {
					p.dupOf = first
				}
				continue
			}
			seen[ak] = p
			accts, keys = append(accts, g.accountID), append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT p.id, p.account_id, p.idempotency_key, p.request_hash FROM purchases p
		JOIN unnest($1::bigint[], $2::text[]) AS u(account_id, key) ON p.account_id = u.account_id AND p.idempotency_key = u.key`, accts, keys)
	if err != nil {
		return fmt.Errorf("metering: look up idempotency keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, acct int64
		var k string
		var h []byte
		if err := rows.Scan(&id, &acct, &k, &h); err != nil {
			return err
		}
		p := seen[acctKey{acct, k}]
		if string(h) != string(p.hash) {
			p.err = idemConflict()
		} else {
			p.replay = id
		}
	}
	return rows.Err()
}

func idemConflict() error {
	return apperr.Conflict("idempotency_key", "This idempotency key was already used for a different request. Use a new key for a new purchase.")
}

var errInsufficient = &apperr.Error{Kind: apperr.KindPayment, Code: "insufficient_funds", Field: "postage",
	Message: "The meter does not hold enough postage for this purchase. Add funds and try again; nothing was dispensed."}

// allocate decides, in arrival order, which requests of a group the meter's
// descending register covers, and returns them with the pieces for the box.
func allocate(m Meter, group []*pending) ([]*pending, []box.Piece) {
	remaining := m.Record.DR
	var accepted []*pending
	var pieces []box.Piece
	certSerial := m.CertSerial()
	for _, p := range group {
		if p.err != nil || p.replay != 0 || p.dupOf != nil {
			continue
		}
		var sum int64
		for _, pc := range p.req.Pieces {
			sum += pc.Postage
		}
		if sum > remaining {
			p.err = errInsufficient
			continue
		}
		if m.Floating() {
			for i, pc := range p.req.Pieces {
				if pc.OriginZIP == "" || pc.OriginZIP == box.FloatingOrigin {
					p.err = apperr.Invalid(apperr.PieceField(i, len(p.req.Pieces), "origin_zip"), "This meter floats: choose the origin ZIP (post office of deposit).")
				}
			}
			if p.err != nil {
				continue
			}
		}
		remaining -= sum
		accepted = append(accepted, p)
		for _, pc := range p.req.Pieces {
			pieces = append(pieces, box.Piece{Postage: pc.Postage, MailingDate: pc.MailingDate, OriginZIP: pc.OriginZIP, DestZIP: pc.DestZIP, Country: pc.DestCountry,
				MailClass: pc.MailClass, Services: pc.Services, RecipientHash: indicium.RecipientHash(pc.Recipient.Standardized), CertSerial: certSerial})
		}
	}
	return accepted, pieces
}

// finish gives every request of a group its outcome once the transaction
// that served it (or failed it) is over.
func (s *Service) finish(ctx context.Context, meterID int64, group []*pending, err error, rec box.Record) {
	for _, p := range group {
		switch {
		case err != nil:
			if ae, ok := apperr.As(err); ok && ae.Kind != apperr.KindInternal {
				p.err = err
			} else if db.IsUniqueViolation(err, "") {
				p.err = apperr.Conflict("idempotency_key", "Another request with this idempotency key is in progress; retry to get its labels.")
			} else {
				p.err = fmt.Errorf("metering: dispense on meter %d: %w", meterID, err)
			}
		case p.err != nil:
		case p.replay != 0:
			p.res, p.err = s.loadPurchase(ctx, p.replay)
			p.res.Replayed = true
		case p.dupOf != nil:
		default:
			p.res = Purchase{PublicID: p.res.PublicID, MeterID: meterID, Serial: rec.Serial, Pieces: len(p.labels),
				Postage: sumPostage(p.labels), CreatedAt: p.res.CreatedAt, Labels: p.labels, MeterDR: rec.DR}
		}
	}
	for _, p := range group {
		if p.dupOf != nil && err == nil {
			p.res, p.err = p.dupOf.res, p.dupOf.err
			p.res.Replayed = true
		}
	}
}

// refuse checks with the box that a record we refuse on is genuine, so an edit
// that makes the meter refuse (a lowered register, a changed status) still
// raises a tamper alert; it returns err otherwise.
func (s *Service) refuse(ctx context.Context, m Meter, tamper **box.TamperError, err error) error {
	if verr := s.box.VerifyRecord(ctx, m.Record); verr != nil {
		if errors.As(verr, tamper) {
			return verr
		}
		return boxError(verr)
	}
	return err
}

func sumPostage(ls []Label) int64 {
	var n int64
	for _, l := range ls {
		n += l.Postage
	}
	return n
}
