package reports

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// fundLabels are the funding kinds as the statement prints them.
var fundLabels = map[string]string{
	FundOpening: "Balance brought in", FundTopUp: "Top-ups", FundAutoRefill: "Auto-refills", FundTrickleCharge: "Trickle charges",
	FundAdminCredit: "Credits", FundVoidRefund: "Void refunds", FundTakenBack: "Refunds/disputes taken back", FundPurchase: "Postage bought",
}

func money(c int64) string {
	if c < 0 {
		return "-$" + Dollars(-c)
	}
	return "$" + Dollars(c)
}

// StatementPDF renders the statement on letter pages: the balances, each
// meter's activity, spend by cost code and the card charges.
func StatementPDF(st Statement) ([]byte, error) {
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeLetter, Unit: gopdf.UnitPT})
	pdf.SetInfo(gopdf.PdfInfo{Title: "Statement " + st.Month.Format("January 2006"), Creator: "Indicia"})
	if err := pdf.AddTTFFontData("regular", goregular.TTF); err != nil {
		return nil, fmt.Errorf("reports: statement font: %w", err)
	}
	if err := pdf.AddTTFFontData("bold", gobold.TTF); err != nil {
		return nil, fmt.Errorf("reports: statement font: %w", err)
	}
	pdf.AddPage()
	y := 72.0
	line := func(font string, size, x float64, s string) {
		pdf.SetFont(font, "", size)
		pdf.SetXY(x, y)
		pdf.Cell(nil, s)
	}
	right := func(font string, size, edge float64, s string) {
		pdf.SetFont(font, "", size)
		w, _ := pdf.MeasureTextWidth(s)
		pdf.SetXY(edge-w, y)
		pdf.Cell(nil, s)
	}
	next := func(dy float64) {
		y += dy
		if y > 720 {
			pdf.AddPage()
			y = 72
		}
	}
	row := func(label, amount string, bold bool) {
		font := "regular"
		if bold {
			font = "bold"
		}
		line(font, 11, 90, label)
		right(font, 11, 540, amount)
		next(16)
	}
	line("bold", 20, 72, "Indicia — Statement for "+st.Month.Format("January 2006"))
	next(30)
	line("regular", 11, 72, st.Company+" (account "+strconv.FormatInt(st.AccountID, 10)+")")
	next(26)
	row("Opening balance (all meters)", money(st.Opening), true)
	next(8)
	for _, m := range st.Meters {
		line("bold", 12, 72, "Meter "+m.Serial)
		next(18)
		row("Opening balance", money(m.Opening), false)
		for _, k := range FundKinds {
			if v, ok := m.ByKind[k]; ok {
				row(fundLabels[k], money(v), false)
			}
		}
		row("Closing balance", money(m.Closing), true)
		next(6)
	}
	line("bold", 12, 72, "Postage by cost code")
	next(18)
	for _, c := range st.CostCodes {
		row(c.Key+" ("+strconv.FormatInt(c.Pieces-c.VoidedPieces, 10)+" pieces kept)", money(c.Spend()), c.Key == "Total")
	}
	next(6)
	line("bold", 12, 72, "Charges to the card")
	next(18)
	if len(st.Charges) == 0 {
		row("None this month", "", false)
	}
	for _, c := range st.Charges {
		label := c.At.UTC().Format("Jan 2") + "  " + c.Kind + "  " + c.MeterSerial + "  " + c.PublicID
		row(label, money(c.Amount), false)
		if c.Refunded > 0 {
			row("    refunded to the card", money(-c.Refunded), false)
		}
	}
	next(8)
	row("Closing balance (all meters)", money(st.Closing), true)
	var buf bytes.Buffer
	if _, err := pdf.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("reports: write statement: %w", err)
	}
	return buf.Bytes(), nil
}
