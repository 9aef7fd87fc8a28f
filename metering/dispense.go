package metering

import (
	"context"

	"indicia/metering/box"
)

// Dispensing one meter's group. Every strategy decides the requests against
// the meter as stored (dispense_decide.go), makes one box step, stores it
// with the purchases and indicia in one transaction, and only after the
// commit tells the box and answers the requests; they differ in what shares
// a transaction and when the box is asked:
//
//   - one meter (dispense_single.go): lock the row, decide, box, store,
//     commit. It handles every unusual case.
//   - group commit (dispense_groupcommit.go): the groups of many meters
//     share one transaction and one box request each way.
//   - pipeline (dispense_pipeline.go): on a busy meter, the box signs the
//     group chained on the previous group's step while that one commits.

type strategy int

const (
	oneMeter strategy = iota
	groupCommit
	pipelined
)

// meterGroup is the requests of one meter served together (coalesce.go).
type meterGroup struct {
	meterID int64
	reqs    []*pending
	prev    *flight  // the meter's record in flight when the group started (nil: none)
	h       *handoff // passes the meter's lead on (handoff.go)
}

// pieces counts the group's pieces.
func (g meterGroup) pieces() int {
	n := 0
	for _, p := range g.reqs {
		n += len(p.req.Pieces)
	}
	return n
}

// keyed reports whether any request of the group carries an idempotency key.
func (g meterGroup) keyed() bool {
	for _, p := range g.reqs {
		if p.req.IdempotencyKey != "" {
			return true
		}
	}
	return false
}

// dispense is the one entry point for serving a group: it picks the
// strategy (chooseStrategy) and falls back as that rule says. Every request
// of g has its outcome when it returns.
func (s *Service) dispense(ctx context.Context, g meterGroup) {
	caps := s.boxCaps(ctx)
	g.h.chain = s.pipelining(caps)
	st := s.chooseStrategy(g, caps)
	if st == pipelined {
		if s.dispensePipelined(ctx, g) {
			return
		}
		g.prev = nil // the ordinary path, which locks before it decides
		st = s.chooseStrategy(g, caps)
	}
	if st == groupCommit {
		s.dispenseGroupCommit(ctx, g)
		return
	}
	s.dispenseSingle(ctx, g.meterID, g.reqs)
}

// chooseStrategy is the rule for choosing how a group is dispensed. The
// fast paths are for the ordinary purchase only, because only the one-meter
// path decides with the row locked before the box is asked, and every
// unusual case needs that:
//
//   - Big batches (over fastPathMaxPieces) go on their own, stored with
//     COPY; so does everything when group commit is turned off
//     (Options.Committers < 0), which turns pipelining off too.
//   - The pipeline needs a previous group of the meter in flight to chain
//     on, pipelining turned on (Options.NoPipeline) and a box that announces
//     chained steps. A request with an idempotency key is not pipelined:
//     looking keys up needs the meter's transaction, which a chained step
//     has not taken yet when the box signs. Nor is a meter whose record in
//     flight is under a tamper hold or not active: refusals are decided,
//     and alerted, on the locked row.
//   - Group commit needs a box that announces many-meter requests.
//   - Anything else takes the one-meter path.
//
// Failures fall back, never sideways: a pipelined group that cannot be
// stored as chained (the row is not the record it was built on, the box
// answers stale or fails its confirmation, every request is refused) is
// chosen for again without the flight, and a cross-meter transaction hands
// back to the one-meter path every group it cannot serve (a tamper hold, a
// meter not active, every request refused, a box refusal, a failed
// transaction). Either way nothing was stored for the group, and the box
// discards the step it signed when the meter's next locked request presents
// the stored record.
func (s *Service) chooseStrategy(g meterGroup, caps boxCaps) strategy {
	if g.pieces() > fastPathMaxPieces || s.opt.Committers < 0 {
		return oneMeter
	}
	if g.prev != nil && s.pipelining(caps) && !g.keyed() &&
		g.prev.m.TamperHold == "" && g.prev.m.Record.Status == box.StatusActive {
		return pipelined
	}
	if caps.many {
		return groupCommit
	}
	return oneMeter
}

// pipelining reports whether groups of one meter may be pipelined at all;
// only then does a group publish its record for the next one (handoff.go).
func (s *Service) pipelining(caps boxCaps) bool {
	return !s.opt.NoPipeline && s.opt.Committers >= 0 && caps.chained
}

// boxCaps are the box's optional operations that the strategies need.
type boxCaps struct {
	many    bool // DispenseMany and CommitMany: group commit
	chained bool // DispenseChained and Confirm: the pipeline
}

// boxCaps asks the box what it serves (the client keeps its answer). A box
// that does not answer gets the one-meter path, whose own box call then
// reports the failure to the requests.
func (s *Service) boxCaps(ctx context.Context) boxCaps {
	caps, err := s.box.Capabilities(ctx)
	if err != nil {
		return boxCaps{}
	}
	return boxCaps{
		many:    caps.Supports(box.OpDispenseMany, box.OpCommitMany),
		chained: caps.Supports(box.OpDispenseChained, box.OpConfirm),
	}
}
