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
	fnt := f.font(bold)
	upem := fixed.Int26_6(fnt.UnitsPerEm())
	var total fixed.Int26_6
	prev := sfnt.GlyphIndex(0)
	for i, r := range s {
		g, err := fnt.GlyphIndex(&f.buf, r)
		if err != nil {
			continue
		}
		if i > 0 {
			if k, err := fnt.Kern(&f.buf, prev, g, upem, font.HintingNone); err == nil {
				total += k
			}
		}
		adv, err := fnt.GlyphAdvance(&f.buf, g, upem, font.HintingNone)
		if err == nil {
			total += adv
		}
		prev = g
	}
	return float64(total) / float64(upem) * size
}

// fit returns the size (≤ size, ≥ minSize) at which s fits in maxW points,
// and s cut with an ellipsis if even minSize is too wide: a long address
// line must never run off the label or over the barcode.
func (f *fonts) fit(s string, size, minSize, maxW float64, bold bool) (string, float64) {
	w := f.width(s, size, bold)
	if w <= maxW {
		return s, size
	}
	if sz := size * maxW / w; sz >= minSize {
		return s, sz
	}
	rs := []rune(s)
	for len(rs) > 0 {
		rs = rs[:len(rs)-1]
		t := string(rs) + "..."
		if f.width(t, minSize, bold) <= maxW {
			return t, minSize
		}
	}
	return "", minSize
}
