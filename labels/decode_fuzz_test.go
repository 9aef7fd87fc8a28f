package labels

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"testing"
)

// FuzzDecodeImage feeds arbitrary bytes to the /verify upload decoder: it
// must answer with text or an error, never panic, and never decode an image
// its header declares too large.
func FuzzDecodeImage(f *testing.F) {
	m, err := encodeDataMatrix("fuzz seed")
	if err != nil {
		f.Fatal(err)
	}
	var p, j bytes.Buffer
	if err := png.Encode(&p, m.image(4)); err != nil {
		f.Fatal(err)
	}
	if err := jpeg.Encode(&j, m.image(4), nil); err != nil {
		f.Fatal(err)
	}
	f.Add(p.Bytes())
	f.Add(j.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		text, err := DecodeImage(bytes.NewReader(b))
		if err != nil {
			return
		}
		if text == "" {
			t.Fatal("decoded without error but with no text")
		}
		cfg, _, cerr := image.DecodeConfig(bytes.NewReader(b))
		if cerr != nil || cfg.Width*cfg.Height > maxPixels || cfg.Width > maxSide || cfg.Height > maxSide {
			t.Fatalf("decoded an image past the limits or with an unreadable header: %dx%d, %v", cfg.Width, cfg.Height, cerr)
		}
	})
}
