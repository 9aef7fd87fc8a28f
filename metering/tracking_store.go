package metering

import (
	"context"
	"fmt"
	"sync"

	"indicia/metering/tracking"
)

// trackingBlock is how many serials one database round trip hands out.
const trackingBlock = 1000

// trackingSerials hands out IMpb serials from blocks of the
// indicia_tracking_blocks sequence: unique across processes, in order within
// one, and a purchase asks the database only once per thousand tracked pieces.
type trackingSerials struct {
	mu        sync.Mutex
	next, end int64
}

// take returns n consecutive-in-use serials, fetching blocks as needed.
func (t *trackingSerials) take(ctx context.Context, s *Service, n int) ([]int64, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]int64, 0, n)
	for len(out) < n {
		if t.next >= t.end {
			// Outside the purchase's transaction: a sequence is not rolled
			// back anyway, and a lost block only leaves unused serials.
			var b int64
			if err := s.pool.QueryRow(ctx, `SELECT nextval('indicia_tracking_blocks')`).Scan(&b); err != nil {
				return nil, fmt.Errorf("metering: tracking serials: %w", err)
			}
			t.next, t.end = b*trackingBlock, (b+1)*trackingBlock
		}
		out = append(out, t.next)
		t.next++
	}
	return out, nil
}

// assignTracking gives every tracked piece of the rows its tracking number,
// on the labels the purchase answers with and on the rows to store.
func (s *Service) assignTracking(ctx context.Context, r *storeRows, ds []*meterDispense) error {
	mid := s.opt.MailerID
	if mid == "" {
		return nil
	}
	type ref struct {
		p   *pending
		i   int
		stc string
	}
	var refs []ref
	for _, d := range ds {
		for _, p := range d.accepted {
			for i, l := range p.labels {
				if stc, ok := tracking.ServiceType(l.MailClass, l.Services); ok {
					refs = append(refs, ref{p, i, stc})
				}
			}
		}
	}
	if len(refs) == 0 {
		return nil
	}
	stcs := make([]string, len(refs))
	for k, f := range refs {
		stcs[k] = f.stc
	}
	numbers, err := s.trackingNumbers(ctx, stcs)
	if err != nil {
		return err
	}
	for k, f := range refs {
		n := numbers[k]
		l := &f.p.labels[f.i]
		l.TrackingNumber = n
		r.tracked.publicID = append(r.tracked.publicID, l.PublicID)
		r.tracked.number = append(r.tracked.number, n)
	}
	return nil
}

// trackingNumbers makes one tracking number per service type code, from
// consecutive serials.
func (s *Service) trackingNumbers(ctx context.Context, stcs []string) ([]string, error) {
	serials, err := s.serial.take(ctx, s, len(stcs))
	if err != nil {
		return nil, err
	}
	out := make([]string, len(stcs))
	for k, stc := range stcs {
		n, err := s.opt.MailerID.Number(stc, serials[k])
		if err != nil {
			return nil, fmt.Errorf("metering: tracking number: %w", err)
		}
		out[k] = n
	}
	return out, nil
}

// trackedRows are the tracking numbers of the pieces being stored.
type trackedRows struct {
	publicID, number []string
}

// byLabel is the numbers by label public id, for the statement that
// inserts the labels.
func (t *trackedRows) byLabel() map[string]string {
	m := make(map[string]string, len(t.publicID))
	for i, id := range t.publicID {
		m[id] = t.number[i]
	}
	return m
}
