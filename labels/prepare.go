package labels

import (
	"fmt"
	"runtime"
	"sync"
)

// prepared is one label's checked fields and encoded barcode.
type prepared struct {
	m   matrix
	png []byte // the symbol and its quiet zone, one pixel per module (PDF only)
	err error
}

// prepare validates and encodes the barcodes of ls on every core, ahead of
// the single goroutine that lays out pages: Data Matrix encoding is a third
// of a PDF's time. Results come back in order through next; at most a few
// hundred are held at once so a large batch does not sit in memory twice.
// stop must be called to release the workers.
func prepare(ls []Label, withPNG bool) (next func() prepared, stop func()) {
	workers := max(runtime.GOMAXPROCS(0), 1)
	ahead := 64 * workers
	results := make([]chan prepared, len(ls))
	for i := range results {
		results[i] = make(chan prepared, 1)
	}
	jobs := make(chan int)
	done := make(chan struct{})
	slots := make(chan struct{}, ahead)
	var wg sync.WaitGroup
	wg.Add(workers)
	for range workers {
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] <- prepareOne(ls[i], withPNG)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range ls {
			select {
			case slots <- struct{}{}:
			case <-done:
				return
			}
			select {
			case jobs <- i:
			case <-done:
				return
			}
		}
	}()
	n := 0
	next = func() prepared {
		p := <-results[n]
		results[n] = nil
		n++
		<-slots
		return p
	}
	var once sync.Once
	stop = func() {
		once.Do(func() { close(done); wg.Wait() })
	}
	return next, stop
}

func prepareOne(l Label, withPNG bool) prepared {
	if err := l.Validate(); err != nil {
		return prepared{err: err}
	}
	m, err := encodeDataMatrix(l.Indicium)
	if err != nil {
		return prepared{err: fmt.Errorf("labels: label %q: %w", l.ID, err)}
	}
	p := prepared{m: m}
	if withPNG {
		p.png = m.pdfPNG()
	}
	return p
}
