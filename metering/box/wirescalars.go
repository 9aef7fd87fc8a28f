package box

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// The scalars of the wire encoding, and the decoder that reads them.

func tagStr(b []byte, tag byte, s string) []byte {
	if s == "" {
		return b
	}
	return putStr(append(b, tag), s)
}

func tagBytes(b []byte, tag byte, p []byte) []byte {
	if len(p) == 0 {
		return b
	}
	return putBytes(append(b, tag), p)
}

func tagInt(b []byte, tag byte, v int64) []byte {
	if v == 0 {
		return b
	}
	return binary.AppendVarint(append(b, tag), v)
}

func putStr(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func putBytes(b []byte, p []byte) []byte {
	return append(binary.AppendUvarint(b, uint64(len(p))), p...)
}

func putStrs(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = putStr(b, s)
	}
	return b
}

func putBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// Times keep their instant to the nanosecond and, as gob did, their zone
// offset: UTC stays UTC, another offset comes back as the local zone when
// it matches, else as a fixed zone.
const (
	timeZero byte = iota
	timeUTC
	timeOffset
)

// maxZoneOffset bounds a zone offset (seconds): real ones stay within a day.
const maxZoneOffset = 24 * 60 * 60

func putTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, timeZero)
	}
	if t.Location() == time.UTC {
		b = append(b, timeUTC)
	} else {
		b = append(b, timeOffset)
	}
	b = binary.AppendVarint(b, t.Unix())
	b = binary.AppendUvarint(b, uint64(t.Nanosecond()))
	if t.Location() != time.UTC {
		_, off := t.Zone()
		b = binary.AppendVarint(b, int64(off))
	}
	return b
}

func (d *decoder) time() time.Time {
	kind := d.byte()
	if kind == timeZero {
		return time.Time{}
	}
	sec, nsec := d.varint(), d.uvarint()
	if nsec >= 1e9 {
		d.fail("time with %d nanoseconds", nsec)
	}
	var t time.Time
	switch kind {
	case timeUTC:
		t = time.Unix(sec, int64(nsec)).UTC()
	case timeOffset:
		off := d.varint()
		if off < -maxZoneOffset || off > maxZoneOffset {
			d.fail("zone offset of %d seconds", off)
			return time.Time{}
		}
		t = time.Unix(sec, int64(nsec))
		if _, local := t.Zone(); int64(local) != off {
			t = t.In(time.FixedZone("", int(off)))
		}
	default:
		d.fail("unknown time kind %d", kind)
	}
	if d.err != nil || t.IsZero() {
		return time.Time{}
	}
	return t
}

// decoder reads a body; the first error sticks and every later read
// returns a zero value, so a truncated or corrupt body never panics.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, args...)
	}
}

var errTruncated = errors.New("truncated")

func (d *decoder) error(what string) error {
	if d.err == nil {
		return nil
	}
	return fmt.Errorf("box: malformed %s: %w", what, d.err)
}

// end checks that nothing follows the end tag.
func (d *decoder) end() {
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d bytes after the end", len(d.b))
	}
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) == 0 {
		d.err = errTruncated
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) bool() bool {
	switch v := d.byte(); v {
	case 0:
		return false
	case 1:
		return true
	default:
		d.fail("boolean %d", v)
		return false
	}
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad unsigned integer")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("bad integer")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) int() int { return int(d.varint()) }

func (d *decoder) uint32() uint32 {
	v := d.uvarint()
	if v > 1<<32-1 {
		d.fail("%d does not fit 32 bits", v)
		return 0
	}
	return uint32(v)
}

// count reads a slice length and checks the body can hold that many
// elements of at least minLen bytes, so a corrupt length allocates nothing.
func (d *decoder) count(minLen int) int {
	n := d.uvarint()
	if d.err != nil {
		return 0
	}
	if n > uint64(len(d.b)/minLen) {
		d.fail("%d elements in %d bytes", n, len(d.b))
		return 0
	}
	return int(n)
}

// span returns the next length-prefixed run of bytes, not copied.
func (d *decoder) span() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = errTruncated
		return nil
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}

// bytes copies, so nothing decoded holds on to the connection's buffer; an
// empty slice decodes as nil, as it did with gob.
func (d *decoder) bytes() []byte {
	p := d.span()
	if len(p) == 0 {
		return nil
	}
	return append([]byte(nil), p...)
}

func (d *decoder) str() string { return string(d.span()) }

func (d *decoder) strs() []string {
	n := d.count(1)
	if n == 0 {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = d.str()
	}
	return ss
}

func (d *decoder) fixed(dst []byte) {
	if d.err != nil {
		return
	}
	if len(d.b) < len(dst) {
		d.err = errTruncated
		return
	}
	copy(dst, d.b)
	d.b = d.b[len(dst):]
}
