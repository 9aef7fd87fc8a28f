package box

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"syscall"
)

// freshLog is the file under the freshness store: an append-only log of
// meter states, the last one of a serial winning. One fdatasync makes a
// whole group of appends durable, where a B-tree file needed two (pages,
// then meta page) plus its page bookkeeping; the box pays it on every
// dispense, so this is the box's largest cost after signing.
//
// The file is zero-filled ahead of the appends (chunkSize at a time), so an
// append never changes the file's size and fdatasync writes data only, not
// the inode. A record is
//
//	u32 payload length | u32 CRC-32C of the payload | payload
//
// and a zero length marks the end. A crash can tear only the last group of
// appends, whose fdatasync never returned, so nobody was answered on it:
// open stops at the first record that is cut short or fails its CRC, and
// zeroes what a torn group may have left beyond it (at most maxGroupBytes).
// When the next chunk would take the file past max(minCompactSize, 4 × the
// live states), the log is compacted instead: the live states are written
// to a new file, made durable and renamed over the old one.
type freshLog struct {
	dir       string
	chunk     int64 // chunkSize; smaller in tests
	compactAt int64 // minCompactSize; smaller in tests
	f         *os.File
	end       int64              // offset of the next record
	size      int64              // file size (zero-filled beyond end)
	live      map[string]*[]byte // each serial's last record, copied out of the log
	bytes     int64              // encoded size of the live states
}

const (
	freshLogName   = "freshness.log"
	chunkSize      = 4 << 20
	minCompactSize = 64 << 20
	maxRecordBytes = 1 << 16
	maxGroupBytes  = 1 << 20 // writer batches are cut before this
	recordHeader   = 8
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// openFreshLog opens (or creates) the log in dir and returns it with the
// states it holds.
func openFreshLog(dir string) (*freshLog, map[string]meterState, error) {
	l := &freshLog{dir: dir, chunk: chunkSize, compactAt: minCompactSize, live: map[string]*[]byte{}}
	path := filepath.Join(dir, freshLogName)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		// A new log is created whole (zero-filled) under a temporary name,
		// so a crash while creating it never leaves a short file behind.
		if err := l.rewrite(nil); err != nil {
			return nil, nil, err
		}
		return l, map[string]meterState{}, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("freshness log: %w", err)
	}
	l.f = f
	states, err := l.replay()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return l, states, nil
}

func (l *freshLog) replay() (map[string]meterState, error) {
	st, err := l.f.Stat()
	if err != nil {
		return nil, fmt.Errorf("freshness log: %w", err)
	}
	l.size = st.Size()
	data := make([]byte, l.size)
	if _, err := io.ReadFull(io.NewSectionReader(l.f, 0, l.size), data); err != nil {
		return nil, fmt.Errorf("freshness log: read: %w", err)
	}
	states := map[string]meterState{}
	pos := int64(0)
	for pos+recordHeader <= l.size {
		n := int64(binary.LittleEndian.Uint32(data[pos:]))
		if n == 0 || n > maxRecordBytes || pos+recordHeader+n > l.size {
			break
		}
		payload := data[pos+recordHeader : pos+recordHeader+n]
		if crc32.Checksum(payload, crcTable) != binary.LittleEndian.Uint32(data[pos+4:]) {
			break
		}
		serial, state, err := decodeState(payload)
		if err != nil {
			break
		}
		states[serial] = state
		rec := slices.Clone(data[pos : pos+recordHeader+n])
		l.live[serial] = &rec
		pos += recordHeader + n
	}
	l.end = pos
	for _, rec := range l.live {
		l.bytes += int64(len(*rec))
	}
	// Anything after the end that is not zero is a torn group: clear it,
	// so that appends from here on are never followed by stale bytes.
	tail := data[l.end:min(l.size, l.end+maxGroupBytes)]
	if slices.ContainsFunc(tail, func(b byte) bool { return b != 0 }) {
		if _, err := l.f.WriteAt(make([]byte, len(tail)), l.end); err != nil {
			return nil, fmt.Errorf("freshness log: clear torn tail: %w", err)
		}
		if err := l.f.Sync(); err != nil {
			return nil, fmt.Errorf("freshness log: clear torn tail: %w", err)
		}
	}
	return states, nil
}

// encodeRecord appends one state's record to buf.
func encodeRecord(buf []byte, serial string, st meterState) ([]byte, error) {
	if len(serial) > 255 {
		return buf, fmt.Errorf("freshness log: record for %q too large", serial)
	}
	start := len(buf)
	buf = append(buf, make([]byte, recordHeader)...)
	buf = binary.LittleEndian.AppendUint16(buf, uint16(len(serial)))
	buf = append(buf, serial...)
	buf, err := appendStateJSON(buf, &st)
	if err != nil {
		return buf[:start], err
	}
	n := len(buf) - start - recordHeader
	if n > maxRecordBytes {
		return buf[:start], fmt.Errorf("freshness log: record for %q too large", serial)
	}
	binary.LittleEndian.PutUint32(buf[start:], uint32(n))
	binary.LittleEndian.PutUint32(buf[start+4:], crc32.Checksum(buf[start+recordHeader:], crcTable))
	return buf, nil
}

// eachRecord calls fn for every record of buf, which encodeRecord made;
// rec's capacity ends with the record.
func eachRecord(buf []byte, fn func(serial, rec []byte)) {
	for pos := 0; pos < len(buf); {
		end := pos + recordHeader + int(binary.LittleEndian.Uint32(buf[pos:]))
		rec := buf[pos:end:end]
		fn(rec[recordHeader+2:recordHeader+2+int(binary.LittleEndian.Uint16(rec[recordHeader:]))], rec)
		pos = end
	}
}

func decodeState(payload []byte) (string, meterState, error) {
	var st meterState
	if len(payload) < 2 {
		return "", st, errors.New("short record")
	}
	n := int(binary.LittleEndian.Uint16(payload))
	if 2+n > len(payload) {
		return "", st, errors.New("short record")
	}
	err := json.Unmarshal(payload[2+n:], &st)
	return string(payload[2 : 2+n]), st, err
}

// appendGroup writes a group of encoded records (one write) and, when sync
// is set, makes them and everything before them durable.
func (l *freshLog) appendGroup(buf []byte, sync bool) error {
	if len(buf) > maxGroupBytes {
		return fmt.Errorf("freshness log: group of %d bytes: want at most %d", len(buf), maxGroupBytes)
	}
	for l.end+int64(len(buf))+recordHeader > l.size {
		if err := l.grow(int64(len(buf))); err != nil {
			return err
		}
	}
	if _, err := l.f.WriteAt(buf, l.end); err != nil {
		return fmt.Errorf("freshness log: write: %w", err)
	}
	eachRecord(buf, func(serial, rec []byte) {
		// A meter's new record replaces its last one in place: no
		// allocation per step for a meter the log already holds.
		if old := l.live[string(serial)]; old != nil {
			l.bytes += int64(len(rec)) - int64(len(*old))
			*old = append((*old)[:0], rec...)
			return
		}
		l.bytes += int64(len(rec))
		rec = slices.Clone(rec)
		l.live[string(serial)] = &rec
	})
	l.end += int64(len(buf))
	if sync {
		if err := fdatasync(l.f); err != nil {
			return fmt.Errorf("freshness log: sync: %w", err)
		}
	}
	return nil
}

// grow makes room for need more bytes: a zero-filled chunk at the end, or a
// compacted file when the log has become mostly superseded records.
func (l *freshLog) grow(need int64) error {
	if l.size+l.chunk > max(l.compactAt, 4*l.bytes) {
		recs := make([][]byte, 0, len(l.live))
		for _, r := range l.live {
			recs = append(recs, *r)
		}
		return l.rewrite(recs)
	}
	grow := ((need+recordHeader)/l.chunk + 1) * l.chunk
	if _, err := l.f.WriteAt(make([]byte, grow), l.size); err != nil {
		return fmt.Errorf("freshness log: grow: %w", err)
	}
	// The new size must be durable before appends rely on fdatasync alone.
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("freshness log: grow: %w", err)
	}
	l.size += grow
	return nil
}

// rewrite replaces the log with one holding recs (the live states), made
// durable before the rename and the rename made durable before returning.
func (l *freshLog) rewrite(recs [][]byte) error {
	var body []byte
	for _, r := range recs {
		body = append(body, r...)
	}
	// Room for at least one more group before the next grow.
	size := ((int64(len(body))+maxGroupBytes+recordHeader)/l.chunk + 1) * l.chunk
	tmp := filepath.Join(l.dir, freshLogName+".new")
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("freshness log: compact: %w", err)
	}
	_, err = f.Write(append(body, make([]byte, size-int64(len(body)))...))
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(l.dir, freshLogName))
	}
	if err == nil {
		err = syncDir(l.dir)
	}
	if err != nil {
		f.Close()
		return fmt.Errorf("freshness log: compact: %w", err)
	}
	if l.f != nil {
		l.f.Close()
	}
	l.f, l.end, l.size = f, int64(len(body)), size
	l.live, l.bytes = map[string]*[]byte{}, 0
	eachRecord(body, func(serial, rec []byte) {
		l.live[string(serial)] = &rec
		l.bytes += int64(len(rec))
	})
	return nil
}

func (l *freshLog) close() error {
	err := l.f.Sync()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// fdatasync flushes the file's data (not its times) to the disk: with the
// size fixed by zero-filling, that is all an append needs.
func fdatasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
