package box

import (
	"bytes"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

// memSink is a raft snapshot sink in memory.
type memSink struct{ bytes.Buffer }

func (s *memSink) ID() string    { return "mem" }
func (s *memSink) Cancel() error { return nil }
func (s *memSink) Close() error  { return nil }

// A record-MAC key version added through the log reaches every member's
// keystore with the same key, survives a snapshot, and is never taken by a
// member whose keystore cannot open it (or holds another key of that
// month): such a member records it as missing.
func TestClusterLogReplicatesRecordMACKey(t *testing.T) {
	ks, err := NewKeystore(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	leader, follower := newFileKeys(ks, "", nil), newFileKeys(ks, "", nil)
	fsm := newClusterFSM(follower, slog.New(slog.DiscardHandler))
	added := 0
	onMAC := func() { added++ }
	fsm.onMAC.Store(&onMAC)

	wrapped, err := leader.ExportNewMACVersion("2026-12")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(wrapped, []byte("2026-12")) || len(wrapped) != 12+32+16 {
		t.Fatalf("exported key: %d bytes", len(wrapped))
	}
	entry := encodeMACEntry("2026-12", wrapped)
	if res := fsm.Apply(&raft.Log{Index: 7, Type: raft.LogCommand, Data: entry}); res != nil {
		t.Fatalf("apply: %v", res)
	}
	if added != 1 {
		t.Fatalf("onMAC called %d times, want 1", added)
	}
	if err := leader.ImportMACVersion("2026-12", wrapped); err != nil { // as the leader's own FSM does
		t.Fatal(err)
	}
	want, _ := leader.RecordMACKey("2026-12", "IN-1")
	if got, err := follower.RecordMACKey("2026-12", "IN-1"); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("follower's key for 2026-12: %x %v, want the leader's", got, err)
	}
	// A second entry for the month (a retried rotation) changes nothing.
	again, _ := leader.ExportNewMACVersion("2026-12")
	if res := fsm.Apply(&raft.Log{Index: 8, Type: raft.LogCommand, Data: encodeMACEntry("2026-12", again)}); res != nil {
		t.Fatalf("second entry: %v", res)
	}
	if got, _ := follower.RecordMACKey("2026-12", "IN-1"); !bytes.Equal(got, want) {
		t.Fatal("a second entry for the month replaced the key")
	}

	// A snapshot carries the version to a member that never saw the entry.
	snap, err := fsm.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var sink memSink
	if err := snap.Persist(&sink); err != nil {
		t.Fatal(err)
	}
	late := newFileKeys(ks, "", nil)
	restored := newClusterFSM(late, slog.New(slog.DiscardHandler))
	if err := restored.Restore(io.NopCloser(bytes.NewReader(sink.Bytes()))); err != nil {
		t.Fatal(err)
	}
	if got, err := late.RecordMACKey("2026-12", "IN-1"); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("restored member's key for 2026-12: %x %v", got, err)
	}

	// A keystore with another master key cannot open it: missing, and the
	// entry's answer is the error the leader reports.
	other, err := NewKeystore(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	stranger := newClusterFSM(newFileKeys(other, "", nil), slog.New(slog.DiscardHandler))
	if res := stranger.Apply(&raft.Log{Index: 7, Type: raft.LogCommand, Data: entry}); res == nil {
		t.Fatal("a keystore with another master key imported the version")
	}
	if m := stranger.missingMACs(); len(m) != 1 {
		t.Fatalf("missing %v, want 2026-12", m)
	}
	// A keystore holding the month with another key refuses the cluster's.
	own := newFileKeys(ks, "", nil)
	if err := own.AddMACVersion("2026-12"); err != nil {
		t.Fatal(err)
	}
	if err := own.ImportMACVersion("2026-12", wrapped); err == nil {
		t.Fatal("a keystore holding another 2026-12 key took the cluster's")
	}
}

// With the keys in tokens, the log names the month's key and exports
// nothing; a member whose token holds it takes it, a member whose token
// does not (another partition) refuses rather than make a key of its own.
func TestClusterLogRecordMACKeyInTokens(t *testing.T) {
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	shared := newTokenEnv(t, month).openKeys(t)
	wrapped, err := shared.ExportNewMACVersion("2026-12")
	if err != nil || len(wrapped) != 0 {
		t.Fatalf("token export: %d bytes, %v; want none", len(wrapped), err)
	}
	if err := shared.ImportMACVersion("2026-12", wrapped); err != nil {
		t.Fatalf("import from the same token: %v", err)
	}
	elsewhere := newTokenEnv(t, month).openKeys(t)
	fsm := newClusterFSM(elsewhere, slog.New(slog.DiscardHandler))
	if res := fsm.Apply(&raft.Log{Index: 3, Type: raft.LogCommand, Data: encodeMACEntry("2026-12", wrapped)}); res == nil {
		t.Fatal("a token without the month's key took the entry")
	}
	if vs := elsewhere.MACVersions(); len(vs) != 1 {
		t.Fatalf("the other token now holds %v", vs)
	}
	if len(fsm.missingMACs()) != 1 {
		t.Fatalf("missing %v", fsm.missingMACs())
	}
}
