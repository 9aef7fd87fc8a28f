package metering

import (
	"context"
	"errors"
	"fmt"
	"time"

	"indicia/metering/box"
)

// macRotator is the box's record-MAC key rotation (box.Client serves it).
type macRotator interface {
	RotateMAC(ctx context.Context, version string) (box.KeyVersions, error)
}

// ErrNoRotation says the box cannot rotate its record-MAC key while running.
var ErrNoRotation = errors.New("metering: the box does not rotate record-MAC keys while running; run `indicia keys rotate` and restart it")

func (s *Service) rotator(ctx context.Context) (macRotator, error) {
	r, ok := s.box.(macRotator)
	if !ok {
		return nil, ErrNoRotation
	}
	caps, err := s.box.Capabilities(ctx)
	if err != nil {
		return nil, fmt.Errorf("metering: box capabilities: %w", err)
	}
	if !caps.Supports(box.OpRotateMAC) {
		return nil, ErrNoRotation
	}
	return r, nil
}

// RecordKeyVersions asks the box which record-MAC key versions it holds.
func (s *Service) RecordKeyVersions(ctx context.Context) (box.KeyVersions, error) {
	r, err := s.rotator(ctx)
	if err != nil {
		return box.KeyVersions{}, err
	}
	return r.RotateMAC(ctx, "")
}

// NextRotation is when the version after current ("2026-12") is due: the
// first day of the following month, UTC.
func NextRotation(current string) time.Time {
	t, err := time.Parse("2006-01", current)
	if err != nil {
		return time.Time{}
	}
	return t.AddDate(0, 1, 0)
}

// RotateRecordKey makes sure the box MACs new records with now's month's
// key version, asking it to add the version when it is missing; rotated
// says whether this call added it. Old versions stay, so old records
// verify; a retry after a failure is harmless.
func (s *Service) RotateRecordKey(ctx context.Context, now time.Time) (kv box.KeyVersions, rotated bool, err error) {
	r, err := s.rotator(ctx)
	if err != nil {
		return kv, false, err
	}
	if kv, err = r.RotateMAC(ctx, ""); err != nil {
		return kv, false, fmt.Errorf("metering: record-MAC key versions: %w", err)
	}
	want := now.UTC().Format("2006-01")
	if kv.Current >= want {
		return kv, false, nil
	}
	if kv, err = r.RotateMAC(ctx, want); err != nil {
		return kv, false, fmt.Errorf("metering: rotate the record-MAC key to %s: %w", want, err)
	}
	return kv, true, nil
}
