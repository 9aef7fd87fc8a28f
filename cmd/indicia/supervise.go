package main

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// child is a process the supervisor keeps running.
type child struct {
	Name string
	Path string
	Args []string
}

// superviseChildren runs every child and starts again any that exits, after
// a backoff that doubles from one second to thirty while it keeps dying
// quickly, until ctx ends; then it passes SIGTERM on and waits.
func superviseChildren(ctx context.Context, children []child) {
	var wg sync.WaitGroup
	for _, c := range children {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.keepRunning(ctx)
		}()
	}
	wg.Wait()
}

func (c child) keepRunning(ctx context.Context) {
	const minBackoff, maxBackoff, healthy = time.Second, 30 * time.Second, time.Minute
	backoff := minBackoff
	for ctx.Err() == nil {
		began := time.Now()
		err := c.run(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(began) > healthy {
			backoff = minBackoff
		}
		slog.Error("worker: child process exited; restarting", "child", c.Name, "err", err, "after", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// run starts the child and waits for it; ctx's end is passed on as SIGTERM.
func (c child) run(ctx context.Context) error {
	cmd := exec.Command(c.Path, c.Args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	// The child dies with its supervisor rather than running unsupervised.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		_ = cmd.Process.Signal(syscall.SIGTERM)
		return <-done
	}
}
