package metering_test

import (
	"context"
	"testing"

	"indicia/db/dbtest"
	"indicia/metering"
	"indicia/metering/meteringtest"
)

// TestReadPoolServesHistoryAndPostalViewsOnly points the read pool at a
// database without the data: the label history and postal views come back
// empty from it, while purchases through the same service still land on
// the primary.
func TestReadPoolServesHistoryAndPostalViewsOnly(t *testing.T) {
	b := meteringtest.Start(t)
	primary, owner, _, pool := setupPool(t, b, 1_000_000)
	ctx := context.Background()
	buyClassPieces(t, primary, owner, "FCM_LETTER", 78, 90)

	standby := dbtest.New(t)
	svc := metering.New(pool, b.Client, metering.Options{ReadPool: standby})

	// A purchase through the service with a read pool writes the primary.
	bought := buyClassPieces(t, svc, owner, "FCM_LETTER", 150)
	if len(bought) != 1 {
		t.Fatalf("bought %d labels", len(bought))
	}

	onPrimary, err := primary.ListLabels(ctx, owner, metering.LabelFilter{}, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(onPrimary.Labels) != 3 {
		t.Fatalf("primary lists %d labels, want 3", len(onPrimary.Labels))
	}
	fromStandby, err := svc.ListLabels(ctx, owner, metering.LabelFilter{}, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(fromStandby.Labels) != 0 {
		t.Fatalf("label history read %d labels: it read the primary, not the read pool", len(fromStandby.Labels))
	}

	want, err := primary.VolumesByOrigin(ctx, staff, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Fatal("primary shows no volume by origin")
	}
	got, err := svc.VolumesByOrigin(ctx, staff, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatalf("postal volumes %v came from the primary, not the read pool", got)
	}

	// Without a read pool the same reads go to the primary.
	same := metering.New(pool, b.Client, metering.Options{})
	lp, err := same.ListLabels(ctx, owner, metering.LabelFilter{}, "", 50)
	if err != nil || len(lp.Labels) != 3 {
		t.Fatalf("no read pool: %d labels, %v", len(lp.Labels), err)
	}
}
