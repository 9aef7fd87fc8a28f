package labels

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/boombuler/barcode/datamatrix"
)

// boombulerMatrix is the reference: the symbol boombuler's encoder draws.
func boombulerMatrix(t *testing.T, text string) matrix {
	t.Helper()
	bc, err := datamatrix.Encode(text)
	if err != nil {
		t.Fatal(err)
	}
	b := bc.Bounds()
	m := matrix{w: b.Dx(), h: b.Dy(), dark: make([]bool, b.Dx()*b.Dy())}
	for y := 0; y < m.h; y++ {
		for x := 0; x < m.w; x++ {
			r, _, _, _ := bc.At(b.Min.X+x, b.Min.Y+y).RGBA()
			m.dark[y*m.w+x] = r < 0x8000
		}
	}
	return m
}

// The encoder draws exactly boombuler's symbol for every size: texts from
// one character to the largest symbol's capacity, digits (pairs), base64url
// and printable ASCII.
func TestDataMatrixMatchesBoombuler(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	alphabets := []string{b64, "0123456789", " !\"#$%&'()*+,-./0123456789:;<=>?@AZaz{|}~"}
	seen := map[int]bool{}
	for n := 1; n <= 1556; n += 1 + n/40 {
		for _, alpha := range alphabets {
			var sb strings.Builder
			for range n {
				sb.WriteByte(alpha[rng.IntN(len(alpha))])
			}
			text := sb.String()
			got, err := dmEncode(text)
			if err != nil {
				if _, refErr := datamatrix.Encode(text); refErr == nil {
					t.Fatalf("%d characters: %v, boombuler encodes it", n, err)
				}
				continue
			}
			want := boombulerMatrix(t, text)
			seen[got.w] = true
			if got.w != want.w || got.h != want.h {
				t.Fatalf("%d characters: %dx%d, boombuler %dx%d", n, got.w, got.h, want.w, want.h)
			}
			for i := range want.dark {
				if got.dark[i] != want.dark[i] {
					t.Fatalf("%d characters (%dx%d): module (%d,%d) differs", n, got.w, got.h, i%got.w, i/got.w)
				}
			}
		}
	}
	for _, s := range dmSizes {
		if !seen[s.side] {
			t.Errorf("no text drew a %dx%d symbol", s.side, s.side)
		}
	}
}

func BenchmarkDataMatrix(b *testing.B) {
	text := strings.Repeat("Ab0-_9", 38)
	for b.Loop() {
		if _, err := dmEncode(text); err != nil {
			b.Fatal(err)
		}
	}
}
