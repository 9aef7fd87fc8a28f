package labels

import (
	"fmt"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// The Go fonts are embedded (BSD licence): labels look the same on every
// machine and nothing depends on installed fonts.
func fontData(bold bool) []byte {
	if bold {
		return gobold.TTF
	}
	return goregular.TTF
}

// fonts holds the parsed fonts of one render; sfnt fonts are safe to share
// but faces are not, so each renderer makes its own fonts value.
type fonts struct {
	regular, bold *sfnt.Font
	buf           sfnt.Buffer
	glyphs        int // glyphs measured, for tests of the work fitting takes
}

func newFonts() (*fonts, error) {
	r, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("labels: parsing Go Regular: %w", err)
	}
	b, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, fmt.Errorf("labels: parsing Go Bold: %w", err)
	}
	return &fonts{regular: r, bold: b}, nil
}

func (f *fonts) font(bold bool) *sfnt.Font {
	if bold {
		return f.bold
	}
	return f.regular
}

// width is the advance width of s in points at size points, unhinted, the
// same metric gopdf uses.
func (f *fonts) width(s string, size float64, bold bool) float64 {
	m := f.measurer(bold)
	for _, r := range s {
		m.add(r)
	}
	return m.points(size)
}

// measurer adds up the advance widths (and kerning) of runes one by one, so
// a prefix's width costs one glyph lookup per rune.
type measurer struct {
	f     *fonts
	fnt   *sfnt.Font
	upem  fixed.Int26_6
	total fixed.Int26_6
	prev  sfnt.GlyphIndex
	any   bool
}

func (f *fonts) measurer(bold bool) *measurer {
	fnt := f.font(bold)
	return &measurer{f: f, fnt: fnt, upem: fixed.Int26_6(fnt.UnitsPerEm())}
}

// next is the total after r, without adding it.
func (m *measurer) next(r rune) (fixed.Int26_6, sfnt.GlyphIndex, bool) {
	m.f.glyphs++
	g, err := m.fnt.GlyphIndex(&m.f.buf, r)
	if err != nil {
		return m.total, m.prev, false
	}
	t := m.total
	if m.any {
		if k, err := m.fnt.Kern(&m.f.buf, m.prev, g, m.upem, font.HintingNone); err == nil {
			t += k
		}
	}
	if adv, err := m.fnt.GlyphAdvance(&m.f.buf, g, m.upem, font.HintingNone); err == nil {
		t += adv
	}
	return t, g, true
}

func (m *measurer) add(r rune) {
	if t, g, ok := m.next(r); ok {
		m.total, m.prev, m.any = t, g, true
	}
}

func (m *measurer) points(size float64) float64 {
	return float64(m.total) / float64(m.upem) * size
}

// fit returns the size (≤ size, ≥ minSize) at which s fits in maxW points,
// and s cut with an ellipsis if even minSize is too wide: a long address
// line must never run off the label or over the barcode. The cut is found in
// one pass over the runes with a running width, so the work is linear in s.
func (f *fonts) fit(s string, size, minSize, maxW float64, bold bool) (string, float64) {
	w := f.width(s, size, bold)
	if w <= maxW {
		return s, size
	}
	if sz := size * maxW / w; sz >= minSize {
		return s, sz
	}
	m := f.measurer(bold)
	cut := -1 // byte length of the longest prefix that fits with "..."
	for i, r := range s {
		if withDots(m, minSize) <= maxW {
			cut = i
		}
		m.add(r)
		if m.points(minSize) > maxW {
			break
		}
	}
	if cut < 0 {
		return "", minSize
	}
	return s[:cut] + "...", minSize
}

// withDots is the width at size of what m has measured followed by "...",
// leaving m unchanged.
func withDots(m *measurer, size float64) float64 {
	c := *m
	for range 3 {
		c.add('.')
	}
	return c.points(size)
}
