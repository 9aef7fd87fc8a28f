package payments

import (
	"bytes"
	"fmt"
	"time"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// ReceiptLine is one line of a receipt.
type ReceiptLine struct {
	Label  string
	Amount int64
}

// Lines are what the charge was for, as the receipt lists them.
func (c Charge) Lines() []ReceiptLine {
	switch c.Kind {
	case KindTrickle:
		ls := []ReceiptLine{{"Postage", c.Postage}}
		if c.Fee > 0 {
			ls = append(ls, ReceiptLine{"Trickle-charge fee", c.Fee})
		}
		return ls
	case KindRefill:
		return []ReceiptLine{{"Meter auto-refill", c.Amount}}
	}
	return []ReceiptLine{{"Meter top-up", c.Amount}}
}

// Paid reports a charge the card paid (and so has a receipt).
func (c Charge) Paid() bool {
	switch c.Status {
	case StatusCharged, StatusCredited, StatusDone, StatusRefunding, StatusRefunded:
		return true
	}
	return false
}

// ReceiptPDF renders a one-page receipt for a paid charge.
func ReceiptPDF(c Charge, company, serial string) ([]byte, error) {
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeLetter, Unit: gopdf.UnitPT})
	pdf.SetInfo(gopdf.PdfInfo{Title: "Receipt " + c.PublicID, Creator: "Indicia"})
	if err := pdf.AddTTFFontData("regular", goregular.TTF); err != nil {
		return nil, fmt.Errorf("payments: receipt font: %w", err)
	}
	if err := pdf.AddTTFFontData("bold", gobold.TTF); err != nil {
		return nil, fmt.Errorf("payments: receipt font: %w", err)
	}
	pdf.AddPage()
	y := 72.0
	text := func(font string, size float64, x float64, s string) {
		pdf.SetFont(font, "", size)
		pdf.SetXY(x, y)
		pdf.Cell(nil, s)
	}
	right := func(font string, size float64, s string) {
		pdf.SetFont(font, "", size)
		w, _ := pdf.MeasureTextWidth(s)
		pdf.SetXY(540-w, y)
		pdf.Cell(nil, s)
	}
	text("bold", 20, 72, "Indicia — Receipt")
	y += 36
	for _, kv := range [][2]string{
		{"Receipt", c.PublicID},
		{"Date", c.CreatedAt.UTC().Format(time.RFC1123)},
		{"Billed to", company},
		{"Meter", serial},
		{"Card", fmt.Sprintf("%s ending %s", c.CardBrand, c.CardLast4)},
		{"Stripe payment", c.PaymentIntentID},
	} {
		text("bold", 11, 72, kv[0])
		text("regular", 11, 180, kv[1])
		y += 18
	}
	y += 18
	pdf.Line(72, y, 540, y)
	y += 10
	for _, l := range c.Lines() {
		text("regular", 12, 72, l.Label)
		right("regular", 12, money(l.Amount))
		y += 20
	}
	pdf.Line(72, y, 540, y)
	y += 10
	text("bold", 12, 72, "Total charged")
	right("bold", 12, money(c.Amount))
	if c.Refunded > 0 {
		y += 20
		text("regular", 12, 72, "Refunded to the card")
		right("regular", 12, "-"+money(c.Refunded))
	}
	var buf bytes.Buffer
	if _, err := pdf.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("payments: write receipt: %w", err)
	}
	return buf.Bytes(), nil
}
