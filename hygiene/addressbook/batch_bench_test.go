package addressbook_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
)

// writeBatchFile writes a CSV list of n addresses (line1, city, state, zip):
// valid ones, misspelled cities, missing ZIPs, wrong states, PO boxes, units
// and some junk, like a real mailing list.
func writeBatchFile(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	places := [][3]string{{"Stamford", "CT", "06901"}, {"New York", "NY", "10118"}, {"Springfield", "IL", "62704"}, {"Boston", "MA", "02108"},
		{"Austin", "TX", "78701"}, {"Reno", "NV", "89501"}, {"Seattle", "WA", "98101"}, {"Denver", "CO", "80202"}}
	streets := []string{"Main St", "Oak Avenue", "n 5th street", "Elm St Apt 4", "Pine Rd # 12", "W Broadway Ste 200", "Harbor Blvd", "Maple Ln"}
	r := rand.New(rand.NewPCG(1, 2))
	w.WriteString("line1,city,state,zip\n")
	for i := 0; i < n; i++ {
		p := places[r.IntN(len(places))]
		line1 := strconv.Itoa(1+r.IntN(9999)) + " " + streets[r.IntN(len(streets))]
		city, st, zip := p[0], p[1], p[2]
		switch r.IntN(10) {
		case 0:
			city = city[:len(city)-1] // misspelled
		case 1:
			zip = ""
		case 2:
			st = "ZZ"
		case 3:
			line1 = "PO Box " + strconv.Itoa(1+r.IntN(999))
		case 4:
			line1 = "zzz"
		}
		fmt.Fprintf(w, "%s,%s,%s,%s\n", line1, city, st, zip)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkBatchMillion measures (BATCH_FORMAT=xlsx: from a workbook) a batch from the uploaded file to a
// downloadable result: import + COPY (upload), cleanse on every core (the
// worker's job), and streaming the result CSV. Rows default to 1,000,000
// (BATCH_ROWS overrides). Peak Go heap is sampled every 10 ms during the
// worker stage. loadtest/cleanse_batch.sh runs it under /usr/bin/time.
func BenchmarkBatchMillion(b *testing.B) {
	n := address.MaxImportRows
	if v, err := strconv.Atoi(os.Getenv("BATCH_ROWS")); err == nil && v > 0 {
		n = v
	}
	e := newBookEnv(b)
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "list.csv")
	writeBatchFile(b, path, n)
	if os.Getenv("BATCH_FORMAT") == "xlsx" {
		path = csvToXLSX(b, path)
	}
	st, _ := os.Stat(path)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		batches := addressbook.NewBatches(e.pool, e.c, nil)
		start := time.Now()
		im, err := address.OpenImport(path, "list.csv", addressbook.BatchImportSpec)
		if err != nil {
			b.Fatal(err)
		}
		id, _, err := batches.Upload(ctx, e.owner, im, "list.csv")
		im.Close()
		if err != nil {
			b.Fatal(err)
		}
		uploaded := time.Now()

		var peak atomic.Uint64
		stop := make(chan struct{})
		go func() {
			var ms runtime.MemStats
			t := time.NewTicker(10 * time.Millisecond)
			defer t.Stop()
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
				select {
				case <-stop:
					return
				case <-t.C:
				}
			}
		}()
		counts, err := batches.Run(ctx, id, nil)
		close(stop)
		if err != nil {
			b.Fatal(err)
		}
		cleansed := time.Now()

		cw := csv.NewWriter(bufio.NewWriter(io.Discard))
		rows := 0
		err = batches.Each(ctx, e.owner, id, func(r addressbook.BatchRow) error {
			rows++
			return cw.Write([]string{strconv.Itoa(r.Line), r.Input, string(r.Status), r.DeliveryLine, r.LastLine, r.ZIP, r.Reasons})
		})
		cw.Flush()
		if err != nil || rows != n {
			b.Fatalf("download: %d rows, %v", rows, err)
		}
		done := time.Now()
		b.ReportMetric(uploaded.Sub(start).Seconds(), "upload-s")
		b.ReportMetric(cleansed.Sub(uploaded).Seconds(), "cleanse-s")
		b.ReportMetric(done.Sub(cleansed).Seconds(), "download-s")
		b.ReportMetric(done.Sub(start).Seconds(), "total-s")
		b.ReportMetric(float64(peak.Load())/(1<<20), "worker-peak-heap-MB")
		b.ReportMetric(float64(n), "rows")
		b.Logf("%d rows, %.1f MB file: %v", n, float64(st.Size())/(1<<20), counts)
	}
}

// csvToXLSX converts the generated list to a workbook with excelize's StreamWriter.
func csvToXLSX(tb testing.TB, path string) string {
	tb.Helper()
	in, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		tb.Fatal(err)
	}
	cr := csv.NewReader(bufio.NewReader(in))
	for row := 1; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		cells := make([]any, len(rec))
		for i, v := range rec {
			cells[i] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := sw.SetRow(cell, cells); err != nil {
			tb.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		tb.Fatal(err)
	}
	out := strings.TrimSuffix(path, ".csv") + ".xlsx"
	if err := f.SaveAs(out); err != nil {
		tb.Fatal(err)
	}
	return out
}
