package forecast

import "math"

// HoltWinters is additive Holt-Winters (level, trend and weekly season).
// Its smoothing constants are chosen per series from a small grid by the
// one-step-ahead squared error on the series itself.
type HoltWinters struct{}

// Name is the method's name as stored and shown.
func (HoltWinters) Name() string { return "holt_winters" }

var (
	alphas = []float64{0.05, 0.1, 0.2, 0.3, 0.5, 0.7}
	betas  = []float64{0, 0.01, 0.05, 0.1}
	gammas = []float64{0.05, 0.1, 0.2, 0.4}
)

// hwState is the model after the last observation.
type hwState struct {
	level, trend float64
	season       []float64 // season[t % Season]
	sse          float64
	n            int // one-step errors counted in sse
}

// fit runs the smoothing over y (at least two seasons) from the classic
// start: level the first week's mean, trend the change between the first two
// weeks' means per day, season the first week's deviations.
func fit(y []float64, a, b, g float64) hwState {
	var m1, m2 float64
	for i := range Season {
		m1 += y[i]
		m2 += y[Season+i]
	}
	m1, m2 = m1/Season, m2/Season
	st := hwState{level: m1, trend: (m2 - m1) / Season, season: make([]float64, Season)}
	for i := range Season {
		st.season[i] = y[i] - m1
	}
	for t := Season; t < len(y); t++ {
		s := st.season[t%Season]
		pred := st.level + st.trend + s
		e := y[t] - pred
		st.sse += e * e
		st.n++
		level := a*(y[t]-s) + (1-a)*(st.level+st.trend)
		st.trend = b*(level-st.level) + (1-b)*st.trend
		st.season[t%Season] = g*(y[t]-level) + (1-g)*s
		st.level = level
	}
	return st
}

// Forecast needs two full weeks. The interval is the usual approximation
// for additive Holt-Winters: the one-step error's spread grown by how the
// level and trend carry an error forward, σ²·(1 + Σⱼ (α + jαβ)²).
func (HoltWinters) Forecast(y []float64, h int) ([]Point, bool) {
	n := len(y)
	if n < 2*Season || h < 1 {
		return nil, false
	}
	best, ba, bb := hwState{sse: math.Inf(1)}, 0.0, 0.0
	for _, a := range alphas {
		for _, b := range betas {
			for _, g := range gammas {
				if st := fit(y, a, b, g); st.sse < best.sse {
					best, ba, bb = st, a, b
				}
			}
		}
	}
	sd := 0.0
	if best.n > 0 {
		sd = math.Sqrt(best.sse / float64(best.n))
	}
	out := make([]Point, h)
	var grow float64
	for i := range h {
		step := float64(i + 1)
		v := best.level + step*best.trend + best.season[(n+i)%Season]
		if i > 0 {
			c := ba + float64(i)*ba*bb
			grow += c * c
		}
		out[i] = interval(v, sd*math.Sqrt(1+grow))
	}
	return out, true
}
