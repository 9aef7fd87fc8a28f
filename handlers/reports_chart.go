package handlers

import (
	"indicia/reports"
	"indicia/views"
)

// spendChart draws spend (postage kept) per month as columns, and lists
// the same numbers for the table beside it.
func spendChart(rows []reports.SummaryRow) (views.BarChartData, [][2]string) {
	c := views.BarChartData{ID: "spend-chart", Title: "Spend by month", Money: true, Vertical: true}
	var table [][2]string
	for _, r := range rows {
		short := r.Key
		if len(short) == len("2006-01") {
			short = short[5:]
		}
		c.Labels = append(c.Labels, r.Key)
		c.Short = append(c.Short, short)
		c.Values = append(c.Values, float64(r.Spend()))
		table = append(table, [2]string{r.Key, views.Money(r.Spend())})
	}
	return c, table
}

// balanceChart draws the meters' balance at the end of each day with a
// movement as a line, each day at its place in time, and lists the same
// points.
func balanceChart(pts []reports.BalancePoint) (views.LineChartData, [][2]string) {
	c := views.LineChartData{ID: "balance-chart", Title: "Balance over time", Money: true}
	line := views.ChartLine{Name: "Balance", Class: "series-balance"}
	var table [][2]string
	if len(pts) == 0 {
		return c, nil
	}
	first, last := pts[0].Day, pts[len(pts)-1].Day
	days := last.Sub(first).Hours() / 24
	for _, p := range pts {
		at := 0.0
		if days > 0 {
			at = p.Day.Sub(first).Hours() / 24 / days
		}
		c.Labels = append(c.Labels, p.Day.Format("01-02"))
		c.At = append(c.At, at)
		line.Values = append(line.Values, float64(p.Balance))
		table = append(table, [2]string{p.Day.Format("2006-01-02"), views.Money(p.Balance)})
	}
	if len(pts) == 1 {
		// One day is drawn as a level line across the chart.
		c.Labels = append(c.Labels, c.Labels[0])
		c.At = append(c.At, 1)
		line.Values = append(line.Values, line.Values[0])
	}
	c.Lines = []views.ChartLine{line}
	return c, table
}
