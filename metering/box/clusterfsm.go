package box

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"sync"

	"github.com/hashicorp/raft"
)

// clusterFSM is the replicated freshness store: the states every member
// applies from the raft log, in log order. A log entry holds one or more
// meter states in the single box's record format (freshlog.go), the last
// one of a serial winning; a snapshot is the live states in that format.
type clusterFSM struct {
	mu     sync.Mutex
	states map[string]meterState
}

var _ raft.FSM = (*clusterFSM)(nil)

// Entry kinds: the first byte of every log entry.
const entryStates byte = 1

func (f *clusterFSM) Apply(l *raft.Log) any {
	if l.Type != raft.LogCommand || len(l.Data) == 0 {
		return nil
	}
	switch l.Data[0] {
	case entryStates:
		recs, err := decodeRecords(l.Data[1:])
		if err != nil {
			// Every member applies the same bytes, so every member refuses
			// them alike; the leader reports the refusal to its caller.
			return fmt.Errorf("box: cluster: log entry %d: %w", l.Index, err)
		}
		f.mu.Lock()
		for _, r := range recs {
			f.states[r.serial] = r.state
		}
		f.mu.Unlock()
		return nil
	}
	return fmt.Errorf("box: cluster: log entry %d of unknown kind %d", l.Index, l.Data[0])
}

type serialState struct {
	serial string
	state  meterState
}

// decodeRecords reads records encodeRecord made, checking each one's length
// and CRC.
func decodeRecords(buf []byte) ([]serialState, error) {
	var out []serialState
	for pos := 0; pos < len(buf); {
		if pos+recordHeader > len(buf) {
			return nil, errors.New("short record header")
		}
		n := int(binary.LittleEndian.Uint32(buf[pos:]))
		if n == 0 || n > maxRecordBytes || pos+recordHeader+n > len(buf) {
			return nil, errors.New("bad record length")
		}
		payload := buf[pos+recordHeader : pos+recordHeader+n]
		if crc32.Checksum(payload, crcTable) != binary.LittleEndian.Uint32(buf[pos+4:]) {
			return nil, errors.New("record CRC does not match")
		}
		serial, st, err := decodeState(payload)
		if err != nil {
			return nil, err
		}
		out = append(out, serialState{serial, st})
		pos += recordHeader + n
	}
	return out, nil
}

// clone returns a copy of the applied states.
func (f *clusterFSM) clone() map[string]meterState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.states)
}

func (f *clusterFSM) Snapshot() (raft.FSMSnapshot, error) {
	return &fsmSnapshot{states: f.clone()}, nil
}

// Restore replaces the states with a snapshot's (at start, or when the
// leader sends one to a member too far behind).
func (f *clusterFSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	data, err := io.ReadAll(bufio.NewReader(rc))
	if err != nil {
		return fmt.Errorf("box: cluster: restore: %w", err)
	}
	recs, err := decodeRecords(data)
	if err != nil {
		return fmt.Errorf("box: cluster: restore: %w", err)
	}
	states := make(map[string]meterState, len(recs))
	for _, r := range recs {
		states[r.serial] = r.state
	}
	f.mu.Lock()
	f.states = states
	f.mu.Unlock()
	return nil
}

type fsmSnapshot struct{ states map[string]meterState }

func (s *fsmSnapshot) Persist(sink raft.SnapshotSink) error {
	w := bufio.NewWriter(sink)
	var buf []byte
	var err error
	for serial, st := range s.states {
		if buf, err = encodeRecord(buf[:0], serial, st); err != nil {
			break
		}
		if _, err = w.Write(buf); err != nil {
			break
		}
	}
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		sink.Cancel()
		return fmt.Errorf("box: cluster: snapshot: %w", err)
	}
	return sink.Close()
}

func (s *fsmSnapshot) Release() {}
