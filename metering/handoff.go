package metering

// The meter's lead and its flight. The group that leads a meter's queue
// passes the lead to the next waiter once: when it is served, or, when the
// next group may be pipelined, as soon as the box answered, publishing its
// new record (the flight) for the next group to chain on
// (dispense_pipeline.go).

// flight is the meter's latest record as far as this process knows: the
// record of a group whose box step answered (its commit may still be open),
// which the next group of the meter chains on.
type flight struct {
	m Meter
}

// handoff is one group's hold on its meter's lead: it is passed to the next
// waiter once, at publish or at release, whichever comes first.
type handoff struct {
	s       *Service
	meterID int64
	q       *meterQueue
	chain   bool // the next group may chain on this one's record (dispense.go)
	handed  bool
	fl      *flight
}

// publish makes m (carrying the group's new record) the meter's flight and
// hands the lead on, so the next group is signed while this one commits.
func (h *handoff) publish(m Meter) {
	if h == nil || !h.chain {
		return
	}
	fl := &flight{m: m}
	h.s.mu.Lock()
	h.q.flight = fl
	if !h.handed && len(h.q.waiting) > 0 {
		h.handed = true
		close(h.q.waiting[0].lead)
	}
	h.s.mu.Unlock()
	h.fl = fl
}

// settle records whether the published flight's commit succeeded. A
// committed record stays the meter's flight while the meter is busy, so the
// next group can still chain on it; a failed one is forgotten.
func (h *handoff) settle(ok bool) {
	if h == nil || h.fl == nil {
		return
	}
	if !ok {
		h.s.mu.Lock()
		if h.q.flight == h.fl {
			h.q.flight = nil
		}
		h.s.mu.Unlock()
	}
	h.fl = nil
}

// release ends the group's hold: the lead goes to the next waiter unless
// publish already passed it on.
func (h *handoff) release() {
	h.settle(false) // every path settles before; this only guards a forgotten one
	s, q := h.s, h.q
	s.mu.Lock()
	defer s.mu.Unlock()
	if h.handed {
		return
	}
	h.handed = true
	if len(q.waiting) > 0 {
		close(q.waiting[0].lead)
		return
	}
	q.running = false
	if s.queues[h.meterID] == q {
		delete(s.queues, h.meterID)
	}
}
