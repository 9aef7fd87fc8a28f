package labels

import "fmt"

// Sizes in points (1/72 in); every layout is drawn in points from the
// label's top left corner and each canvas converts to its own device.
const (
	pt         = 72.0
	labelW     = 4 * pt
	labelH     = 6 * pt
	envW       = 9.5 * pt
	envH       = 4.125 * pt
	letterW    = 8.5 * pt
	letterH    = 11 * pt
	barcodeB   = 1.5 * pt // side of the square kept for the Data Matrix and its quiet zone; see maxSymbol
	shipMargin = 12.0
	envMargin  = 18.0
	minText    = 6.0 // smallest type size a long line shrinks to
)

// maxSymbol is the side, in modules, of the largest Data Matrix every layout
// prints at minModule or more: a 72x72 symbol holds 368 ASCII codewords,
// room for today's longest indicium text (216 characters) plus new fields.
// With its quiet zone that is 76 modules, which barcodeB holds at 4 dots
// (19.7 mil) on a 203 dpi printer and 5 dots (16.7 mil) at 300 dpi.
const maxSymbol = 72

// canvas is what a layout draws on: a PDF page, a PNG or a ZPL label.
type canvas interface {
	// text draws s with its baseline at y.
	text(x, y, size float64, bold bool, s string)
	// rule fills a black rectangle.
	rule(x, y, w, h float64)
	// barcode draws m with its quiet zone in the square of side box at (x, y).
	barcode(x, y, box float64, m matrix)
}

// pen writes lines on a canvas, shrinking or cutting those too wide.
type pen struct {
	c canvas
	f *fonts
}

func (p pen) line(x, y, maxW, size float64, bold bool, s string) {
	if s == "" {
		return
	}
	s, size = p.f.fit(s, size, minText, maxW, bold)
	p.c.text(x, y, size, bold, s)
}

// lines writes up to max lines from y down, step apart; a last visible line
// says how many were left out rather than dropping them silently.
func (p pen) lines(x, y, maxW, size, step float64, bold bool, ls []string, maxLines int) {
	for i, s := range ls {
		if i == maxLines-1 && len(ls) > maxLines {
			p.line(x, y, maxW, size, bold, fmt.Sprintf("(+%d more lines)", len(ls)-i))
			return
		}
		p.line(x, y, maxW, size, bold, s)
		y += step
	}
}

// square is an area of a layout in points.
type square struct{ x, y, side float64 }

// shippingBarcode is where a 4x6 in label whose top left is at (ox, oy)
// keeps its barcode: top left, inside the margin.
func shippingBarcode(ox, oy float64) square {
	return square{ox + shipMargin, oy + shipMargin, barcodeB}
}

// envelopeBarcode is where a #10 envelope keeps its barcode: upper right,
// where USPS looks for the indicium.
func envelopeBarcode() square {
	return square{envW - envMargin - barcodeB, envMargin - 6, barcodeB}
}

// drawShipping draws a 4x6 in shipping label with its top left at (ox, oy).
func drawShipping(p pen, ox, oy float64, l Label, m matrix) {
	const margin = shipMargin
	c := p.c
	h := l.human()
	x, y := ox+margin, oy+margin
	w := labelW - 2*margin

	// Indicium: barcode left, human-readable block right of it.
	b := shippingBarcode(ox, oy)
	c.barcode(b.x, b.y, b.side, m)
	tx := x + barcodeB + 8
	tw := w - barcodeB - 8
	p.line(tx, y+14, tw, 9, true, h.paid)
	p.line(tx, y+40, tw, 20, true, h.postage)
	p.line(tx, y+56, tw, 9, true, h.class)
	p.line(tx, y+70, tw, 7.5, false, h.mailed)
	p.line(tx, y+82, tw, 7.5, false, h.meter)
	p.line(tx, y+94, tw, 7, false, h.services)
	y += barcodeB + 6
	c.rule(ox+margin, y, w, 2)

	// Sender.
	y += 13
	p.lines(x, y, w, 8.5, 10, false, l.From, 5)
	y += 52
	c.rule(ox+margin, y, w, 0.75)

	// Recipient.
	y += 20
	p.line(x, y, w, 9, true, "SHIP TO:")
	y += 20
	track, _ := encodeIMpb(l) // Validate has checked its data
	if len(track.dark) == 0 {
		p.lines(x+24, y, w-24, 13, 17, true, l.To, 7)
	} else {
		// A tracked piece gives three recipient lines to the barcode.
		p.lines(x+24, y, w-24, 13, 17, true, l.To, 4)
		ty := y + 4*17 - 8
		c.rule(ox+margin, ty, w, 0.75)
		drawIMpb(p, x, ty+2, w, l, track)
	}

	// Reference and label id at the bottom.
	y = oy + labelH - margin - 24
	c.rule(ox+margin, y, w, 0.75)
	if l.Reference != "" {
		p.line(x, y+10, w, 8, false, "REF: "+l.Reference)
	}
	p.line(x, y+21, w, 7, false, "LABEL "+l.ID)
	if l.Specimen {
		p.line(x, y-8, w, 14, true, SpecimenNotice)
	}
}

// drawEnvelope draws a #10 envelope: return address upper left, indicium
// upper right, recipient in the middle, and nothing in the bottom 5/8 in that
// USPS keeps clear for its barcode.
func drawEnvelope(p pen, l Label, m matrix) {
	const margin = envMargin
	c := p.c
	h := l.human()

	p.lines(margin, margin+10, 200, 9, 11, false, l.From, 5)

	b := envelopeBarcode()
	bx := b.x
	c.barcode(b.x, b.y, b.side, m)
	tw := 130.0
	tx := bx - 6 - tw
	y := margin + 4
	p.line(tx, y+6, tw, 8, true, h.paid)
	p.line(tx, y+24, tw, 16, true, h.postage)
	p.line(tx, y+36, tw, 8, true, h.class)
	p.line(tx, y+46, tw, 6.5, false, h.mailed)
	p.line(tx, y+55, tw, 6.5, false, h.meter)
	p.line(tx, y+64, tw, 6, false, h.services)

	p.lines(envW*0.4, 140, envW*0.55, 11, 14, true, l.To, 6)
	// Certified Mail's article number: left of the recipient, clear of the
	// bottom 5/8 in.
	if track, _ := encodeIMpb(l); len(track.dark) > 0 {
		drawIMpb(p, margin-gs1Quiet*gs1Module+2, margin+78, envW*0.4-margin, l, track)
	}

	small := "LABEL " + l.ID
	if l.Reference != "" {
		small = "REF: " + l.Reference + "   " + small
	}
	p.line(margin, margin+70, 200, 6, false, small)
}
