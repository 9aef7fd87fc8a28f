package labels

import (
	"bytes"
	"image/png"
	"testing"
)

// The hand-written PNG is a valid PNG of exactly the symbol: every module
// and the quiet zone read back through image/png.
func TestPDFPNGIsTheSymbol(t *testing.T) {
	for _, text := range []string{"A", "indicium-text-of-some-length-0123456789", string(bytes.Repeat([]byte("Z9"), 400))} {
		m, err := encodeDataMatrix(text)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(m.pdfPNG()))
		if err != nil {
			t.Fatalf("%d-byte text: %v", len(text), err)
		}
		want := m.image(1)
		if img.Bounds() != want.Bounds() {
			t.Fatalf("bounds %v, want %v", img.Bounds(), want.Bounds())
		}
		for y := range want.Rect.Dy() {
			for x := range want.Rect.Dx() {
				r, _, _, _ := img.At(x, y).RGBA()
				if got, exp := r>>8, uint32(want.GrayAt(x, y).Y); got != exp {
					t.Fatalf("%d-byte text: pixel (%d,%d) is %d, want %d", len(text), x, y, got, exp)
				}
			}
		}
	}
}
