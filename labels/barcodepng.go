package labels

import (
	"encoding/binary"
	"hash/adler32"
	"hash/crc32"
)

// pdfPNG is the symbol with its quiet zone as a 1-bit grayscale PNG, one
// pixel per module, for the PDF to scale. It is written directly, its
// zlib stream in stored (uncompressed) blocks: a symbol is a few hundred
// bytes either way, and image/png's filtering and compression cost more
// than the rest of a label. The PDF embeds the stream as it is.
func (m matrix) pdfPNG() []byte {
	w, h := m.fullW(), m.fullH()
	stride := 1 + (w+7)/8 // a filter byte (0, none), then the row's bits
	raw := make([]byte, h*stride)
	for y := range h {
		row := raw[y*stride+1 : (y+1)*stride]
		for i := range row {
			row[i] = 0xff // white; a dark module is a 0 bit
		}
		my := y - quietModules
		if my < 0 || my >= m.h {
			continue
		}
		for mx, dark := range m.dark[my*m.w : (my+1)*m.w] {
			if dark {
				x := mx + quietModules
				row[x/8] &^= 0x80 >> (x % 8)
			}
		}
	}

	const maxStored = 65535
	blocks := max(1, (len(raw)+maxStored-1)/maxStored)
	b := make([]byte, 0, 8+25+12+2+5*blocks+len(raw)+4+12)
	b = append(b, "\x89PNG\r\n\x1a\n"...)
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8] = 1 // bit depth; colour type 0 (gray), deflate, no filter method, no interlace
	b = pngChunk(b, "IHDR", ihdr[:])

	start := len(b)
	b = append(b, 0, 0, 0, 0, 'I', 'D', 'A', 'T', 0x78, 0x01) // zlib header, no compression
	for i, rest := 0, raw; i < blocks; i++ {
		n := min(len(rest), maxStored)
		final := byte(0)
		if i == blocks-1 {
			final = 1
		}
		b = append(b, final, byte(n), byte(n>>8), ^byte(n), ^byte(n>>8))
		b = append(b, rest[:n]...)
		rest = rest[n:]
	}
	b = binary.BigEndian.AppendUint32(b, adler32.Checksum(raw))
	binary.BigEndian.PutUint32(b[start:], uint32(len(b)-start-8))
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start+4:]))
	return pngChunk(b, "IEND", nil)
}

func pngChunk(b []byte, typ string, data []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	start := len(b)
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
}
