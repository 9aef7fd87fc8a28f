package views

import (
	"math"
	"strconv"
	"strings"
)

// Charts are plain SVG drawn on the server: they need no script, and the
// page puts the same numbers in a table beside them. Colours come from
// classes in app.css (the CSP allows no inline styles).
const (
	chartW, chartH             = 640, 240
	chartLeft, chartRight      = 48, 8
	chartTop, chartBottom      = 8, 28
	chartPlotW, chartPlotH     = chartW - chartLeft - chartRight, chartH - chartTop - chartBottom
	barChartRow, barChartLabel = 22, 64
)

// chartDesc tells a screen reader where the chart's numbers are.
const chartDesc = "The same numbers are in the table on this page."

// ChartLine is one series of a line chart; NaN is a day without a value.
type ChartLine struct {
	Name, Class string
	Values      []float64
}

// ChartBand is a shaded interval (e.g. a forecast's 95% interval).
type ChartBand struct {
	Name, Class  string
	Lower, Upper []float64
}

// LineChartData is a line chart over labelled days.
type LineChartData struct {
	ID, Title string
	Labels    []string
	Lines     []ChartLine
	Band      *ChartBand
	// Unit formats a y-axis value (pieces or money).
	Money bool
	// At places each label along the x axis, 0 the left end and 1 the
	// right (days that are not evenly spaced); nil spaces them evenly.
	At []float64
}

func (c LineChartData) max() float64 {
	m := 0.0
	see := func(vs []float64) {
		for _, v := range vs {
			if !math.IsNaN(v) && v > m {
				m = v
			}
		}
	}
	for _, l := range c.Lines {
		see(l.Values)
	}
	if c.Band != nil {
		see(c.Band.Upper)
	}
	if m == 0 {
		return 1
	}
	return m
}

func (c LineChartData) x(i int) float64 {
	if i < len(c.At) {
		return chartLeft + c.At[i]*chartPlotW
	}
	if len(c.Labels) <= 1 {
		return chartLeft
	}
	return chartLeft + float64(i)*chartPlotW/float64(len(c.Labels)-1)
}

func (c LineChartData) y(v float64) float64 {
	return chartTop + chartPlotH - v/c.max()*chartPlotH
}

func pt(x, y float64) string {
	return strconv.FormatFloat(x, 'f', 1, 64) + "," + strconv.FormatFloat(y, 'f', 1, 64)
}

// Path is the SVG path of a line, broken where a value is missing.
func (c LineChartData) Path(l ChartLine) string {
	var b strings.Builder
	pen := false
	for i, v := range l.Values {
		if math.IsNaN(v) {
			pen = false
			continue
		}
		if pen {
			b.WriteString(" L")
		} else {
			b.WriteString(" M")
		}
		b.WriteString(pt(c.x(i), c.y(v)))
		pen = true
	}
	return strings.TrimSpace(b.String())
}

// BandPoints is the polygon of the band over the days it has values.
func (c LineChartData) BandPoints() string {
	if c.Band == nil {
		return ""
	}
	var up, down []string
	for i := range c.Band.Upper {
		if math.IsNaN(c.Band.Upper[i]) || math.IsNaN(c.Band.Lower[i]) {
			continue
		}
		up = append(up, pt(c.x(i), c.y(c.Band.Upper[i])))
		down = append([]string{pt(c.x(i), c.y(c.Band.Lower[i]))}, down...)
	}
	return strings.Join(append(up, down...), " ")
}

// ChartTick is one labelled position on an axis.
type ChartTick struct {
	X, Y  string
	Label string
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// YTicks are zero, half and the top of the y axis.
func (c LineChartData) YTicks() []ChartTick {
	var out []ChartTick
	for _, v := range []float64{0, c.max() / 2, c.max()} {
		label := strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
		if c.Money {
			label = Money(int64(math.Round(v)))
		}
		out = append(out, ChartTick{X: f1(chartLeft - 4), Y: f1(c.y(v) + 4), Label: label})
	}
	return out
}

// XTicks label the first, middle and last day.
func (c LineChartData) XTicks() []ChartTick {
	n := len(c.Labels)
	if n == 0 {
		return nil
	}
	idx := []int{0, n / 2, n - 1}
	if n < 3 {
		idx = idx[:1]
	}
	var out []ChartTick
	for _, i := range idx {
		out = append(out, ChartTick{X: f1(c.x(i)), Y: f1(chartH - 8), Label: c.Labels[i]})
	}
	return out
}

// BarChartData is a horizontal bar chart (e.g. top origins), or with
// Vertical a column chart over time (e.g. months).
type BarChartData struct {
	ID, Title string
	Labels    []string
	Values    []float64
	Money     bool
	Vertical  bool
	// Short is each column's label under it (Labels in full are in its
	// tooltip); nil: Labels.
	Short []string
}

func (c BarChartData) value(v float64) string {
	if c.Money {
		return Money(int64(v))
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// ChartColumn is one column laid out.
type ChartColumn struct {
	X, Y, W, H, LabelX, LabelY string
	Label, Short, Value        string
}

// YTicks are zero, half and the top of a column chart's y axis.
func (c BarChartData) YTicks() []ChartTick {
	return LineChartData{Lines: []ChartLine{{Values: c.Values}}, Money: c.Money}.YTicks()
}

// Columns lays out a column chart: a column per label across the plot, the
// tallest reaching the top.
func (c BarChartData) Columns() []ChartColumn {
	if len(c.Values) == 0 {
		return nil
	}
	scale := LineChartData{Lines: []ChartLine{{Values: c.Values}}}
	slot := float64(chartPlotW) / float64(len(c.Values))
	var out []ChartColumn
	for i, v := range c.Values {
		short := c.Labels[i]
		if i < len(c.Short) {
			short = c.Short[i]
		}
		x := chartLeft + float64(i)*slot
		y := scale.y(math.Max(v, 0))
		out = append(out, ChartColumn{X: f1(x + slot/6), Y: f1(y), W: f1(math.Max(1, slot*2/3)), H: f1(chartTop + chartPlotH - y),
			LabelX: f1(x + slot/2), LabelY: f1(chartH - 8), Label: c.Labels[i], Short: short, Value: c.value(v)})
	}
	return out
}

// ChartBar is one bar laid out.
type ChartBar struct {
	Y, W, TextY, ValueX string
	Label, Value        string
}

// Height is the chart's height for its rows.
func (c BarChartData) Height() string { return strconv.Itoa(len(c.Labels)*barChartRow + 4) }

// Bars lays out the bars, the longest filling the width.
func (c BarChartData) Bars() []ChartBar {
	m := 0.0
	for _, v := range c.Values {
		m = math.Max(m, v)
	}
	if m == 0 {
		m = 1
	}
	avail := float64(chartW - barChartLabel - 80)
	var out []ChartBar
	for i, v := range c.Values {
		w := v / m * avail
		y := float64(i*barChartRow + 2)
		out = append(out, ChartBar{Y: f1(y), W: f1(w), TextY: f1(y + 14), ValueX: f1(barChartLabel + w + 4), Label: c.Labels[i], Value: c.value(v)})
	}
	return out
}
