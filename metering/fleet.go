package metering

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/metering/box"
)

// StatusCount is how many meters are in one status (and suspension reason).
type StatusCount struct {
	Status, Reason string
	Meters         int64
}

// KindCount is how many open fraud signals are of one kind.
type KindCount struct {
	Kind string
	Open int64
}

// BoxHealth is what the data center knows of the secure box: whether it
// answers, what it announced, and the record-MAC key versions the stored
// meter records carry.
type BoxHealth struct {
	Answering bool
	Error     string
	Protocol  int
	Ops       int
	// Latency is how long Certificates took (the box reads no disk for it).
	Latency time.Duration
	// MACVersions are the record-MAC key versions of the stored meter
	// records, newest first, with how many records use each.
	MACVersions []StatusCount
	// NewestMAC is the newest of them: the last rotation the fleet has seen.
	NewestMAC string
	// NextRotation is when the next monthly version is due: the first day
	// of the month after NewestMAC.
	NextRotation time.Time
	// BoxKeys are the versions the box holds, when it reports them;
	// RotationOverdue says this month's version is missing.
	BoxKeys         []string
	RotationOverdue bool
	// The box process's own report (box.Status): its version, since
	// when it runs and its last durable freshness write; zero when the box
	// does not report them.
	Status box.Status
}

// Fleet is the vendor admin's view of the meters and the box.
type Fleet struct {
	ByStatus   []StatusCount
	Tamper     int
	FraudKinds []KindCount
	Box        BoxHealth
}

// FleetOverview gathers the admin control room's metering figures.
func (s *Service) FleetOverview(ctx context.Context, actor accounts.User) (Fleet, error) {
	if err := requireAdmin(actor); err != nil {
		return Fleet{}, err
	}
	var f Fleet
	rows, err := s.pool.Query(ctx, `SELECT status, suspend_reason, count(*) FROM meters GROUP BY 1, 2 ORDER BY 1, 2`)
	if err != nil {
		return f, fmt.Errorf("metering: meters by status: %w", err)
	}
	if f.ByStatus, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (StatusCount, error) {
		var c StatusCount
		err := r.Scan(&c.Status, &c.Reason, &c.Meters)
		return c, err
	}); err != nil {
		return f, fmt.Errorf("metering: meters by status: %w", err)
	}
	if f.Tamper, err = s.OpenAlerts(ctx); err != nil {
		return f, fmt.Errorf("metering: open tamper alerts: %w", err)
	}
	rows, err = s.pool.Query(ctx, `SELECT kind, count(*) FROM fraud_signals WHERE resolved_at IS NULL GROUP BY 1 ORDER BY 2 DESC, 1`)
	if err != nil {
		return f, fmt.Errorf("metering: open fraud signals: %w", err)
	}
	if f.FraudKinds, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (KindCount, error) {
		var c KindCount
		err := r.Scan(&c.Kind, &c.Open)
		return c, err
	}); err != nil {
		return f, fmt.Errorf("metering: open fraud signals: %w", err)
	}
	f.Box, err = s.boxHealth(ctx)
	return f, err
}

// boxHealthTimeout bounds the health probe: a box that does not answer in
// this time is reported as not answering, not waited for.
const boxHealthTimeout = 3 * time.Second

func (s *Service) boxHealth(ctx context.Context) (BoxHealth, error) {
	var h BoxHealth
	rows, err := s.pool.Query(ctx, `SELECT mac_version, '', count(*) FROM meters GROUP BY 1 ORDER BY 1 DESC`)
	if err != nil {
		return h, fmt.Errorf("metering: MAC versions: %w", err)
	}
	if h.MACVersions, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (StatusCount, error) {
		var c StatusCount
		err := r.Scan(&c.Status, &c.Reason, &c.Meters)
		return c, err
	}); err != nil {
		return h, fmt.Errorf("metering: MAC versions: %w", err)
	}
	if len(h.MACVersions) > 0 {
		h.NewestMAC = h.MACVersions[0].Status
		h.NextRotation = NextRotation(h.NewestMAC)
	}
	pctx, cancel := context.WithTimeout(ctx, boxHealthTimeout)
	defer cancel()
	start := time.Now()
	if _, err := s.box.Certificates(pctx); err != nil {
		h.Error = err.Error()
		return h, nil
	}
	h.Latency = time.Since(start)
	h.Answering = true
	var caps box.Capabilities
	if caps, err = s.box.Capabilities(pctx); err == nil {
		h.Protocol, h.Ops = caps.Protocol, len(caps.Ops)
	}
	if st, err := s.BoxStatus(pctx); err == nil {
		h.Status = st
	}
	// The box's own versions, when it reports them, say when the key was
	// last rotated better than the records do.
	if kv, err := s.RecordKeyVersions(pctx); err == nil {
		h.BoxKeys = kv.Versions
		h.NewestMAC, h.NextRotation = kv.Current, NextRotation(kv.Current)
		h.RotationOverdue = kv.Current < s.now().Format("2006-01")
	}
	return h, nil
}

// statusReporter is the box's health report (box.Client serves it).
type statusReporter interface {
	Status(ctx context.Context) (box.Status, error)
}

// BoxStatus asks the box for its version, start time and last durable
// freshness write; a box that cannot say answers a zero Status.
func (s *Service) BoxStatus(ctx context.Context) (box.Status, error) {
	r, ok := s.box.(statusReporter)
	if !ok {
		return box.Status{}, nil
	}
	pctx, cancel := context.WithTimeout(ctx, boxHealthTimeout)
	defer cancel()
	st, err := r.Status(pctx)
	if err != nil {
		return box.Status{}, fmt.Errorf("metering: box status: %w", err)
	}
	return st, nil
}

// BoxAnswers reports whether the box answers within boxHealthTimeout.
func (s *Service) BoxAnswers(ctx context.Context) error {
	pctx, cancel := context.WithTimeout(ctx, boxHealthTimeout)
	defer cancel()
	if _, err := s.box.Certificates(pctx); err != nil {
		return fmt.Errorf("metering: the box does not answer: %w", err)
	}
	return nil
}
