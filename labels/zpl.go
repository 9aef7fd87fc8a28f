package labels

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// zplDPI is the resolution of the usual 4x6 thermal printer (8 dots/mm).
const zplDPI = 203.0

// ZPL writes ZPL II for 203 dpi thermal printers, one ^XA..^XZ format per
// label: the Data Matrix by ^BX (ECC 200) and the text in the printer's
// scalable font 0, from the same layout as the PDF and PNG.
func ZPL(w io.Writer, ls []Label) error {
	if len(ls) == 0 {
		return errors.New("labels: no labels to render")
	}
	// Check every label before the first byte goes out: ZPL streams.
	for i, l := range ls {
		if err := l.Validate(); err != nil {
			return fmt.Errorf("labels: label %d of %d: %w", i+1, len(ls), err)
		}
	}
	f, err := newFonts()
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	c := &zplCanvas{w: bw}
	// Encoding the symbol is most of the work even here: its size sets the
	// module and the space the layout keeps for it.
	next, stop := prepare(ls, false)
	defer stop()
	for i, l := range ls {
		bc := next()
		if bc.err != nil {
			return fmt.Errorf("labels: label %d of %d: %w", i+1, len(ls), bc.err)
		}
		m := bc.m
		c.payload = l.Indicium
		// ^CI28: field data is UTF-8; ^PW/^LL: a 4x6 in label at 203 dpi.
		fmt.Fprintf(bw, "^XA\n^CI28\n^PW%d\n^LL%d\n^LH0,0\n", dots(labelW), dots(labelH))
		drawShipping(pen{c: c, f: f}, 0, 0, l, m)
		if c.err != nil {
			return fmt.Errorf("labels: label %q: %w", l.ID, c.err)
		}
		bw.WriteString("^XZ\n")
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("labels: writing ZPL: %w", err)
	}
	return nil
}

func dots(v float64) int { return int(v*zplDPI/pt + 0.5) }

// zplCanvas writes ZPL commands; the first error sticks.
type zplCanvas struct {
	w       *bufio.Writer
	payload string
	err     error
}

func (c *zplCanvas) text(x, y, size float64, bold bool, s string) {
	// ^FT places the baseline like the other canvases; ^FH escapes the
	// characters ZPL would read as commands.
	h := dots(size)
	fmt.Fprintf(c.w, "^FT%d,%d^A0N,%d,%d^FH^FD%s^FS\n", dots(x), dots(y), h, h, zplEscape(s))
}

func (c *zplCanvas) rule(x, y, w, h float64) {
	ww, hh := max(dots(w), 1), max(dots(h), 1)
	fmt.Fprintf(c.w, "^FO%d,%d^GB%d,%d,%d^FS\n", dots(x), dots(y), ww, hh, min(ww, hh))
}

func (c *zplCanvas) barcode(x, y, box float64, m matrix) {
	if c.err != nil {
		return
	}
	mod, err := m.moduleFor(box, zplDPI)
	if err != nil {
		c.err = err
		return
	}
	// ^FO is the symbol's corner: step in by the quiet zone the box leaves white.
	q := quietModules * mod
	fmt.Fprintf(c.w, "^FO%d,%d^BXN,%d,200,%d,%d^FD%s^FS\n", dots(x)+q, dots(y)+q, mod, m.w, m.h, c.payload)
}

// zplEscape hex-escapes ^, ~ and the ^FH escape character _ itself.
func zplEscape(s string) string {
	if !strings.ContainsAny(s, "^~_") {
		return s
	}
	r := strings.NewReplacer("_", "_5F", "^", "_5E", "~", "_7E")
	return r.Replace(s)
}
