package addressbook_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
)

// The addresses of a cleansed upload are deleted after the retention; the
// batch and its counts stay.
func TestPurgeInputsDeletesFinishedBatchRows(t *testing.T) {
	e := newBookEnv(t)
	ctx := context.Background()
	csv := []byte("id,address\n1,\"350 5th Ave, New York, NY 10118\"\n2,\"1 Main St, Stamford CT 06901\"\n")
	im, err := address.NewImport(bytes.NewReader(csv), int64(len(csv)), "list.csv", addressbook.BatchImportSpec)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	batches := addressbook.NewBatches(e.pool, e.c, nil)
	id, _, err := batches.Upload(ctx, e.clerk, im, "list.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := batches.Run(ctx, id, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := batches.PurgeInputs(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("a batch finished just now: %d rows purged (%v), want none", n, err)
	}
	if n, err := batches.PurgeInputs(ctx, time.Now().Add(time.Hour)); err != nil || n != 2 {
		t.Fatalf("past the retention: %d rows purged (%v), want 2", n, err)
	}
	rows, err := batches.Rows(ctx, e.owner, id, "", 0, 5)
	if err != nil || len(rows) != 0 {
		t.Errorf("rows left: %v %v", rows, err)
	}
	bt, err := batches.Get(ctx, e.owner, id)
	if err != nil || bt.TotalRows != 2 || bt.Counts["valid"] != 2 {
		t.Errorf("the batch and its counts: %+v %v", bt, err)
	}
}
