package metering

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db"
	"indicia/metering/box"
	"indicia/metering/indicium"
)

// Recipient is the addressee as printed on the label; Standardized is the
// address whose hash the indicium carries (seed claim 1).
type Recipient struct {
	Name         string   `json:"name,omitempty"`
	Company      string   `json:"company,omitempty"`
	Lines        []string `json:"lines"`
	Standardized string   `json:"standardized"`
}

// PieceRequest is one piece to buy postage for.
type PieceRequest struct {
	Postage     int64     `json:"postage"`
	MailingDate time.Time `json:"mailing_date"`
	OriginZIP   string    `json:"origin_zip,omitempty"`
	DestZIP     string    `json:"dest_zip"`
	MailClass   string    `json:"mail_class"`
	Services    uint32    `json:"services,omitempty"`
	Recipient   Recipient `json:"recipient"`
}

// PurchaseRequest is one purchase: a single piece or a batch.
type PurchaseRequest struct {
	MeterID        int64
	Pieces         []PieceRequest
	IdempotencyKey string
}

// Label is one dispensed piece: the stored indicium and what the label prints.
type Label struct {
	PublicID    string
	MeterID     int64
	Serial      string
	PieceNumber int64
	MailingDate time.Time
	Postage     int64
	OriginZIP   string
	DestZIP     string
	MailClass   string
	Services    uint32
	Recipient   Recipient
	Indicium    []byte
	Status      string
	CreatedAt   time.Time
}

// Purchase is the outcome of a purchase request.
type Purchase struct {
	PublicID  string
	MeterID   int64
	Serial    string
	Pieces    int
	Postage   int64
	CreatedAt time.Time
	Labels    []Label
	Replayed  bool // an idempotent retry: the labels of the first request
	// MeterDR is the meter's descending register right after this purchase
	// (0 on a replay): payments decides on auto-refill without another query.
	MeterDR int64
}

// MaxPieces is the most pieces one purchase may carry.
const MaxPieces = box.MaxBatch

var destZIPRe = regexp.MustCompile(`^\d{5}(\d{4})?$`)

func (s *Service) validate(req *PurchaseRequest) error {
	if len(req.Pieces) == 0 {
		return apperr.Invalid("pieces", "Add at least one piece.")
	}
	if len(req.Pieces) > MaxPieces {
		return apperr.Invalid("pieces", fmt.Sprintf("A purchase holds at most %d pieces; split the batch.", MaxPieces))
	}
	if len(req.IdempotencyKey) > 200 {
		return apperr.Invalid("idempotency_key", "The idempotency key is longer than 200 characters.")
	}
	today := s.now().Truncate(24 * time.Hour)
	for i := range req.Pieces {
		p := &req.Pieces[i]
		field := func(f string) string {
			if len(req.Pieces) == 1 {
				return f
			}
			return fmt.Sprintf("pieces[%d].%s", i, f)
		}
		if p.MailingDate.IsZero() {
			p.MailingDate = today
		}
		p.MailingDate = p.MailingDate.UTC().Truncate(24 * time.Hour)
		switch {
		case p.Postage <= 0:
			return apperr.Invalid(field("postage"), "Postage must be more than $0.00.")
		case p.Postage > 100_000_00:
			return apperr.Invalid(field("postage"), "Postage over $100,000.00 for one piece is refused.")
		case !destZIPRe.MatchString(p.DestZIP):
			return apperr.Invalid(field("dest_zip"), "Enter the destination ZIP as 5 digits or ZIP+4 without a hyphen.")
		case p.OriginZIP != "" && !zip5.MatchString(p.OriginZIP):
			return apperr.Invalid(field("origin_zip"), "Enter the origin ZIP as 5 digits.")
		case p.MailingDate.Before(today.AddDate(0, 0, -1)) || p.MailingDate.After(today.AddDate(0, 0, 30)):
			return apperr.Invalid(field("mailing_date"), "The date of mailing must be from yesterday to 30 days ahead.")
		case p.MailClass == "":
			return apperr.Invalid(field("mail_class"), "Choose a mail class.")
		case p.Recipient.Standardized == "":
			return apperr.Invalid(field("recipient"), "Enter the recipient's address.")
		}
	}
	return nil
}

func requestHash(req PurchaseRequest) []byte {
	b, _ := json.Marshal(struct {
		M int64
		P []PieceRequest
	}{req.MeterID, req.Pieces})
	h := sha256.Sum256(b)
	return h[:]
}

// pending is one purchase waiting in its meter's queue.
type pending struct {
	actor   accounts.User
	req     PurchaseRequest
	hash    []byte
	res     Purchase
	err     error
	done    chan struct{}
	lead    chan struct{} // closed when this waiter must lead the next group
	replay  int64         // an earlier purchase with the same key and request
	dupOf   *pending      // the same key earlier in this group
	id      int64
	labels  []Label
	started bool
}

type meterQueue struct {
	waiting []*pending
	running bool
}

// Purchase dispenses postage for one request (pages and API alike). Requests
// for the same meter that arrive together are coalesced: one box call and one
// commit serve them all, and each still gets its own purchase and labels.
// With an idempotency key, a retry returns the first request's labels and a
// retry with different parameters is a conflict.
func (s *Service) Purchase(ctx context.Context, actor accounts.User, req PurchaseRequest) (Purchase, error) {
	if !actor.Can(accounts.PermBuyPostage) {
		return Purchase{}, apperr.Forbidden("You do not have the \"Buy postage\" permission.")
	}
	if err := s.validate(&req); err != nil {
		return Purchase{}, err
	}
	if req.MeterID == 0 {
		m, err := s.DefaultMeter(ctx, actor)
		if err != nil {
			return Purchase{}, err
		}
		req.MeterID = m.ID
	}
	p := &pending{actor: actor, req: req, hash: requestHash(req), done: make(chan struct{}), lead: make(chan struct{})}
	if req.IdempotencyKey != "" {
		if res, found, err := s.replay(ctx, actor, req.IdempotencyKey, p.hash); found || err != nil {
			return res, err
		}
	}
	s.mu.Lock()
	q := s.queues[req.MeterID]
	if q == nil {
		q = &meterQueue{}
		s.queues[req.MeterID] = q
	}
	q.waiting = append(q.waiting, p)
	leadNow := !q.running
	q.running = true
	s.mu.Unlock()
	if leadNow {
		close(p.lead)
	}
	for {
		select {
		case <-p.done:
			return p.res, p.err
		case <-p.lead:
			s.runGroup(context.WithoutCancel(ctx), req.MeterID)
			p.lead = nil // a nil channel blocks: this waiter leads once
		}
	}
}

// runGroup takes the waiting requests (up to MaxCoalesce pieces), serves them
// with one box call, and hands the lead to the next waiter, if any.
func (s *Service) runGroup(ctx context.Context, meterID int64) {
	s.mu.Lock()
	q := s.queues[meterID]
	var group []*pending
	n := 0
	for len(q.waiting) > 0 {
		next := q.waiting[0]
		if len(group) > 0 && n+len(next.req.Pieces) > s.opt.MaxCoalesce {
			break
		}
		group = append(group, next)
		n += len(next.req.Pieces)
		q.waiting = q.waiting[1:]
	}
	s.mu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	s.dispenseGroup(ctx, meterID, group)
	cancel()
	for _, p := range group {
		close(p.done)
	}

	s.mu.Lock()
	if len(q.waiting) > 0 {
		close(q.waiting[0].lead)
	} else {
		q.running = false
		delete(s.queues, meterID)
	}
	s.mu.Unlock()
}

var errInsufficient = &apperr.Error{Kind: apperr.KindPayment, Code: "insufficient_funds", Field: "postage",
	Message: "The meter does not hold enough postage for this purchase. Add funds and try again; nothing was dispensed."}

// dispenseGroup serves a group in one transaction: lock the meter, allocate
// funds in arrival order, one box call, store everything, commit, box commit.
func (s *Service) dispenseGroup(ctx context.Context, meterID int64, group []*pending) {
	var tamper *box.TamperError
	var result box.DispenseResult
	var accepted []*pending
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		accepted = accepted[:0]
		for _, p := range group {
			p.err, p.replay, p.dupOf, p.labels = nil, 0, nil, nil
		}
		m, err := lockMeter(ctx, tx, meterID)
		if err != nil {
			return err
		}
		if m.TamperHold != "" {
			return errTamperHold(m)
		}
		if m.Record.Status != box.StatusActive {
			return s.refuse(ctx, m, &tamper, boxError(box.ErrMeterNotActive))
		}
		if err := s.resolveKeys(ctx, tx, m, group); err != nil {
			return err
		}
		remaining := m.Record.DR
		var pieces []box.Piece
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
						p.err = apperr.Invalid(pieceField(p, i, "origin_zip"), "This meter floats: choose the origin ZIP (post office of deposit).")
					}
				}
				if p.err != nil {
					continue
				}
			}
			remaining -= sum
			accepted = append(accepted, p)
			for _, pc := range p.req.Pieces {
				pieces = append(pieces, box.Piece{Postage: pc.Postage, MailingDate: pc.MailingDate, OriginZIP: pc.OriginZIP, DestZIP: pc.DestZIP,
					MailClass: pc.MailClass, Services: pc.Services, RecipientHash: indicium.RecipientHash(pc.Recipient.Standardized)})
			}
		}
		if len(accepted) == 0 {
			// Refusals were decided on the stored record: make sure it is genuine.
			return s.refuse(ctx, m, &tamper, nil)
		}
		result, err = s.box.Dispense(ctx, m.Record, pieces)
		if err != nil {
			if errors.As(err, &tamper) {
				return err
			}
			return boxError(err)
		}
		return s.storeDispense(ctx, tx, m, accepted, result)
	})
	switch {
	case tamper != nil:
		s.raiseTamper(ctx, meterID, tamper)
		err = tamperRefusal()
	case err == nil && len(accepted) > 0:
		s.commitBox(ctx, result.Record)
	}
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
			p.res = Purchase{PublicID: p.res.PublicID, MeterID: meterID, Serial: result.Record.Serial, Pieces: len(p.labels),
				Postage: sumPostage(p.labels), CreatedAt: p.res.CreatedAt, Labels: p.labels, MeterDR: result.Record.DR}
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

func pieceField(p *pending, i int, f string) string {
	if len(p.req.Pieces) == 1 {
		return f
	}
	return fmt.Sprintf("pieces[%d].%s", i, f)
}

func sumPostage(ls []Label) int64 {
	var n int64
	for _, l := range ls {
		n += l.Postage
	}
	return n
}

// resolveKeys checks authorization and idempotency keys for the group.
func (s *Service) resolveKeys(ctx context.Context, tx pgx.Tx, m Meter, group []*pending) error {
	seen := map[string]*pending{}
	var keys []string
	for _, p := range group {
		if p.actor.AccountID != m.Record.AccountID {
			p.err = apperr.NotFound("No such meter.")
			continue
		}
		k := p.req.IdempotencyKey
		if k == "" {
			continue
		}
		if first, ok := seen[k]; ok {
			if string(first.hash) != string(p.hash) {
				p.err = idemConflict()
			} else {
				p.dupOf = first
			}
			continue
		}
		seen[k] = p
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT id, idempotency_key, request_hash FROM purchases WHERE account_id = $1 AND idempotency_key = ANY($2)`,
		m.Record.AccountID, keys)
	if err != nil {
		return fmt.Errorf("metering: look up idempotency keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var k string
		var h []byte
		if err := rows.Scan(&id, &k, &h); err != nil {
			return err
		}
		p := seen[k]
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

var indiciaColumns = []string{"public_id", "purchase_id", "meter_id", "account_id", "piece_number", "mailing_date", "postage", "origin_zip",
	"dest_zip", "mail_class", "services", "recipient", "data", "status", "created_at"}

// storeDispense writes the new record, the transaction records, one purchase
// per accepted request and one indicium per piece, in the caller's
// transaction: one pipelined batch of set-based statements for ordinary
// groups (a single round trip), COPY for big batches.
func (s *Service) storeDispense(ctx context.Context, tx pgx.Tx, m Meter, accepted []*pending, res box.DispenseResult) error {
	now := s.now()
	var pr purchaseRows
	var ir indiciumRows
	k := 0
	for _, p := range accepted {
		p.res.PublicID, p.res.CreatedAt = "p_"+publicID(), now
		var sum int64
		for _, pc := range p.req.Pieces {
			sum += pc.Postage
		}
		pr.add(p, m, sum, now)
		for _, pc := range p.req.Pieces {
			dp := res.Pieces[k]
			k++
			origin := pc.OriginZIP
			if !m.Floating() || origin == "" {
				origin = m.Record.OriginZIP
			}
			l := Label{PublicID: "l_" + publicID(), MeterID: m.ID, Serial: m.Record.Serial, PieceNumber: dp.Tx.PieceNumber, MailingDate: pc.MailingDate,
				Postage: pc.Postage, OriginZIP: origin, DestZIP: pc.DestZIP, MailClass: pc.MailClass, Services: pc.Services, Recipient: pc.Recipient,
				Indicium: dp.Indicium, Status: "issued", CreatedAt: now}
			p.labels = append(p.labels, l)
			ir.add(p.res.PublicID, l)
		}
	}
	txs := make([]box.TxRecord, len(res.Pieces))
	for i, p := range res.Pieces {
		txs[i] = p.Tx
	}
	if len(res.Pieces) > 256 {
		return s.copyDispense(ctx, tx, m, res.Record, txs, pr, ir, now)
	}
	b := &pgx.Batch{}
	queueRecord(b, m.ID, res.Record, now)
	queueTxRecords(b, m.ID, txs)
	b.Queue(`INSERT INTO purchases (public_id, account_id, meter_id, user_id, idempotency_key, request_hash, pieces, postage, created_at)
		SELECT u.pub, u.acct, u.meter, u.usr, NULLIF(u.key, ''), u.hash, u.pieces, u.postage, u.at
		FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::bytea[], $7::int[], $8::bigint[], $9::timestamptz[])
			AS u(pub, acct, meter, usr, key, hash, pieces, postage, at)`,
		pr.publicID, pr.account, pr.meter, pr.user, pr.key, pr.hash, pr.pieces, pr.postage, pr.at)
	b.Queue(`INSERT INTO indicia (public_id, purchase_id, meter_id, account_id, piece_number, mailing_date, postage, origin_zip, dest_zip, mail_class,
			services, recipient, data, status, created_at)
		SELECT u.pub, p.id, p.meter_id, p.account_id, u.piece, u.day, u.postage, u.origin, u.dest, u.class, u.services, u.recipient, u.data, 'issued', p.created_at
		FROM unnest($1::text[], $2::text[], $3::bigint[], $4::date[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::int[], $10::jsonb[], $11::bytea[])
			AS u(pub, ppub, piece, day, postage, origin, dest, class, services, recipient, data)
		JOIN purchases p ON p.public_id = u.ppub`,
		ir.publicID, ir.purchase, ir.piece, ir.day, ir.postage, ir.origin, ir.dest, ir.class, ir.services, ir.recipient, ir.data)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("metering: store dispense: %w", err)
	}
	return nil
}

type purchaseRows struct {
	publicID, key           []string
	account, meter, postage []int64
	user                    []*int64
	hash                    [][]byte
	pieces                  []int32
	at                      []time.Time
}

func (r *purchaseRows) add(p *pending, m Meter, sum int64, now time.Time) {
	r.publicID = append(r.publicID, p.res.PublicID)
	r.account = append(r.account, m.Record.AccountID)
	r.meter = append(r.meter, m.ID)
	var uid *int64
	if p.actor.ID != 0 {
		id := p.actor.ID
		uid = &id
	}
	r.user = append(r.user, uid)
	r.key = append(r.key, p.req.IdempotencyKey)
	r.hash = append(r.hash, p.hash)
	r.pieces = append(r.pieces, int32(len(p.req.Pieces)))
	r.postage = append(r.postage, sum)
	r.at = append(r.at, now)
}

type indiciumRows struct {
	publicID, purchase, origin, dest, class, recipient []string
	piece, postage                                     []int64
	day                                                []time.Time
	services                                           []int32
	data                                               [][]byte
}

func (r *indiciumRows) add(purchase string, l Label) {
	rj, _ := json.Marshal(l.Recipient)
	r.publicID = append(r.publicID, l.PublicID)
	r.purchase = append(r.purchase, purchase)
	r.piece = append(r.piece, l.PieceNumber)
	r.day = append(r.day, l.MailingDate)
	r.postage = append(r.postage, l.Postage)
	r.origin = append(r.origin, l.OriginZIP)
	r.dest = append(r.dest, l.DestZIP)
	r.class = append(r.class, l.MailClass)
	r.services = append(r.services, int32(l.Services))
	r.recipient = append(r.recipient, string(rj))
	r.data = append(r.data, l.Indicium)
}

// copyDispense stores a big batch with COPY (10,000 labels in one request).
func (s *Service) copyDispense(ctx context.Context, tx pgx.Tx, m Meter, rec box.Record, txs []box.TxRecord, pr purchaseRows, ir indiciumRows, now time.Time) error {
	if err := storeRecord(ctx, tx, m.ID, rec, now); err != nil {
		return err
	}
	if err := insertTxRecords(ctx, tx, m.ID, txs); err != nil {
		return err
	}
	ids := map[string]int64{}
	for i := range pr.publicID {
		var key any
		if pr.key[i] != "" {
			key = pr.key[i]
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO purchases (public_id, account_id, meter_id, user_id, idempotency_key, request_hash, pieces, postage, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`, pr.publicID[i], pr.account[i], pr.meter[i], pr.user[i], key, pr.hash[i], pr.pieces[i],
			pr.postage[i], pr.at[i]).Scan(&id); err != nil {
			return fmt.Errorf("metering: store purchase: %w", err)
		}
		ids[pr.publicID[i]] = id
	}
	rows := make([][]any, len(ir.publicID))
	for i := range ir.publicID {
		rows[i] = []any{ir.publicID[i], ids[ir.purchase[i]], m.ID, m.Record.AccountID, ir.piece[i], ir.day[i], ir.postage[i], ir.origin[i],
			ir.dest[i], ir.class[i], ir.services[i], []byte(ir.recipient[i]), ir.data[i], "issued", now}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"indicia"}, indiciaColumns, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("metering: store indicia: %w", err)
	}
	return nil
}
