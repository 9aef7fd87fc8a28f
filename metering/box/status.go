package box

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Status is the box process's health as Hello reports it: which binary
// runs, since when, and when the freshness store last made a write
// durable (a box serving purchases does so many times a second; one that
// has not for long is idle or stuck). Zero fields: a box older than these
// fields, or no durable write since it started.
type Status struct {
	Version          string
	StartedAt        time.Time
	LastDurableWrite time.Time
}

// Uptime is how long the box has run at now (0 when it did not say).
func (s Status) Uptime(now time.Time) time.Duration {
	if s.StartedAt.IsZero() {
		return 0
	}
	return now.Sub(s.StartedAt)
}

// Status reports this box's health.
func (b *Box) Status() Status {
	st := Status{Version: b.version, StartedAt: b.started}
	st.LastDurableWrite = b.store.lastDurableWrite()
	return st
}

// Status asks the box for its health with a fresh Hello (Capabilities
// keeps the first answer; uptime and the last write move on). A box older
// than Hello answers with a zero Status.
func (c *Client) Status(ctx context.Context) (Status, error) {
	resp, err := c.call(ctx, &request{Op: opHello})
	if errors.Is(err, ErrUnknownOp) || errors.Is(err, ErrBadRequest) {
		return Status{}, nil
	}
	if err != nil {
		return Status{}, fmt.Errorf("box: status: %w", err)
	}
	return Status{Version: resp.BoxVersion, StartedAt: resp.StartedAt, LastDurableWrite: resp.LastDurable}, nil
}
