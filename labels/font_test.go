package labels

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// fitByTrimming is the plain definition of fit's cut: drop runes from the
// end until the rest and an ellipsis fit. It is quadratic, so it serves only
// to check fit on short strings.
func fitByTrimming(f *fonts, s string, size, minSize, maxW float64, bold bool) (string, float64) {
	if w := f.width(s, size, bold); w <= maxW {
		return s, size
	} else if sz := size * maxW / w; sz >= minSize {
		return s, sz
	}
	rs := []rune(s)
	for len(rs) > 0 {
		rs = rs[:len(rs)-1]
		if t := string(rs) + "..."; f.width(t, minSize, bold) <= maxW {
			return t, minSize
		}
	}
	return "", minSize
}

func TestFitCutsLikeTrimmingOneRuneAtATime(t *testing.T) {
	f, err := newFonts()
	if err != nil {
		t.Fatal(err)
	}
	words := []string{"ANN", "LEE", "WAVY", "To", "AV", "ÉLODIE", "straße", "Ωmega", "x", "WWWWWW", "iiiiii"}
	for n := 1; n < 60; n++ {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(words[(i*7+n)%len(words)])
			b.WriteByte(' ')
		}
		s := b.String()
		for _, bold := range []bool{false, true} {
			for _, maxW := range []float64{20, 90, 180} {
				got, gs := f.fit(s, 10, 7, maxW, bold)
				want, ws := fitByTrimming(f, s, 10, 7, maxW, bold)
				if got != want || gs != ws {
					t.Fatalf("fit(%q, bold=%v, %v) = %q %v, want %q %v", s, bold, maxW, got, gs, want, ws)
				}
			}
		}
	}
}

func TestFitOfAVeryLongNameIsLinear(t *testing.T) {
	f, err := newFonts()
	if err != nil {
		t.Fatal(err)
	}
	name := strings.Repeat("Bartholomew ", 100<<10/12)
	n := utf8.RuneCountInString(name)
	f.glyphs = 0
	got, size := f.fit(name, 12, 7, 200, true)
	if !strings.HasSuffix(got, "...") || size != 7 || f.width(got, size, true) > 200 {
		t.Fatalf("fit: %q at %v", got, size)
	}
	// One measure of the whole name, then the runes that fit: linear, not
	// one measure per rune removed.
	f.glyphs -= utf8.RuneCountInString(got) // the check above measured got
	if f.glyphs > n+10*len(got) {
		t.Errorf("fitting a %d-rune name measured %d glyphs", n, f.glyphs)
	}
}
