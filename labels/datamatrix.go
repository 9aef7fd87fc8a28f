package labels

import (
	"errors"
	"sync"
)

// An ECC 200 Data Matrix encoder for the ASCII text of an indicium (ISO/IEC
// 16022: ASCII encodation with digit pairs, square symbols). It draws the
// same symbol as boombuler's encoder, module for module (a test compares
// them), without its allocation-heavy Reed-Solomon arithmetic: that was a
// third of the time of a 10,000-label PDF.

// dmSize is one square ECC 200 symbol size.
type dmSize struct {
	side    int // modules, finder patterns included
	regions int // data regions per side
	ecc     int // error correction codewords in all
	blocks  int // interleaved Reed-Solomon blocks
}

var dmSizes = []dmSize{
	{10, 1, 5, 1}, {12, 1, 7, 1}, {14, 1, 10, 1}, {16, 1, 12, 1}, {18, 1, 14, 1}, {20, 1, 18, 1},
	{22, 1, 20, 1}, {24, 1, 24, 1}, {26, 1, 28, 1}, {32, 2, 36, 1}, {36, 2, 42, 1}, {40, 2, 48, 1},
	{44, 2, 56, 1}, {48, 2, 68, 1}, {52, 2, 84, 2}, {64, 4, 112, 2}, {72, 4, 144, 4}, {80, 4, 192, 4},
	{88, 4, 224, 4}, {96, 4, 272, 4}, {104, 4, 336, 6}, {120, 6, 408, 6}, {132, 6, 496, 8}, {144, 6, 620, 10},
}

// regionSide is the data modules per region side; mapping the whole
// symbol's data area is regionSide*regions square.
func (s dmSize) regionSide() int { return (s.side - 2*s.regions) / s.regions }
func (s dmSize) mapSide() int    { return s.regionSide() * s.regions }
func (s dmSize) dataWords() int  { return s.mapSide()*s.mapSide()/8 - s.ecc }

var errDMTooLong = errors.New("labels: encoding Data Matrix: the text is too long for the largest symbol")

// dmEncode returns the symbol for ASCII text, without quiet zone.
func dmEncode(text string) (matrix, error) {
	words := make([]byte, 0, len(text)+8)
	for i := 0; i < len(text); i++ {
		c := text[i]
		if isDigit(c) && i+1 < len(text) && isDigit(text[i+1]) {
			words = append(words, 130+(c-'0')*10+(text[i+1]-'0'))
			i++
			continue
		}
		words = append(words, c+1)
	}
	var size dmSize
	found := false
	for _, s := range dmSizes {
		if s.dataWords() >= len(words) {
			size, found = s, true
			break
		}
	}
	if !found {
		return matrix{}, errDMTooLong
	}
	words = dmPad(words, size.dataWords())
	words = dmAppendECC(words, size)
	return dmPlace(words, size), nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// dmPad fills the data codewords: one 129, then the 253-state randomised pad.
func dmPad(words []byte, n int) []byte {
	if len(words) < n {
		words = append(words, 129)
	}
	for len(words) < n {
		r := (149*(len(words)+1))%253 + 1
		p := 129 + r
		if p > 254 {
			p -= 254
		}
		words = append(words, byte(p))
	}
	return words
}

// GF(256) with the Data Matrix polynomial x^8+x^5+x^3+x^2+1 (301).
var gf struct {
	once     sync.Once
	exp, log [512]byte
	gens     sync.Map // int -> []byte, generator polynomial by degree
}

func gfInit() {
	gf.once.Do(func() {
		x := 1
		for i := 0; i < 255; i++ {
			gf.exp[i] = byte(x)
			gf.log[x] = byte(i)
			x <<= 1
			if x >= 256 {
				x ^= 301
			}
		}
		for i := 255; i < 512; i++ {
			gf.exp[i] = gf.exp[i-255]
		}
	})
}

func gfMul(a, b byte) byte {
	if a == 0 || b == 0 {
		return 0
	}
	return gf.exp[int(gf.log[a])+int(gf.log[b])]
}

// dmGenerator is (x-α)(x-α²)…(x-αⁿ), its coefficients below the leading 1
// from the highest degree down.
func dmGenerator(n int) []byte {
	if g, ok := gf.gens.Load(n); ok {
		return g.([]byte)
	}
	// Coefficients from the highest degree down, leading 1 included.
	g := []byte{1}
	for i := 1; i <= n; i++ {
		next := make([]byte, len(g)+1)
		root := gf.exp[i]
		for j, c := range g {
			next[j] ^= c
			next[j+1] ^= gfMul(c, root)
		}
		g = next
	}
	gf.gens.Store(n, g[1:])
	return g[1:]
}

// dmAppendECC appends the Reed-Solomon codewords, blocks interleaved: block
// b takes data codewords b, b+blocks, … (so the 144x144 symbol's first
// eight blocks carry one more than the last two).
func dmAppendECC(data []byte, s dmSize) []byte {
	gfInit()
	n := len(data)
	per := s.ecc / s.blocks
	gen := dmGenerator(per)
	out := append(data, make([]byte, s.ecc)...)
	rem := make([]byte, per)
	for b := 0; b < s.blocks; b++ {
		clear(rem)
		for i := b; i < n; i += s.blocks {
			f := data[i] ^ rem[0]
			copy(rem, rem[1:])
			rem[per-1] = 0
			if f != 0 {
				for j, g := range gen {
					rem[j] ^= gfMul(g, f)
				}
			}
		}
		for j := range per {
			out[n+b+j*s.blocks] = rem[j]
		}
	}
	return out
}

// dmPlace lays the codewords out in the ECC 200 pattern (ISO/IEC 16022,
// annex F) and adds each region's finder and clock pattern.
func dmPlace(words []byte, s dmSize) matrix {
	nr := s.mapSide()
	nc := nr
	// 0: free, 1: light, 2: dark in the mapping matrix.
	grid := make([]byte, nr*nc)
	module := func(row, col, w, bit int) {
		if row < 0 {
			row += nr
			col += 4 - (nr+4)%8
		}
		if col < 0 {
			col += nc
			row += 4 - (nc+4)%8
		}
		v := byte(1)
		if w < len(words) && words[w]>>(7-bit)&1 == 1 {
			v = 2
		}
		grid[row*nc+col] = v
	}
	utah := func(row, col, w int) {
		module(row-2, col-2, w, 0)
		module(row-2, col-1, w, 1)
		module(row-1, col-2, w, 2)
		module(row-1, col-1, w, 3)
		module(row-1, col, w, 4)
		module(row, col-2, w, 5)
		module(row, col-1, w, 6)
		module(row, col, w, 7)
	}
	corner := func(w int, pos [8][2]int) {
		for bit, p := range pos {
			module(p[0], p[1], w, bit)
		}
	}
	w, row, col := 0, 4, 0
	for {
		switch {
		case row == nr && col == 0:
			corner(w, [8][2]int{{nr - 1, 0}, {nr - 1, 1}, {nr - 1, 2}, {0, nc - 2}, {0, nc - 1}, {1, nc - 1}, {2, nc - 1}, {3, nc - 1}})
			w++
		case row == nr-2 && col == 0 && nc%4 != 0:
			corner(w, [8][2]int{{nr - 3, 0}, {nr - 2, 0}, {nr - 1, 0}, {0, nc - 4}, {0, nc - 3}, {0, nc - 2}, {0, nc - 1}, {1, nc - 1}})
			w++
		case row == nr-2 && col == 0 && nc%8 == 4:
			corner(w, [8][2]int{{nr - 3, 0}, {nr - 2, 0}, {nr - 1, 0}, {0, nc - 2}, {0, nc - 1}, {1, nc - 1}, {2, nc - 1}, {3, nc - 1}})
			w++
		case row == nr+4 && col == 2 && nc%8 == 0:
			corner(w, [8][2]int{{nr - 1, 0}, {nr - 1, nc - 1}, {0, nc - 3}, {0, nc - 2}, {0, nc - 1}, {1, nc - 3}, {1, nc - 2}, {1, nc - 1}})
			w++
		}
		for {
			if row < nr && col >= 0 && grid[row*nc+col] == 0 {
				utah(row, col, w)
				w++
			}
			row -= 2
			col += 2
			if row < 0 || col >= nc {
				break
			}
		}
		row++
		col += 3
		for {
			if row >= 0 && col < nc && grid[row*nc+col] == 0 {
				utah(row, col, w)
				w++
			}
			row += 2
			col -= 2
			if row >= nr || col < 0 {
				break
			}
		}
		row += 3
		col++
		if row >= nr && col >= nc {
			break
		}
	}
	if grid[(nr-1)*nc+nc-1] == 0 {
		grid[(nr-1)*nc+nc-1] = 2
		grid[(nr-2)*nc+nc-2] = 2
	}

	side, rs := s.side, s.regionSide()
	m := matrix{w: side, h: side, dark: make([]bool, side*side)}
	for y := 0; y < side; y++ {
		ry := y % (rs + 2)
		for x := 0; x < side; x++ {
			rx := x % (rs + 2)
			var dark bool
			switch {
			case rx == 0 || ry == rs+1: // solid left and bottom edges
				dark = true
			case ry == 0: // clock track on top
				dark = rx%2 == 0
			case rx == rs+1: // clock track on the right
				dark = ry%2 == 1
			default:
				r := (y/(rs+2))*rs + ry - 1
				c := (x/(rs+2))*rs + rx - 1
				dark = grid[r*nc+c] == 2
			}
			m.dark[y*side+x] = dark
		}
	}
	return m
}
