package forecast

import "math"

// Accuracy is a method's measured error on the past.
type Accuracy struct {
	Method string
	// MAPE is the mean absolute percentage error over the days that had
	// volume (a day of zero has no percentage); NaN when none had.
	MAPE float64
	MAE  float64
	Days int // forecast days compared
}

// Backtest measures a method the way it is used: at each of the last folds
// weekly origins it forecasts the next horizon days from the data before
// the origin only, and compares them with what happened. The folds cover
// the last folds×Season days of y.
func Backtest(m Method, y []float64, folds, horizon int) Accuracy {
	acc := Accuracy{Method: m.Name(), MAPE: math.NaN()}
	var abs, pct float64
	pctDays := 0
	for f := folds; f >= 1; f-- {
		origin := len(y) - f*Season
		if origin < 1 {
			continue
		}
		pts, ok := m.Forecast(y[:origin], horizon)
		if !ok {
			continue
		}
		for i, p := range pts {
			t := origin + i
			if t >= len(y) {
				break
			}
			e := math.Abs(y[t] - p.Value)
			abs += e
			acc.Days++
			if y[t] > 0 {
				pct += e / y[t]
				pctDays++
			}
		}
	}
	if acc.Days > 0 {
		acc.MAE = abs / float64(acc.Days)
	}
	if pctDays > 0 {
		acc.MAPE = 100 * pct / float64(pctDays)
	}
	return acc
}
