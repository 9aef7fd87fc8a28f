package metering_test

import (
	"context"
	"testing"
	"time"

	"indicia/metering"
	"indicia/metering/meteringtest"
)

// The scheduled rotation adds the month's record-MAC key to the running box
// once; the meter's record under the old version still verifies and the
// next purchase carries the new one.
func TestScheduledRecordKeyRotation(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m := setup(t, b, 1000)
	ctx := context.Background()
	before, err := svc.RecordKeyVersions(ctx)
	if err != nil || before.Current != m.Record.MACVersion {
		t.Fatalf("versions %+v %v, meter under %s", before, err, m.Record.MACVersion)
	}
	next := metering.NextRotation(before.Current)
	kv, rotated, err := svc.RotateRecordKey(ctx, next.Add(time.Hour))
	if err != nil || !rotated || kv.Current != next.Format("2006-01") || len(kv.Versions) != len(before.Versions)+1 {
		t.Fatalf("rotation: %+v %v %v", kv, rotated, err)
	}
	if _, rotated, err := svc.RotateRecordKey(ctx, next.Add(2*time.Hour)); err != nil || rotated {
		t.Errorf("second run of the month: rotated %v, %v", rotated, err)
	}
	buyOne(t, svc, owner, 78)
	after, err := svc.Meter(ctx, owner, m.ID)
	if err != nil || after.Record.MACVersion != kv.Current {
		t.Errorf("after a purchase the record is under %q, want %s (%v)", after.Record.MACVersion, kv.Current, err)
	}
	audit(t, svc)
}
