package labels

import (
	"fmt"

	"github.com/boombuler/barcode/code128"

	"indicia/metering/tracking"
)

// Sizes of the Intelligent Mail package barcode, in points.
const (
	// gs1Module is the narrowest bar: 13.3 mil, above the USPS minimum of
	// 13 mil, and exactly 4 dots at 300 dpi so a PNG's bars are all whole.
	gs1Module = 0.96
	// gs1Height is the bars' height: the USPS minimum of 3/4 in.
	gs1Height = 0.75 * pt
	// gs1Quiet is the light margin each side, in modules (the GS1 minimum).
	gs1Quiet = 10
)

// linear is an encoded GS1-128 symbol: one bool per module, no quiet zone.
type linear struct {
	dark []bool
}

// encodeIMpb encodes the label's tracking barcode (FNC1, AI 420 and the
// ZIP, FNC1, the tracking number); empty when the label has no tracking number.
func encodeIMpb(l Label) (linear, error) {
	if l.TrackingNumber == "" {
		return linear{}, nil
	}
	data, err := tracking.Barcode(l.DestZIP, l.TrackingNumber)
	if err != nil {
		return linear{}, fmt.Errorf("labels: label %q: %w", l.ID, err)
	}
	bc, err := code128.Encode(data)
	if err != nil {
		return linear{}, fmt.Errorf("labels: encoding GS1-128: %w", err)
	}
	b := bc.Bounds()
	out := linear{dark: make([]bool, b.Dx())}
	for x := range out.dark {
		r, _, _, _ := bc.At(b.Min.X+x, b.Min.Y).RGBA()
		out.dark[x] = r < 0x8000
	}
	return out, nil
}

// drawIMpb draws the tracking block at (x, y), top left: its heading, the
// bars and the number as printed under them. It takes 76 points of height.
func drawIMpb(p pen, x, y, w float64, l Label, s linear) {
	if len(s.dark) == 0 {
		return
	}
	heading := "USPS TRACKING #"
	if l.certified() {
		heading = "USPS CERTIFIED MAIL #"
	}
	p.line(x, y+8, w, 8, true, heading)
	bx := x + gs1Quiet*gs1Module
	for i := 0; i < len(s.dark); {
		if !s.dark[i] {
			i++
			continue
		}
		j := i
		for j < len(s.dark) && s.dark[j] {
			j++
		}
		p.c.rule(bx+float64(i)*gs1Module, y+12, float64(j-i)*gs1Module, gs1Height)
		i = j
	}
	p.line(x, y+12+gs1Height+11, w, 9, true, tracking.HumanReadable(l.TrackingNumber))
}

// certified reports whether the piece carries Certified Mail, whose
// tracking number is its article number.
func (l Label) certified() bool {
	for _, s := range l.Services {
		if s == "CERTIFIED MAIL" {
			return true
		}
	}
	return false
}
