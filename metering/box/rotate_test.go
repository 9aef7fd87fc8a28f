package box

import (
	"errors"
	"testing"
	"time"
)

// The running box adds a month's record-MAC key without a restart: new
// records carry it, old ones keep verifying, the keystore on disk keeps it
// across a restart, a repeat changes nothing and an older month is refused.
func TestRotateMACWhileRunning(t *testing.T) {
	testRotateMACWhileRunning(t, newEnv(t, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)))
}

// The same with the keys in a token, whichever keystore the run tests.
func TestTokenRotateMACWhileRunning(t *testing.T) {
	testRotateMACWhileRunning(t, newTokenEnv(t, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)))
}

func testRotateMACWhileRunning(t *testing.T, e env) {
	c, stop := e.start(t)
	kv, err := c.RotateMAC(ctx, "")
	if err != nil || kv.Current != "2026-11" || len(kv.Versions) != 1 {
		t.Fatalf("report: %+v %v", kv, err)
	}
	old, _, err := c.CreateMeter(ctx, "IN-1", "M-1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if kv, err = c.RotateMAC(ctx, "2026-12"); err != nil || kv.Current != "2026-12" || len(kv.Versions) != 2 || kv.Versions[0] != "2026-11" {
		t.Fatalf("rotate: %+v %v", kv, err)
	}
	if err := c.VerifyRecord(ctx, old); err != nil {
		t.Errorf("a record under the old version no longer verifies: %v", err)
	}
	fresh, _, err := c.CreateMeter(ctx, "IN-2", "M-2", 1)
	if err != nil || fresh.MACVersion != "2026-12" {
		t.Fatalf("new record under %q, want 2026-12 (%v)", fresh.MACVersion, err)
	}
	if kv, err = c.RotateMAC(ctx, "2026-12"); err != nil || len(kv.Versions) != 2 {
		t.Errorf("repeat: %+v %v", kv, err)
	}
	for _, v := range []string{"2026-10", "2026-13", "next"} {
		if _, err := c.RotateMAC(ctx, v); !errors.Is(err, ErrBadRequest) {
			t.Errorf("rotate to %q: %v, want bad request", v, err)
		}
	}
	stop()

	// The keystore (file or token) keeps the new version: a restarted box verifies both.
	if vs := e.openKeys(t).MACVersions(); vs[len(vs)-1] != "2026-12" {
		t.Fatalf("keystore after rotation holds %v", vs)
	}
	c, _ = e.start(t)
	for _, r := range []Record{old, fresh} {
		if err := c.VerifyRecord(ctx, r); err != nil {
			t.Errorf("after restart %s does not verify: %v", r.Serial, err)
		}
	}
}
