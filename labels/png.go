package labels

import (
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// DefaultDPI is the PNG resolution when PNG is given dpi ≤ 0: a 4x6 in label
// is then 1200 x 1800 pixels.
const DefaultDPI = 300

// PNG writes one 4x6 in label as a grayscale PNG at dpi dots per inch
// (DefaultDPI when dpi ≤ 0).
func PNG(w io.Writer, l Label, dpi int) error {
	img, err := Image(l, dpi)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(w, img); err != nil {
		return fmt.Errorf("labels: encoding PNG: %w", err)
	}
	return nil
}

// Image renders one 4x6 in label at dpi (DefaultDPI when dpi ≤ 0) for callers
// that want the pixels rather than a PNG file.
func Image(l Label, dpi int) (*image.Gray, error) {
	if dpi <= 0 {
		dpi = DefaultDPI
	}
	if dpi > 1200 {
		return nil, fmt.Errorf("labels: %d dpi is more than a label needs (at most 1200)", dpi)
	}
	if err := l.Validate(); err != nil {
		return nil, err
	}
	m, err := encodeDataMatrix(l.Indicium)
	if err != nil {
		return nil, fmt.Errorf("labels: label %q: %w", l.ID, err)
	}
	f, err := newFonts()
	if err != nil {
		return nil, err
	}
	scale := float64(dpi) / pt
	img := image.NewGray(image.Rect(0, 0, int(labelW*scale+0.5), int(labelH*scale+0.5)))
	draw.Draw(img, img.Bounds(), image.NewUniform(white), image.Point{}, draw.Src)
	c := &pngCanvas{img: img, scale: scale, f: f, faces: map[faceKey]font.Face{}}
	drawShipping(pen{c: c, f: f}, 0, 0, l, m)
	if c.err != nil {
		return nil, fmt.Errorf("labels: label %q: %w", l.ID, c.err)
	}
	return img, nil
}

type faceKey struct {
	size float64
	bold bool
}

// pngCanvas draws on a grayscale image, scale pixels per point.
type pngCanvas struct {
	img   *image.Gray
	scale float64
	f     *fonts
	faces map[faceKey]font.Face
	err   error
}

func (c *pngCanvas) px(v float64) int { return int(v*c.scale + 0.5) }

func (c *pngCanvas) text(x, y, size float64, bold bool, s string) {
	if c.err != nil {
		return
	}
	k := faceKey{size, bold}
	face, ok := c.faces[k]
	if !ok {
		var err error
		face, err = opentype.NewFace(c.f.font(bold), &opentype.FaceOptions{Size: size, DPI: c.scale * pt, Hinting: font.HintingNone})
		if err != nil {
			c.err = fmt.Errorf("labels: font face: %w", err)
			return
		}
		c.faces[k] = face
	}
	d := font.Drawer{Dst: c.img, Src: image.Black, Face: face,
		Dot: fixed.Point26_6{X: fixed.Int26_6(x * c.scale * 64), Y: fixed.Int26_6(y * c.scale * 64)}}
	d.DrawString(s)
}

func (c *pngCanvas) rule(x, y, w, h float64) {
	r := image.Rect(c.px(x), c.px(y), c.px(x+w), c.px(y+h))
	if r.Dy() == 0 {
		r.Max.Y++ // a hairline still shows
	}
	draw.Draw(c.img, r, image.Black, image.Point{}, draw.Src)
}

func (c *pngCanvas) barcode(x, y, box float64, m matrix) {
	if c.err != nil {
		return
	}
	mod, err := m.moduleFor(box, c.scale*pt)
	if err != nil {
		c.err = err
		return
	}
	x0, y0 := c.px(x), c.px(y)
	r := image.Rect(x0, y0, x0+m.fullW()*mod, y0+m.fullH()*mod)
	draw.Draw(c.img, r, image.NewUniform(white), image.Point{}, draw.Src)
	m.drawOn(c.img, x0, y0, mod)
}
