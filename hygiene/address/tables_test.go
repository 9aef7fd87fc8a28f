package address

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestPub28C1Table(t *testing.T) {
	tb := loadTables()
	rows := tableRows(pub28C1)
	if len(rows) != pub28C1Primaries {
		t.Fatalf("Appendix C1 has %d primary names, transcription says %d", len(rows), pub28C1Primaries)
	}
	seen := map[string]bool{}
	for _, r := range rows {
		f := strings.Fields(r)
		if len(f) < 2 {
			t.Fatalf("C1 row %q: want PRIMARY STANDARD [common…]", r)
		}
		if seen[f[0]] {
			t.Errorf("C1 primary %s listed twice", f[0])
		}
		seen[f[0]] = true
		// Every standard abbreviation maps to itself, so standardizing is
		// idempotent: AVE stays AVE.
		if got := tb.suffix[f[1]].Standard; got != f[1] {
			t.Errorf("C1 standard %s maps to %q, want itself", f[1], got)
		}
		if got := tb.suffix[f[0]].Standard; got != f[1] {
			t.Errorf("C1 primary %s maps to %q, want %s", f[0], got, f[1])
		}
		if len(f[1]) > 4 || len(f[1]) < 2 {
			t.Errorf("C1 standard %q: Publication 28 abbreviations are 2–4 letters", f[1])
		}
	}
	for k, v := range map[string]string{"AVENUE": "AVE", "STREET": "ST", "BOULEVARD": "BLVD", "CROSSING": "XING", "PARKWAY": "PKWY", "HIGHWAY": "HWY", "TERRACE": "TER", "EXPRESSWAY": "EXPY", "TRAILER": "TRLR"} {
		if got := tb.suffix[k].Standard; got != v {
			t.Errorf("suffix %s = %q, want %s", k, got, v)
		}
	}
}

func TestPub28C2Table(t *testing.T) {
	tb := loadTables()
	rows := tableRows(pub28C2)
	if len(rows) != 24 {
		t.Fatalf("Appendix C2 has 24 designators, table has %d", len(rows))
	}
	for _, r := range rows {
		f := strings.Fields(r)
		if len(f) != 3 || (f[2] != "Y" && f[2] != "N") {
			t.Fatalf("C2 row %q: want NAME ABBR Y|N", r)
		}
		if tb.unit[f[1]].Standard != f[1] || tb.unit[f[0]].Standard != f[1] {
			t.Errorf("C2 %s/%s do not both map to %s", f[0], f[1], f[1])
		}
	}
	if tb.unit["SUITE"].Standard != "STE" || !tb.unit["APT"].NeedsRange || tb.unit["REAR"].NeedsRange {
		t.Error("C2 spot checks failed: SUITE→STE, APT needs a number, REAR does not")
	}
}

func TestPub28BTable(t *testing.T) {
	tb := loadTables()
	rows := tableRows(pub28B)
	// 50 states, DC, 5 possessions, 3 freely associated states, 3 Armed
	// Forces codes.
	if len(rows) != 62 || len(tb.stateCode) != 62 {
		t.Fatalf("Appendix B: %d rows, %d distinct codes, want 62", len(rows), len(tb.stateCode))
	}
	for _, r := range rows {
		name, code, ok := strings.Cut(r, "|")
		if !ok || len(code) != 2 || strings.ToUpper(code) != code || name == "" {
			t.Errorf("Appendix B row %q: want NAME|XX", r)
		}
	}
	// Every ZIP in the data is in a state of Appendix B.
	z, err := loadZips()
	if err != nil {
		t.Fatal(err)
	}
	for i := range z.entries {
		e := z.entry(int32(i))
		if _, ok := tb.stateCode[e.State]; !ok {
			t.Fatalf("ZIP %s has state %q, not in Appendix B", e.Zip, e.State)
		}
	}
}

func TestDirectionals(t *testing.T) {
	tb := loadTables()
	if len(tb.dir) != 16 {
		t.Fatalf("directionals: %d spellings, want 8 words + 8 abbreviations", len(tb.dir))
	}
	for k, v := range tb.dir {
		if tb.dir[v] != v || len(v) > 2 || len(k) < len(v) {
			t.Errorf("directional %s → %s is not a fixed point abbreviation", k, v)
		}
	}
}

func TestZipData(t *testing.T) {
	z, err := loadZips()
	if err != nil {
		t.Fatal(err)
	}
	if len(z.entries) < 40000 {
		t.Fatalf("ZIP data has %d ZIPs, want the whole country (>40,000)", len(z.entries))
	}
	for zip, want := range map[string]string{"90210": "BEVERLY HILLS CA", "10001": "NEW YORK NY", "00908": "SAN JUAN PR", "09499": "APO AE", "96278": "APO AP", "34002": "APO AA"} {
		e, ok := z.lookup(zip)
		if !ok || e.City+" "+e.State != want {
			t.Errorf("ZIP %s = %+v, want %s", zip, e, want)
		}
	}
	if n := len(z.zipsOf("IL", "SPRINGFIELD")); n < 2 {
		t.Errorf("SPRINGFIELD IL has %d ZIPs, want several", n)
	}
}

func TestOSADistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"SPRINGFIELD", "SPRINGFIELD", 0}, {"SPRINGFEILD", "SPRINGFIELD", 1}, {"SPRNGFIELD", "SPRINGFIELD", 1}, {"STRET", "STREET", 1}, {"BOSTON", "AUSTIN", 3}} {
		if got := osaDistance(c.a, c.b, 2); min(got, 3) != c.d {
			t.Errorf("osaDistance(%s, %s) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

// osaDistance looks only at the cells near the diagonal; a plain
// full-table distance must agree with it on every limit.
func TestOSADistanceAgreesWithFullTable(t *testing.T) {
	full := func(a, b string) int {
		d := make([][]int, len(a)+1)
		for i := range d {
			d[i] = make([]int, len(b)+1)
			d[i][0] = i
		}
		for j := range d[0] {
			d[0][j] = j
		}
		for i := 1; i <= len(a); i++ {
			for j := 1; j <= len(b); j++ {
				cost := 1
				if a[i-1] == b[j-1] {
					cost = 0
				}
				d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
				if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
					d[i][j] = min(d[i][j], d[i-2][j-2]+1)
				}
			}
		}
		return d[len(a)][len(b)]
	}
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = "ABCDE"[rng.IntN(5)]
		}
		return string(b)
	}
	for range 20000 {
		a, b := word(), word()
		want := full(a, b)
		for limit := 0; limit <= 4; limit++ {
			if got := osaDistance(a, b, limit); min(got, limit+1) != min(want, limit+1) || (want <= limit && got != want) {
				t.Fatalf("osaDistance(%q, %q, %d) = %d, full table %d", a, b, limit, got, want)
			}
		}
	}
}

// ordinal turns away words by their last two letters before looking them
// up: every word ordinal must end like one.
func TestWordOrdinalsEndLikeOrdinals(t *testing.T) {
	for w, n := range wordOrdinals {
		if got, ok := ordinal(w); !ok || got != n {
			t.Errorf("ordinal(%s) = %q, %v; want %q", w, got, ok, n)
		}
	}
}

// nearestCity skips cities by length and by their letters; it must find
// what comparing the name with every city of the state finds.
func TestNearestCityAgreesWithEveryCity(t *testing.T) {
	z, err := loadZips()
	if err != nil {
		t.Fatal(err)
	}
	every := func(state, name string, maxDist int) (string, bool) {
		best, bestD, ties := "", maxDist+1, 0
		for _, byLen := range z.stateCities[state] {
			for _, ci := range byLen {
				switch d := osaDistance(name, z.cityName(ci), maxDist); {
				case d < bestD:
					best, bestD, ties = z.cityName(ci), d, 1
				case d == bestD:
					ties++
				}
			}
		}
		return best, bestD <= maxDist && ties == 1
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, state := range []string{"TX", "IL", "PR", "VT", "AE"} {
		var cities []string
		for _, byLen := range z.stateCities[state] {
			for _, ci := range byLen {
				cities = append(cities, z.cityName(ci))
			}
		}
		for range 200 {
			b := []byte(cities[rng.IntN(len(cities))])
			for range 1 + rng.IntN(3) {
				switch i := rng.IntN(len(b) + 1); rng.IntN(3) {
				case 0:
					b = append(b[:i], append([]byte{"AEINORST "[rng.IntN(9)]}, b[i:]...)...)
				case 1:
					if i < len(b) {
						b = append(b[:i], b[i+1:]...)
					}
				default:
					if i+1 < len(b) {
						b[i], b[i+1] = b[i+1], b[i]
					}
				}
			}
			for maxDist := 1; maxDist <= 3; maxDist++ {
				gotC, gotOK := z.nearestCity(state, string(b), maxDist)
				wantC, wantOK := every(state, string(b), maxDist)
				if gotOK != wantOK || (wantOK && gotC != wantC) {
					t.Fatalf("nearestCity(%s, %q, %d) = %q, %v; every city: %q, %v", state, b, maxDist, gotC, gotOK, wantC, wantOK)
				}
			}
		}
	}
}
