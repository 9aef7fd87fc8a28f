package addressbook_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
)

func TestBatchUploadRunAndRead(t *testing.T) {
	e := newBookEnv(t)
	ctx := context.Background()
	var b bytes.Buffer
	b.WriteString("id,address\n")
	b.WriteString("1,\"123 main street apt 4, Springfeld IL 62704\"\n") // line 2: corrected
	b.WriteString("2,\"350 5th Ave, New York, NY 10118\"\n")            // line 3: valid
	b.WriteString("3,zzz\n")                                            // line 4: invalid
	b.WriteString("4,\"bad \"quote\" here\"\n")                         // line 5: unreadable
	b.WriteString("5,\n")                                               // line 6: no address
	for i := 0; i < 300; i++ {                                          // lines 7..306: enough for several chunks
		fmt.Fprintf(&b, "%d,\"%d Main St, Stamford CT 06901\"\n", i+6, i+1)
	}
	im, err := address.NewImport(bytes.NewReader(b.Bytes()), int64(b.Len()), "list.csv", addressbook.BatchImportSpec)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	batches := addressbook.NewBatches(e.pool, e.c, nil)
	id, jobID, err := batches.Upload(ctx, e.clerk, im, "list.csv")
	if err != nil {
		t.Fatal(err)
	}
	if jobID == 0 {
		t.Fatal("no job staged")
	}
	var kind string
	if err := e.pool.QueryRow(ctx, `SELECT kind FROM jobs WHERE id = $1`, jobID).Scan(&kind); err != nil || kind != addressbook.JobKindCleanse {
		t.Fatalf("job kind %q: %v", kind, err)
	}
	var last int64
	counts, err := batches.Run(ctx, id, func(done, total int64) {
		if done < last || total != 305 {
			t.Errorf("progress %d of %d after %d", done, total, last)
		}
		last = done
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[address.Status]int64{"corrected": 1, "valid": 301, "invalid": 1, "unreadable": 2}
	for st, n := range want {
		if counts[st] != n {
			t.Errorf("count %s = %d, want %d (all %v)", st, counts[st], n, counts)
		}
	}
	if last != 305 {
		t.Errorf("progress ended at %d", last)
	}
	// Running again (a retried job) gives the same result, not duplicates.
	if _, err := batches.Run(ctx, id, nil); err != nil {
		t.Fatal(err)
	}
	bt, err := batches.Get(ctx, e.owner, id)
	if err != nil || bt.FinishedAt == nil || bt.TotalRows != 305 || bt.BadRows != 2 || bt.Counts["valid"] != 301 {
		t.Fatalf("batch %+v %v", bt, err)
	}
	rows, err := batches.Rows(ctx, e.owner, id, "", 0, 5)
	if err != nil || len(rows) != 5 {
		t.Fatalf("rows %v %v", rows, err)
	}
	if rows[0].Line != 2 || rows[0].Status != "corrected" || rows[0].DeliveryLine != "123 MAIN ST APT 4" || rows[0].LastLine != "SPRINGFIELD IL 62704" {
		t.Errorf("row 2: %+v", rows[0])
	}
	if rows[3].Line != 5 || rows[3].Status != addressbook.StatusUnreadable || rows[3].Reasons == "" {
		t.Errorf("row 5: %+v", rows[3])
	}
	if rows[4].Line != 6 || rows[4].Reasons != "no address in this row" {
		t.Errorf("row 6: %+v", rows[4])
	}
	inv, _ := batches.Rows(ctx, e.owner, id, address.StatusInvalid, 0, 10)
	if len(inv) != 1 || inv[0].Line != 4 {
		t.Errorf("invalid filter: %+v", inv)
	}
	n := 0
	if err := batches.Each(ctx, e.owner, id, func(r addressbook.BatchRow) error { n++; return nil }); err != nil || n != 305 {
		t.Errorf("each: %d %v", n, err)
	}
	// Another account sees nothing.
	if _, err := batches.Get(ctx, e.otherOwner, id); err == nil {
		t.Error("another account read the batch")
	}
	if _, err := batches.Rows(ctx, e.otherOwner, id, "", 0, 5); err == nil {
		t.Error("another account read the rows")
	}
}

func TestBatchUploadRefusesTooManyRowsAndStoresNothing(t *testing.T) {
	e := newBookEnv(t)
	ctx := context.Background()
	var b bytes.Buffer
	b.WriteString("address\n")
	for i := 0; i <= address.MaxImportRows; i++ {
		b.WriteString("1 A St 06901\n")
	}
	im, err := address.NewImport(bytes.NewReader(b.Bytes()), int64(b.Len()), "big.csv", addressbook.BatchImportSpec)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	_, _, err = addressbook.NewBatches(e.pool, e.c, nil).Upload(ctx, e.owner, im, "big.csv")
	if !errors.Is(err, address.ErrImportTooMany) {
		t.Fatalf("err = %v", err)
	}
	var n int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM cleanse_rows`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d rows stored from a refused file", n)
	}
}

// A list whose ZIP column lost its leading zeros gets them back when the
// row's city and state have that ZIP, and the row says so; a ZIP the city
// does not have is left as written.
func TestBatchRestoresZIPThatLostItsLeadingZero(t *testing.T) {
	e := newBookEnv(t)
	ctx := context.Background()
	csv := "line1,city,state,zip\n" +
		"10 Main St,Stamford,CT,6901\n" + // line 2: restored
		"10 Main St,Stamford,CT,9999\n" + // line 3: not Stamford's
		"10 Main St,Stamford,CT,06901\n" // line 4: as written
	im, err := address.NewImport(bytes.NewReader([]byte(csv)), int64(len(csv)), "list.csv", addressbook.BatchImportSpec)
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
	rows, err := batches.Rows(ctx, e.owner, id, "", 0, 5)
	if err != nil || len(rows) != 3 {
		t.Fatalf("rows %v %v", rows, err)
	}
	r := rows[0]
	if r.Status != address.StatusCorrected || r.ZIP != "06901" || !strings.Contains(r.Reasons, `zip "6901" read as 06901`) {
		t.Errorf("line 2: %+v", r)
	}
	if !strings.Contains(r.Input, "6901") || strings.Contains(r.Input, "06901") {
		t.Errorf("line 2 as uploaded: %q", r.Input)
	}
	if r := rows[1]; r.ZIP == "09999" || r.Status == address.StatusValid || strings.Contains(r.Reasons, "leading zero") {
		t.Errorf("line 3: %+v", r)
	}
	if r := rows[2]; r.Status != address.StatusValid || strings.Contains(r.Reasons, "leading zero") {
		t.Errorf("line 4: %+v", r)
	}
}

// A list with the whole address in one column gets a lost leading zero back
// too, when the city and state written before it have that ZIP; a ZIP the
// city does not have, or a row without a city, is left as written.
func TestBatchRestoresZIPInOneColumn(t *testing.T) {
	e := newBookEnv(t)
	ctx := context.Background()
	csv := "address\n" +
		"\"10 Main St, Stamford CT 6901\"\n" + // line 2: restored
		"\"10 Main St, Boston MA 6901\"\n" + // line 3: not Boston's
		"10 Main St Apt 6901\n" // line 4: a unit, no city
	im, err := address.NewImport(bytes.NewReader([]byte(csv)), int64(len(csv)), "list.csv", addressbook.BatchImportSpec)
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
	rows, err := batches.Rows(ctx, e.owner, id, "", 0, 5)
	if err != nil || len(rows) != 3 {
		t.Fatalf("rows %v %v", rows, err)
	}
	r := rows[0]
	if r.Status != address.StatusCorrected || r.ZIP != "06901" || !strings.Contains(r.Reasons, `ZIP "6901" at the end of the address read as 06901`) {
		t.Errorf("line 2: %+v", r)
	}
	if r.Input != "10 Main St, Stamford CT 6901" {
		t.Errorf("line 2 as uploaded: %q", r.Input)
	}
	for i, r := range rows[1:] {
		if r.ZIP == "06901" || strings.Contains(r.Reasons, "leading zero") {
			t.Errorf("line %d: %+v", i+3, r)
		}
	}
}
