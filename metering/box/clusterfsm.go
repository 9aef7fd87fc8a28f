package box

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/raft"
)

// clusterFSM is the replicated freshness store: the states every member
// applies from the raft log, in log order. A log entry holds one or more
// meter states in the single box's record format (freshlog.go), the last
// one of a serial winning; a snapshot is the live states in that format.
//
// The record-MAC key versions are replicated the same way: an entry adds a
// month's key, wrapped under the master key every member holds (or only
// named, when the members' tokens hold it), and every member imports it
// into its own keystore (KeyOps.ImportMACVersion), so after a failover the
// new leader verifies the records the old one MACed with it. The first
// entry of a version wins: a retried rotation changes nothing.
type clusterFSM struct {
	keys KeyOps
	log  *slog.Logger
	// onMAC is called after a version was added (the box then MACs new
	// records with it).
	onMAC atomic.Pointer[func()]

	mu     sync.Mutex
	states map[string]meterState
	// macs are the versions the cluster added, their exported keys.
	macs map[string][]byte
	// missing are the versions this member failed to import, with why: it
	// must not serve, as its records would not verify elsewhere.
	missing map[string]string
}

var _ raft.FSM = (*clusterFSM)(nil)

func newClusterFSM(keys KeyOps, log *slog.Logger) *clusterFSM {
	return &clusterFSM{keys: keys, log: log, states: map[string]meterState{}, macs: map[string][]byte{}, missing: map[string]string{}}
}

// Entry kinds: the first byte of every log entry.
const (
	entryStates byte = 1
	entryMACKey byte = 2
)

// encodeMACEntry is a record-MAC key version's log entry: the kind, the
// version's length and bytes, then the exported key (empty for a token).
func encodeMACEntry(version string, wrapped []byte) []byte {
	buf := []byte{entryMACKey, byte(len(version))}
	buf = append(buf, version...)
	return append(buf, wrapped...)
}

func decodeMACEntry(buf []byte) (string, []byte, error) {
	if len(buf) < 1 || len(buf) < 1+int(buf[0]) {
		return "", nil, errors.New("short record-MAC key entry")
	}
	v := string(buf[1 : 1+int(buf[0])])
	if !macVersionRE.MatchString(v) {
		return "", nil, fmt.Errorf("record-MAC key entry for %q", v)
	}
	return v, slices.Clone(buf[1+int(buf[0]):]), nil
}

// addMAC imports a version the cluster added, unless it holds it already.
func (f *clusterFSM) addMAC(version string, wrapped []byte) error {
	f.mu.Lock()
	if _, ok := f.macs[version]; ok {
		f.mu.Unlock()
		return nil
	}
	f.macs[version] = wrapped
	f.mu.Unlock()
	err := f.keys.ImportMACVersion(version, wrapped)
	f.mu.Lock()
	if err != nil {
		f.missing[version] = err.Error()
	} else {
		delete(f.missing, version)
	}
	f.mu.Unlock()
	if err != nil {
		f.log.Error("box: cluster: record-MAC key version not imported; this box will not serve", "version", version, "err", err)
		return err
	}
	if fn := f.onMAC.Load(); fn != nil {
		(*fn)()
	}
	return nil
}

// missingMACs returns why this member lacks versions the cluster added
// (empty: none missing).
func (f *clusterFSM) missingMACs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, v := range slices.Sorted(maps.Keys(f.missing)) {
		out = append(out, v+": "+f.missing[v])
	}
	return out
}

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
	case entryMACKey:
		v, wrapped, err := decodeMACEntry(l.Data[1:])
		if err != nil {
			return fmt.Errorf("box: cluster: log entry %d: %w", l.Index, err)
		}
		return f.addMAC(v, wrapped)
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
	f.mu.Lock()
	macs := maps.Clone(f.macs)
	f.mu.Unlock()
	return &fsmSnapshot{states: f.clone(), macs: macs}, nil
}

// snapMACMagic starts a snapshot that holds record-MAC key versions before
// its states; a snapshot without it holds states only.
const snapMACMagic = "INDICIA-BOX-MACS\x00"

// Restore replaces the states with a snapshot's (at start, or when the
// leader sends one to a member too far behind), and imports the key
// versions it holds.
func (f *clusterFSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	data, err := io.ReadAll(bufio.NewReader(rc))
	if err != nil {
		return fmt.Errorf("box: cluster: restore: %w", err)
	}
	macs := map[string][]byte{}
	if rest, ok := bytes.CutPrefix(data, []byte(snapMACMagic)); ok {
		if macs, data, err = decodeSnapMACs(rest); err != nil {
			return fmt.Errorf("box: cluster: restore: %w", err)
		}
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
	f.macs = map[string][]byte{}
	f.missing = map[string]string{}
	f.mu.Unlock()
	for _, v := range slices.Sorted(maps.Keys(macs)) {
		f.addMAC(v, macs[v]) // a failure is kept in missing
	}
	return nil
}

// decodeSnapMACs reads the count, then per version its length-prefixed
// name and exported key; it returns the rest (the states).
func decodeSnapMACs(buf []byte) (map[string][]byte, []byte, error) {
	if len(buf) < 4 {
		return nil, nil, errors.New("short record-MAC key list")
	}
	n := binary.LittleEndian.Uint32(buf)
	buf = buf[4:]
	macs := map[string][]byte{}
	for range n {
		if len(buf) < 4 {
			return nil, nil, errors.New("short record-MAC key list")
		}
		m := int(binary.LittleEndian.Uint32(buf))
		if m > len(buf)-4 {
			return nil, nil, errors.New("bad record-MAC key length")
		}
		v, wrapped, err := decodeMACEntry(buf[4 : 4+m])
		if err != nil {
			return nil, nil, err
		}
		macs[v] = wrapped
		buf = buf[4+m:]
	}
	return macs, buf, nil
}

type fsmSnapshot struct {
	states map[string]meterState
	macs   map[string][]byte
}

func (s *fsmSnapshot) Persist(sink raft.SnapshotSink) error {
	w := bufio.NewWriter(sink)
	var buf []byte
	var err error
	if len(s.macs) > 0 {
		buf = append([]byte(snapMACMagic), 0, 0, 0, 0)
		binary.LittleEndian.PutUint32(buf[len(snapMACMagic):], uint32(len(s.macs)))
		for _, v := range slices.Sorted(maps.Keys(s.macs)) {
			e := encodeMACEntry(v, s.macs[v])[1:]
			buf = binary.LittleEndian.AppendUint32(buf, uint32(len(e)))
			buf = append(buf, e...)
		}
		_, err = w.Write(buf)
	}
	for serial, st := range s.states {
		if err != nil {
			break
		}
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
