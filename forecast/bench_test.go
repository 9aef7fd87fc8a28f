package forecast

import "testing"

// BenchmarkNightlyRunFor2000Origins is the arithmetic of one nightly run
// over 1,000 origin ZIPs and their ZIP3s (2,000 series of 16 weeks): both
// methods' 14-day forecasts and 8-week rolling backtests.
func BenchmarkNightlyRunFor2000Origins(b *testing.B) {
	series := make([][]float64, 2000)
	for i := range series {
		series[i] = weekly(uint64(i), 8)
	}
	methods := []Method{SeasonalNaive{}, HoltWinters{}}
	for b.Loop() {
		for _, y := range series {
			for _, m := range methods {
				m.Forecast(y, 14)
				Backtest(m, y, 8, 14)
			}
		}
	}
}
