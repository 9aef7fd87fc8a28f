package forecast

import (
	"math"
	"math/rand/v2"
	"testing"
)

// weekly is 16 weeks of a known pattern (busy Mondays, quiet weekends), a
// slow growth and noise.
func weekly(seed uint64, noise float64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	pattern := []float64{140, 120, 110, 105, 100, 30, 10}
	y := make([]float64, 16*Season)
	for t := range y {
		y[t] = pattern[t%Season] + 0.8*float64(t) + noise*r.NormFloat64()
	}
	return y
}

func TestHoltWintersBeatsSeasonalNaiveOnAWeeklyPattern(t *testing.T) {
	for seed := range uint64(5) {
		y := weekly(seed, 8)
		hw := Backtest(HoltWinters{}, y, 8, 14)
		sn := Backtest(SeasonalNaive{}, y, 8, 14)
		// Folds at 8..1 weeks back, 14 days each, the last fold cut at today.
		if hw.Days != 7*14+7 || sn.Days != hw.Days {
			t.Fatalf("days compared: %d and %d, want 105", hw.Days, sn.Days)
		}
		if !(hw.MAE < sn.MAE) || !(hw.MAPE < sn.MAPE) {
			t.Errorf("seed %d: Holt-Winters MAE %.2f MAPE %.1f%%, seasonal naive MAE %.2f MAPE %.1f%%", seed, hw.MAE, hw.MAPE, sn.MAE, sn.MAPE)
		}
	}
}

func TestForecastsFollowTheWeekAndCoverWhatHappens(t *testing.T) {
	y := weekly(7, 5)
	past, future := y[:len(y)-14], y[len(y)-14:]
	for _, m := range []Method{HoltWinters{}, SeasonalNaive{}} {
		pts, ok := m.Forecast(past, 14)
		if !ok || len(pts) != 14 {
			t.Fatalf("%s: %v %d points", m.Name(), ok, len(pts))
		}
		inside := 0
		for i, p := range pts {
			if p.Lower > p.Value || p.Upper < p.Value || p.Lower < 0 {
				t.Errorf("%s day %d: interval %+v", m.Name(), i, p)
			}
			if future[i] >= p.Lower && future[i] <= p.Upper {
				inside++
			}
		}
		// A 95% interval holds most of two weeks of honest noise.
		if inside < 11 {
			t.Errorf("%s: %d of 14 actual days inside the interval", m.Name(), inside)
		}
		// The busy first weekday stays busier than the quiet last one.
		busy, quiet := (Season-len(past)%Season)%Season, (Season-len(past)%Season+6)%Season
		if pts[busy].Value < pts[quiet].Value+100 {
			t.Errorf("%s: busy day %.0f, quiet day %.0f", m.Name(), pts[busy].Value, pts[quiet].Value)
		}
	}
	// The exact weekly repetition is what seasonal naive says by definition.
	pts, _ := SeasonalNaive{}.Forecast([]float64{1, 2, 3, 4, 5, 6, 7}, 8)
	for i, want := range []float64{1, 2, 3, 4, 5, 6, 7, 1} {
		if pts[i].Value != want {
			t.Errorf("naive day %d = %v, want %v", i, pts[i].Value, want)
		}
	}
}

func TestShortOrEmptyHistory(t *testing.T) {
	if _, ok := (HoltWinters{}).Forecast(make([]float64, 13), 14); ok {
		t.Error("Holt-Winters forecast from less than two weeks")
	}
	if _, ok := (SeasonalNaive{}).Forecast(make([]float64, 6), 14); ok {
		t.Error("seasonal naive forecast from less than a week")
	}
	// A silent origin forecasts zero, and its MAPE is not a number.
	zero := make([]float64, 70)
	pts, ok := HoltWinters{}.Forecast(zero, 3)
	if !ok || pts[0].Value != 0 || pts[0].Upper != 0 {
		t.Errorf("zeros forecast %+v", pts)
	}
	if a := Backtest(HoltWinters{}, zero, 8, 7); !math.IsNaN(a.MAPE) || a.MAE != 0 {
		t.Errorf("zeros backtest %+v", a)
	}
}
