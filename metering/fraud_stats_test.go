package metering

import "testing"

func TestRobustZKeepsWeeklyRhythmAndFindsJumps(t *testing.T) {
	// Eight weeks of weekdays at about 100 and weekends at 20.
	var hist []float64
	for d := range 56 {
		v := 100.0 + float64(d%5)
		if d%7 >= 5 {
			v = 20
		}
		hist = append(hist, v)
	}
	for _, tc := range []struct {
		x    float64
		jump bool
	}{{104, false}, {20, false}, {108, false}, {150, true}, {400, true}} {
		if z, jump := volumeJump(hist, tc.x); jump != tc.jump {
			t.Errorf("%v pieces: z %.2f jump %v, want %v", tc.x, z, jump, tc.jump)
		}
	}
	// Too little history says nothing; a flat history still has a unit.
	if _, jump := volumeJump(hist[:10], 1000); jump {
		t.Error("ten days of history judged a jump")
	}
	flat := make([]float64, 20)
	for i := range flat {
		flat[i] = 5
	}
	if _, jump := volumeJump(flat, 6); jump {
		t.Error("one piece above a flat history of 5 is a jump")
	}
	if _, jump := volumeJump(flat, 60); !jump {
		t.Error("60 after a flat 5 a day is not a jump")
	}
}

func TestFarFromOrigin(t *testing.T) {
	zone := func(a, b string) (int, error) {
		if a[:3] == "069" && b[:3] == "065" {
			return 1, nil
		}
		return 8, nil
	}
	for _, tc := range []struct {
		origin, scan string
		far          bool
	}{
		{"06901", "06902", false}, // same ZIP3
		{"06901", "06510", false}, // within the allowance
		{"06901", "90210", true},
		{"00000", "90210", false}, // a label without a chosen origin
		{"06901", "", false},      // nowhere said
	} {
		if far, _ := farFromOrigin(tc.origin, tc.scan, zone, 2); far != tc.far {
			t.Errorf("%s scanned at %q: far %v, want %v", tc.origin, tc.scan, far, tc.far)
		}
	}
	if far, _ := farFromOrigin("06901", "06510", nil, 2); !far {
		t.Error("without zones another ZIP3 is not far")
	}
	for loc, want := range map[string]string{"06901": "06901", "Stamford CT 06901-1234 plant": "06901", "Plant 123456": "", "Stamford": ""} {
		if got := scanZIP(loc); got != want {
			t.Errorf("scanZIP(%q) = %q, want %q", loc, got, want)
		}
	}
}
