package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// Every is scheduled work: Run is called at start and then every Interval.
type Every struct {
	Name     string
	Interval time.Duration
	Run      func(ctx context.Context) error
}

// RunScheduled runs each piece of scheduled work on its own goroutine until
// ctx ends. They share nothing with the job queue and nothing with each
// other: a slow, failing or panicking step is logged and tried again at its
// next tick while the others keep their own clocks.
func RunScheduled(ctx context.Context, work []Every) {
	var wg sync.WaitGroup
	for _, w := range work {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop(ctx)
		}()
	}
	wg.Wait()
}

func (w Every) loop(ctx context.Context) {
	every := w.Interval
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := w.Once(ctx); err != nil && ctx.Err() == nil {
			slog.WarnContext(ctx, "jobs: scheduled work failed", "work", w.Name, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Once runs the work one time, turning a panic into an error.
func (w Every) Once(ctx context.Context) (err error) {
	defer func() {
		if v := recover(); v != nil {
			slog.ErrorContext(ctx, "jobs: scheduled work panicked", "work", w.Name, "panic", v, "stack", string(debug.Stack()))
			err = fmt.Errorf("jobs: %s: panic: %v", w.Name, v)
		}
	}()
	return w.Run(ctx)
}
