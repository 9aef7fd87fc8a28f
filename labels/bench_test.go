package labels

import (
	"bytes"
	"io"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// benchLabels signs n distinct labels (each with its own barcode).
func benchLabels(b *testing.B, n int) []Label {
	b.Helper()
	key := testKey(b)
	ls := make([]Label, n)
	for i := range ls {
		ls[i], _ = testLabel(b, key, i)
	}
	return ls
}

// peakHeap samples the live heap every few milliseconds until stop is
// called and returns the largest value seen, in bytes.
func peakHeap() (stop func() uint64) {
	var (
		peak uint64
		wg   sync.WaitGroup
	)
	done := make(chan struct{})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak }
}

func benchPDF(b *testing.B, n int, render func(io.Writer, []Label) error) {
	ls := benchLabels(b, n)
	runtime.GC()
	stop := peakHeap()
	var size int
	for b.Loop() {
		var w countingWriter
		if err := render(&w, ls); err != nil {
			b.Fatal(err)
		}
		size = int(w)
	}
	b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(size)/(1<<20), "file-MB")
}

type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

// BenchmarkPDF4x6_10000 is the target: the PDF for 10,000 labels in
// ≤ 10 s and ≤ 500 MB.
func BenchmarkPDF4x6_10000(b *testing.B)       { benchPDF(b, 10_000, PDF4x6) }
func BenchmarkPDFLetter2Up_10000(b *testing.B) { benchPDF(b, 10_000, PDFLetter2Up) }
func BenchmarkPDF4x6_100(b *testing.B)         { benchPDF(b, 100, PDF4x6) }

func BenchmarkPNG(b *testing.B) {
	l := benchLabels(b, 1)[0]
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := PNG(&buf, l, 300); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len())/1024, "png-KB")
}

func BenchmarkZPL_10000(b *testing.B) {
	ls := benchLabels(b, 10_000)
	for b.Loop() {
		var w countingWriter
		if err := ZPL(&w, ls); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeImage(b *testing.B) {
	l := benchLabels(b, 1)[0]
	var img bytes.Buffer
	if err := PNG(&img, l, 300); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := DecodeImage(bytes.NewReader(img.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
}
