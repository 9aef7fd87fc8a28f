package labels

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/signintech/gopdf"
)

// pdfDPI is the device resolution the barcode's modules are snapped to, so a
// 300 dpi print or rasterisation puts each module on whole dots.
const pdfDPI = 300.0

const compressLevel = 6 // zlib default: the smallest file

// compressUpTo is the largest batch whose page contents are compressed.
// gopdf allocates a fresh zlib compressor (about 1 MB) for every page: over
// 10,000 pages that cost more time and heap than drawing the labels, so a
// larger batch stores its page contents plain (about 3.6 KB a label instead
// of 2.2 KB; the barcode images stay compressed either way).
const compressUpTo = 1000

// PDF4x6 writes a 4x6 in shipping label per page; a batch is one PDF.
func PDF4x6(w io.Writer, ls []Label) error {
	return writePDF(w, ls, gopdf.Rect{W: labelW, H: labelH}, 1, func(p pen, i int, l Label, m matrix) {
		drawShipping(p, 0, 0, l, m)
	})
}

// PDFLetter2Up writes US Letter sheets with two 4x6 in labels side by side,
// each outlined as a cut guide.
func PDFLetter2Up(w io.Writer, ls []Label) error {
	ox := (letterW - 2*labelW) / 2
	oy := (letterH - labelH) / 2
	return writePDF(w, ls, gopdf.Rect{W: letterW, H: letterH}, 2, func(p pen, i int, l Label, m matrix) {
		x := ox + float64(i%2)*labelW
		c := p.c.(*pdfCanvas)
		c.outline(x, oy, labelW, labelH)
		drawShipping(p, x, oy, l, m)
	})
}

// PDFEnvelope10 writes one #10 envelope (9.5 x 4.125 in) per page.
func PDFEnvelope10(w io.Writer, ls []Label) error {
	return writePDF(w, ls, gopdf.Rect{W: envW, H: envH}, 1, func(p pen, i int, l Label, m matrix) {
		drawEnvelope(p, l, m)
	})
}

// writePDF lays out perPage labels on each page. The output is deterministic:
// no creation date, an empty document /ID, and fonts subset in a fixed order.
func writePDF(w io.Writer, ls []Label, page gopdf.Rect, perPage int, draw func(p pen, i int, l Label, m matrix)) error {
	if len(ls) == 0 {
		return errors.New("labels: no labels to render")
	}
	f, err := newFonts()
	if err != nil {
		return err
	}
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: page, Unit: gopdf.UnitPT})
	if len(ls) > compressUpTo {
		pdf.SetNoCompression()
	} else {
		pdf.SetCompressLevel(compressLevel)
	}
	for _, fam := range []struct {
		name string
		bold bool
	}{{"regular", false}, {"bold", true}} {
		if err := pdf.AddTTFFontData(fam.name, fontData(fam.bold)); err != nil {
			return fmt.Errorf("labels: loading font %s: %w", fam.name, err)
		}
	}
	c := &pdfCanvas{pdf: pdf}
	p := pen{c: c, f: f}
	next, stop := prepare(ls, true)
	defer stop()
	for i, l := range ls {
		bc := next()
		if bc.err != nil {
			return fmt.Errorf("labels: label %d of %d: %w", i+1, len(ls), bc.err)
		}
		if i%perPage == 0 {
			pdf.AddPage()
		}
		// One pixel per module: the PDF scales it, so the file stays small.
		c.img, c.imgID = bc.png, i
		draw(p, i%perPage, l, bc.m)
		if c.err != nil {
			return fmt.Errorf("labels: label %q: %w", l.ID, c.err)
		}
	}
	if _, err := pdf.WriteTo(w); err != nil {
		return fmt.Errorf("labels: writing PDF: %w", err)
	}
	return nil
}

// pdfCanvas draws on the current gopdf page; the first error sticks.
type pdfCanvas struct {
	pdf   *gopdf.GoPdf
	img   []byte // PNG of the current label's barcode, one pixel per module
	imgID int    // the label's index in the batch, which names its image
	err   error
}

// barcodeImage hands gopdf a barcode under a short name of our own:
// gopdf's ImageHolderByBytes names an image by the MD5 of its bytes, and
// compares that name with every image already on the document for each
// one it adds.
type barcodeImage struct {
	id string
	*bytes.Reader
}

func (b barcodeImage) ID() string { return b.id }

func (c *pdfCanvas) text(x, y, size float64, bold bool, s string) {
	if c.err != nil {
		return
	}
	fam := "regular"
	if bold {
		fam = "bold"
	}
	if c.err = c.pdf.SetFont(fam, "", size); c.err != nil {
		return
	}
	c.pdf.SetXY(x, y)
	c.err = c.pdf.Text(s)
}

func (c *pdfCanvas) rule(x, y, w, h float64) {
	c.pdf.SetFillColor(0, 0, 0)
	c.pdf.RectFromUpperLeftWithStyle(x, y, w, h, "F")
}

func (c *pdfCanvas) outline(x, y, w, h float64) {
	c.pdf.SetLineWidth(0.25)
	c.pdf.SetStrokeColor(160, 160, 160)
	c.pdf.RectFromUpperLeftWithStyle(x, y, w, h, "D")
	c.pdf.SetStrokeColor(0, 0, 0)
}

func (c *pdfCanvas) barcode(x, y, box float64, m matrix) {
	if c.err != nil {
		return
	}
	// Snap the module to whole 300 dpi dots and the origin to a dot edge.
	dotsPer, err := m.moduleFor(box, pdfDPI)
	if err != nil {
		c.err = err
		return
	}
	mod := float64(dotsPer) * pt / pdfDPI
	x = snap(x)
	y = snap(y)
	h := barcodeImage{id: strconv.Itoa(c.imgID), Reader: bytes.NewReader(c.img)}
	c.err = c.pdf.ImageByHolder(h, x, y, &gopdf.Rect{W: float64(m.fullW()) * mod, H: float64(m.fullH()) * mod})
}

func snap(v float64) float64 {
	return float64(int(v*pdfDPI/pt+0.5)) * pt / pdfDPI
}
