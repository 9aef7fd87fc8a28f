package metering

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
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
	// Normalizing below writes to the pieces: on a copy, so that a caller
	// reusing or sharing its request (a retry, concurrent sends) never races.
	req.Pieces = slices.Clone(req.Pieces)
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
	actor  accounts.User
	req    PurchaseRequest
	hash   []byte
	res    Purchase
	err    error
	done   chan struct{}
	lead   chan struct{} // closed when this waiter must lead the next group
	replay int64         // an earlier purchase with the same key and request
	dupOf  *pending      // the same key earlier in this group
	labels []Label
}

type meterQueue struct {
	waiting []*pending
	running bool
	flight  *flight // the meter's latest record this process knows, for the next group to chain on (pipeline.go)
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
// with one box call, and hands the lead to the next waiter, if any: as soon
// as the box answered when the group can be pipelined (pipeline.go), else
// once it is served.
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
	prev := q.flight
	s.mu.Unlock()

	h := &handoff{s: s, meterID: meterID, q: q}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	if prev == nil || !s.dispenseChained(ctx, group, prev, h) {
		s.dispense(ctx, meterID, group, h)
	}
	cancel()
	for _, p := range group {
		close(p.done)
	}
	h.release()
}

var errInsufficient = &apperr.Error{Kind: apperr.KindPayment, Code: "insufficient_funds", Field: "postage",
	Message: "The meter does not hold enough postage for this purchase. Add funds and try again; nothing was dispensed."}

// dispenseGroup serves one meter's group in its own transaction: lock the
// meter, allocate funds in arrival order, one box call, store everything,
// commit, box commit. It is the path for big batches and for every group the
// cross-meter path (groupcommit.go) hands back: refusals, tamper, errors.
func (s *Service) dispenseGroup(ctx context.Context, meterID int64, group []*pending) {
	var tamper *box.TamperError
	var d meterDispense
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		resetPending(group)
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
		if err := s.resolveKeys(ctx, tx, []keyedGroup{{m.Record.AccountID, group}}); err != nil {
			return err
		}
		accepted, pieces := allocate(m, group)
		if len(accepted) == 0 {
			// Refusals were decided on the stored record: make sure it is genuine.
			return s.refuse(ctx, m, &tamper, nil)
		}
		d = meterDispense{m: m, accepted: accepted}
		d.res, err = s.box.Dispense(ctx, m.Record, pieces)
		if err != nil {
			if errors.As(err, &tamper) {
				return err
			}
			return boxError(err)
		}
		return s.storeDispenses(ctx, tx, []*meterDispense{&d})
	})
	switch {
	case tamper != nil:
		s.raiseTamper(ctx, meterID, tamper)
		err = tamperRefusal()
	case err == nil && len(d.accepted) > 0:
		s.commitBox(ctx, d.res.Record)
	}
	s.finish(ctx, meterID, group, err, d.res.Record)
}

func resetPending(group []*pending) {
	for _, p := range group {
		p.err, p.replay, p.dupOf, p.labels = nil, 0, nil, nil
	}
}

// allocate decides, in arrival order, which requests of a group the meter's
// descending register covers, and returns them with the pieces for the box.
func allocate(m Meter, group []*pending) ([]*pending, []box.Piece) {
	remaining := m.Record.DR
	var accepted []*pending
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
