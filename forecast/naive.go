package forecast

import "math"

// SeasonalNaive forecasts each day as the same weekday of the last week.
type SeasonalNaive struct{}

// Name is the method's name as stored and shown.
func (SeasonalNaive) Name() string { return "seasonal_naive" }

// Forecast needs one full week. The interval widens with each further week
// repeated: the spread of week-on-week changes, times √(weeks ahead).
func (SeasonalNaive) Forecast(y []float64, h int) ([]Point, bool) {
	n := len(y)
	if n < Season || h < 1 {
		return nil, false
	}
	var ss float64
	k := 0
	for t := Season; t < n; t++ {
		d := y[t] - y[t-Season]
		ss += d * d
		k++
	}
	sd := 0.0
	if k > 0 {
		sd = math.Sqrt(ss / float64(k))
	}
	out := make([]Point, h)
	for i := range h {
		weeks := float64(i/Season + 1)
		out[i] = interval(y[n-Season+i%Season], sd*math.Sqrt(weeks))
	}
	return out, true
}
