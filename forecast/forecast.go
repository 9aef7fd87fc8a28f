// Package forecast predicts a daily series with a weekly season: seasonal
// naive (the baseline: the same weekday last week) and additive Holt-Winters,
// each with a prediction interval, and measures both on the past with a
// rolling backtest. It is pure arithmetic: no database, no clock.
package forecast

import "math"

// Season is the length of the weekly season, in days.
const Season = 7

// z95 is the normal quantile of a two-sided 95% interval.
const z95 = 1.96

// Point is one forecast day: the expected value and its 95% interval
// (never below zero: volumes are counts).
type Point struct {
	Value, Lower, Upper float64
}

// Method forecasts h days after the series ends.
type Method interface {
	Name() string
	Forecast(series []float64, h int) ([]Point, bool)
}

func interval(v, sd float64) Point {
	p := Point{Value: math.Max(v, 0), Lower: math.Max(v-z95*sd, 0), Upper: math.Max(v+z95*sd, 0)}
	return p
}
