package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"indicia/web/webtest"
)

// BenchmarkBatchThroughHTTP measures a list from the browser's upload to the
// last byte of the result download, through Fiber (multipart parse, import,
// COPY, job staging), the worker (asynq, cleansing on every core) and the
// streamed CSV download. BATCH_ROWS sets the size (default 100,000).
func BenchmarkBatchThroughHTTP(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("BATCH_ROWS")); err == nil && v > 0 {
		n = v
	}
	var file bytes.Buffer
	file.WriteString("line1,city,state,zip\n")
	r := rand.New(rand.NewPCG(3, 4))
	places := []string{"Stamford,CT,06901", "New York,NY,10118", "Springfeld,IL,62704", "Boston,MA,", "Austin,TX,78701", "Reno,ZZ,89501"}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&file, "%d Main St Apt %d,%s\n", 1+r.IntN(9999), 1+r.IntN(40), places[r.IntN(len(places))])
	}
	e := webtest.New(b)
	e.StartWorker()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		resp := uploadTB(b, e, "owner", "/cleanse", "list.csv", file.Bytes())
		if resp.StatusCode != http.StatusSeeOther {
			b.Fatalf("upload: %d", resp.StatusCode)
		}
		uploaded := time.Now()
		loc := resp.Header.Get("Location")
		var job struct {
			Status string `json:"status"`
			Result string `json:"result_url"`
		}
		for job.Status != "succeeded" {
			if job.Status == "dead" {
				b.Fatal("job died")
			}
			time.Sleep(100 * time.Millisecond)
			rr := e.Do("owner", "GET", loc+"/status", nil)
			json.NewDecoder(rr.Body).Decode(&job)
		}
		cleansed := time.Now()
		dl := e.Do("owner", "GET", job.Result+"/download?format=csv", nil)
		size, _ := io.Copy(io.Discard, dl.Body)
		done := time.Now()
		b.ReportMetric(uploaded.Sub(start).Seconds(), "upload-s")
		b.ReportMetric(cleansed.Sub(uploaded).Seconds(), "cleanse-s")
		b.ReportMetric(done.Sub(cleansed).Seconds(), "download-s")
		b.ReportMetric(done.Sub(start).Seconds(), "total-s")
		b.ReportMetric(float64(size)/(1<<20), "result-MB")
	}
}
