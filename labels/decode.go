package labels

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // uploads may be JPEG
	_ "image/png"
	"io"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/datamatrix"
)

// ErrNoBarcode is returned by DecodeImage when no Data Matrix could be read.
var ErrNoBarcode = errors.New("labels: no Data Matrix barcode found in the image")

// Image limits. Every format the binary can decode is checked from its header
// before a pixel is decoded, and an image whose header cannot be read is
// refused: decoding blind is how a small file becomes a huge bitmap.
const (
	// maxPixels: a letter page at 600 dpi is 33.7 megapixels, a 4x6 in
	// label 8.6.
	maxPixels = 36_000_000
	// maxSide bounds either side, so a thin image cannot pass on area.
	maxSide = 20_000
	// MaxImageBytes bounds the encoded image read.
	MaxImageBytes = 16 << 20
)

// ErrImageTooLarge is a refusal by the image's declared size.
var ErrImageTooLarge = errors.New("labels: image too large")

// DecodeImage reads an uploaded label image (PNG or JPEG) and returns the
// text of its Data Matrix barcode: a whole label as printed or scanned, or
// the barcode alone. Photos taken at an angle are not a goal.
func DecodeImage(r io.Reader) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImageBytes+1))
	if err != nil {
		return "", fmt.Errorf("labels: reading image: %w", err)
	}
	if len(data) > MaxImageBytes {
		return "", fmt.Errorf("%w: larger than %d MB", ErrImageTooLarge, MaxImageBytes>>20)
	}
	// The whole file, not a prefix: a JPEG may put its frame header (SOF)
	// after any amount of metadata.
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("labels: the image header cannot be read (PNG or JPEG expected): %w", err)
	}
	if format != "png" && format != "jpeg" {
		return "", fmt.Errorf("labels: %s images are not read here (PNG or JPEG expected)", format)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxSide || cfg.Height > maxSide || cfg.Width*cfg.Height > maxPixels {
		return "", fmt.Errorf("%w: %dx%d pixels; at most %d megapixels and %d pixels a side", ErrImageTooLarge, cfg.Width, cfg.Height, maxPixels/1_000_000, maxSide)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("labels: reading image (PNG or JPEG expected): %w", err)
	}
	return decodeGray(toGray(img))
}

func toGray(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok {
		return g
	}
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(g, g.Bounds(), img, b.Min, draw.Src)
	return g
}

// decodeGray tries the whole image, then overlapping windows: ZXing's Data
// Matrix detector grows a white rectangle from the image's centre, so on a
// whole label it needs a window around the barcode, not the address text.
// Half-side windows come first: a label's barcode square is about a third of
// its short side, and such a window holds it with little text around.
func decodeGray(g *image.Gray) (string, error) {
	if s, ok := tryDecode(g); ok {
		return s, nil
	}
	b := g.Bounds()
	side := min(b.Dx(), b.Dy())
	// Windows step a third of their side, so a barcode up to two thirds of a
	// window wide lies whole in one.
	for _, frac := range []int{2, 3, 4} {
		win := side / frac
		if win < 40 {
			continue
		}
		step := win / 3
		for y := b.Min.Y; y+win*2/3 < b.Max.Y; y += step {
			for x := b.Min.X; x+win*2/3 < b.Max.X; x += step {
				r := image.Rect(x, y, x+win, y+win).Intersect(b)
				if s, ok := tryDecode(g.SubImage(r).(*image.Gray)); ok {
					return s, nil
				}
			}
		}
	}
	return "", ErrNoBarcode
}

func tryDecode(g *image.Gray) (string, bool) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(g)
	if err != nil {
		return "", false
	}
	hints := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}
	res, err := datamatrix.NewDataMatrixReader().Decode(bmp, hints)
	if err != nil {
		return "", false
	}
	return res.GetText(), true
}
