package metering

import (
	"context"
	"time"

	"indicia/accounts"
)

// Coalescing. Requests for one meter wait in the meter's queue; the first
// waiter leads one group (up to MaxCoalesce pieces), every later arrival
// joins the next group, and the lead passes on. One group is one box step
// and one commit, however many requests it carries.

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
	flight  *flight // the meter's latest record this process knows, for the next group to chain on (handoff.go)
}

// enqueue puts p in its meter's queue and waits for its outcome, leading
// one group if the lead comes to it.
func (s *Service) enqueue(ctx context.Context, p *pending) (Purchase, error) {
	meterID := p.req.MeterID
	s.mu.Lock()
	q := s.queues[meterID]
	if q == nil {
		q = &meterQueue{}
		s.queues[meterID] = q
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
			s.runGroup(context.WithoutCancel(ctx), meterID)
			p.lead = nil // a nil channel blocks: this waiter leads once
		}
	}
}

// runGroup takes the waiting requests (up to MaxCoalesce pieces), serves them
// as one group (dispense.go), and hands the lead to the next waiter, if any:
// as soon as the box answered when the group can be pipelined (handoff.go),
// else once it is served.
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
	s.dispense(ctx, meterGroup{meterID: meterID, reqs: group, prev: prev, h: h})
	cancel()
	for _, p := range group {
		close(p.done)
	}
	h.release()
}
