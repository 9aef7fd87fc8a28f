package metering

import (
	"math"
	"slices"
)

// Thresholds of the daily volume jump (robust z-score over the meter's own
// history, Iglewicz and Hoaglin's modified z: 0.6745·(x − median) / MAD).
const (
	JumpHistoryDays = 56  // the last 8 weeks before the day judged
	JumpMinHistory  = 14  // fewer days of history say nothing
	JumpMinPieces   = 20  // a day this small is never a jump worth a look
	JumpZ           = 3.5 // the usual cut-off for the modified z-score
)

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// robustZ is how far x lies above the history, in robust standard
// deviations: the median absolute deviation scaled to one standard deviation
// (×1.4826). When more than half the days are equal the MAD is zero, and the
// mean absolute deviation (×1.2533) stands in; when every day is equal, a
// single piece is the unit.
func robustZ(history []float64, x float64) float64 {
	med := median(history)
	dev := make([]float64, len(history))
	var sum float64
	for i, h := range history {
		dev[i] = math.Abs(h - med)
		sum += dev[i]
	}
	scale := 1.4826 * median(dev)
	if scale == 0 && len(history) > 0 {
		scale = 1.2533 * sum / float64(len(history))
	}
	if scale == 0 {
		scale = 1
	}
	return (x - med) / scale
}

// volumeJump judges one day's pieces against the meter's own history.
func volumeJump(history []float64, x float64) (z float64, jump bool) {
	if len(history) < JumpMinHistory {
		return 0, false
	}
	z = robustZ(history, x)
	return z, x >= JumpMinPieces && z > JumpZ
}
