package labels

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

// bigJPEG is a small JPEG whose frame header claims w x h pixels, with
// pad bytes of comment segments before the frame header.
func bigJPEG(t *testing.T, w, h uint16, pad int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 16, 16)), nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	sof := bytes.Index(b, []byte{0xFF, 0xC0})
	if sof < 0 {
		t.Fatal("no SOF0 in the encoded JPEG")
	}
	binary.BigEndian.PutUint16(b[sof+5:], h)
	binary.BigEndian.PutUint16(b[sof+7:], w)
	var out bytes.Buffer
	out.Write(b[:2]) // SOI
	for pad > 0 {
		n := min(pad, 65000)
		out.Write([]byte{0xFF, 0xFE})
		binary.Write(&out, binary.BigEndian, uint16(n+2))
		out.Write(bytes.Repeat([]byte{'x'}, n))
		pad -= n
	}
	out.Write(b[2:])
	return out.Bytes()
}

func TestDecodeImageRefusesHugeImagesByTheirHeader(t *testing.T) {
	cases := map[string][]byte{
		"JPEG, 81 MP":                         bigJPEG(t, 9000, 9000, 0),
		"JPEG, 81 MP, frame header at 200 KB": bigJPEG(t, 9000, 9000, 200<<10),
		"JPEG, one side too long":             bigJPEG(t, 60000, 10, 0),
	}
	var p bytes.Buffer
	png.Encode(&p, image.NewGray(image.Rect(0, 0, 4, 4)))
	hdr := p.Bytes()
	binary.BigEndian.PutUint32(hdr[16:], 40000)
	binary.BigEndian.PutUint32(hdr[20:], 40000)
	binary.BigEndian.PutUint32(hdr[29:], crc32.ChecksumIEEE(hdr[12:29]))
	cases["PNG, 1600 MP"] = hdr
	for name, data := range cases {
		_, err := DecodeImage(bytes.NewReader(data))
		if !strings.Contains(fmt.Sprint(err), "megapixels") {
			t.Errorf("%s: %v, want a refusal by size", name, err)
		}
	}
}

func TestDecodeImageRefusesAnUnreadableHeader(t *testing.T) {
	for name, data := range map[string][]byte{
		"truncated PNG":  []byte("\x89PNG\r\n\x1a\n\x00\x00"),
		"JPEG, no frame": {0xFF, 0xD8, 0xFF, 0xFE, 0x00, 0x04, 'h', 'i'},
		"text":           []byte("hello"),
	} {
		_, err := DecodeImage(bytes.NewReader(data))
		if err == nil || !strings.Contains(err.Error(), "header cannot be read") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
