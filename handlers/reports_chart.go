package handlers

import (
	"strconv"
	"strings"

	"indicia/reports"
	"indicia/views"
)

// Chart geometry in SVG user units; the SVG scales to its column.
const (
	chartW, chartH = 600, 220
	chartTop       = 18 // room for the scale's note
	chartBase      = chartH - 20
)

// spendChart draws spend (postage kept) per month as bars.
func spendChart(rows []reports.SummaryRow) views.BarChartVM {
	c := views.BarChartVM{Title: "Spend by month", Width: chartW, Height: chartH}
	var top int64
	for _, r := range rows {
		top = max(top, r.Spend())
	}
	c.MaxLabel = "max " + views.Money(top)
	if len(rows) == 0 {
		return c
	}
	slot := chartW / len(rows)
	for i, r := range rows {
		h := 0
		if top > 0 && r.Spend() > 0 {
			h = int(r.Spend() * int64(chartBase-chartTop) / top)
		}
		short := r.Key
		if len(short) == len("2006-01") {
			short = short[5:]
		}
		c.Bars = append(c.Bars, views.BarVM{X: i*slot + slot/6, Y: chartBase - h, W: max(1, slot*2/3), H: h, LabelX: i*slot + slot/6, LabelY: chartH - 6,
			Label: r.Key, Short: short, Value: views.Money(r.Spend())})
	}
	return c
}

// balanceChart draws the meters' balance at the end of each day with a
// movement as a line, and lists the same points.
func balanceChart(pts []reports.BalancePoint) views.LineChartVM {
	c := views.LineChartVM{Title: "Balance over time", Width: chartW, Height: chartH}
	if len(pts) == 0 {
		return c
	}
	lo, hi := pts[0].Balance, pts[0].Balance
	for _, p := range pts {
		lo, hi = min(lo, p.Balance), max(hi, p.Balance)
		c.Rows = append(c.Rows, [2]string{p.Day.Format("2006-01-02"), views.Money(p.Balance)})
	}
	lo = min(lo, 0)
	c.MaxLabel, c.MinLabel = "max "+views.Money(hi), views.Money(lo)
	span := hi - lo
	first, last := pts[0].Day, pts[len(pts)-1].Day
	days := last.Sub(first).Hours() / 24
	var b strings.Builder
	for _, p := range pts {
		x := 0
		if days > 0 {
			x = int(p.Day.Sub(first).Hours() / 24 / days * chartW)
		}
		y := chartBase
		if span > 0 {
			y = chartBase - int((p.Balance-lo)*int64(chartBase-chartTop)/span)
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(x) + "," + strconv.Itoa(y))
	}
	if len(pts) == 1 {
		b.WriteString(" " + strconv.Itoa(chartW) + "," + strings.Split(b.String(), ",")[1])
	}
	c.Points = b.String()
	return c
}
