package box

import (
	"strings"
	"testing"
	"time"
)

// A state directory belongs to the keystore that first used it: the box
// refuses to start on it with another keystore, with a message naming both
// roots, instead of taking every meter for a replay.
func TestStateDirBelongsToItsKeystore(t *testing.T) {
	e := newFileEnv(t, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	_, stop := e.start(t)
	stop()
	other := newFileEnv(t, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	cfg := other.config()
	cfg.StateDir, cfg.SocketPath = e.state, e.socket
	err := RunServer(t.Context(), cfg)
	if err == nil || !strings.Contains(err.Error(), "another vendor root") {
		t.Fatalf("a box on another keystore's state dir: %v", err)
	}
	c, _ := e.start(t) // its own keystore still starts
	if err := c.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
}
