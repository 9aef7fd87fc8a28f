package labels

import (
	"fmt"
	"image"
	"image/color"
)

// quietModules is the white border around the symbol: boombuler's output has
// none and decoders need at least 2 modules of it.
const quietModules = 2

// matrix is an encoded Data Matrix symbol, one bool per module.
type matrix struct {
	w, h int
	dark []bool
}

func encodeDataMatrix(text string) (matrix, error) {
	for i := 0; i < len(text); i++ {
		// The encoder writes ASCII only, and the indicium text is base64url.
		if text[i] > 127 {
			return matrix{}, fmt.Errorf("labels: barcode text is not ASCII at byte %d", i)
		}
	}
	return dmEncode(text)
}

// fullW and fullH count modules including the quiet zone.
func (m matrix) fullW() int { return m.w + 2*quietModules }
func (m matrix) fullH() int { return m.h + 2*quietModules }

// image draws the symbol with its quiet zone, module pixels per module.
func (m matrix) image(module int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, m.fullW()*module, m.fullH()*module))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	m.drawOn(img, 0, 0, module)
	return img
}

// drawOn paints the dark modules onto img with the symbol's quiet zone at
// (x0, y0); the caller has made that area white.
func (m matrix) drawOn(img *image.Gray, x0, y0, module int) {
	ox, oy := x0+quietModules*module, y0+quietModules*module
	for y := 0; y < m.h; y++ {
		for x := 0; x < m.w; x++ {
			if !m.dark[y*m.w+x] {
				continue
			}
			for dy := 0; dy < module; dy++ {
				row := (oy+y*module+dy)*img.Stride + ox + x*module
				for dx := 0; dx < module; dx++ {
					img.Pix[row+dx] = 0
				}
			}
		}
	}
}

// minModule is the smallest module printed, in inches: at 15 mil and above
// libdmtx, ZXing and postal scanners read every symbol; at 13 mil they miss.
const minModule = 0.015

// moduleFor is the largest whole number of device dots per module that fits
// the symbol and its quiet zone in a square of side box points at dpi; whole
// dots keep module edges sharp, which is what decoders read. A module under
// minModule is refused rather than printed.
func (m matrix) moduleFor(box, dpi float64) (int, error) {
	n := max(m.fullW(), m.fullH())
	mod := int(box*dpi/pt) / n
	if mod < 1 || float64(mod)/dpi < minModule {
		return 0, fmt.Errorf("labels: a %dx%d barcode would print with %.1f mil modules at %.0f dpi, under the %.0f mil minimum; the indicium is too long for the layout or the resolution too low",
			m.w, m.h, float64(mod)/dpi*1000, dpi, minModule*1000)
	}
	return mod, nil
}

var white = color.Gray{Y: 0xff}
