package rating

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// zip3Entry is the centroid of one 3-digit ZIP prefix.
type zip3Entry struct {
	lat, lon float64 // radians
	state    string
	ok       bool
}

// zipTable is indexed by the ZIP3 number for an allocation-free lookup.
type zipTable [1000]zip3Entry

// Zone distance bands, in miles between ZIP3 centres (USPS: zones are
// "based on the distance between the origin and destination ZIP Code
// prefixes"; Zone 1 up to 50 miles, 2: 51-150, 3: 151-300, 4: 301-600,
// 5: 601-1000, 6: 1001-1400, 7: 1401-1800, 8: over 1800).
var zoneBandMiles = [...]float64{50, 150, 300, 600, 1000, 1400, 1800}

// offMainland are states priced as zone 8 from anywhere else (USPS zone
// charts put Alaska, Hawaii and Puerto Rico at zone 8 from the contiguous
// states); within one of them the distance decides.
var offMainland = map[string]bool{"AK": true, "HI": true, "PR": true, "VI": true, "GU": true, "AS": true, "MP": true}

func parseZip3(name string, data []byte) (*zipTable, error) {
	t := new(zipTable)
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		if line == 1 {
			if sc.Text() != "zip3,lat,lon,state" {
				return nil, fmt.Errorf("rating: table %s: unexpected header %q", name, sc.Text())
			}
			continue
		}
		f := strings.Split(sc.Text(), ",")
		if len(f) != 4 || len(f[0]) != 3 {
			return nil, fmt.Errorf("rating: table %s line %d: want zip3,lat,lon,state", name, line)
		}
		n, err1 := strconv.Atoi(f[0])
		lat, err2 := strconv.ParseFloat(f[1], 64)
		lon, err3 := strconv.ParseFloat(f[2], 64)
		if err1 != nil || err2 != nil || err3 != nil || n < 0 || n > 999 {
			return nil, fmt.Errorf("rating: table %s line %d: bad number", name, line)
		}
		t[n] = zip3Entry{lat: lat * math.Pi / 180, lon: lon * math.Pi / 180, state: f[3], ok: true}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("rating: table %s: %w", name, err)
	}
	if line < 2 {
		return nil, fmt.Errorf("rating: table %s: empty", name)
	}
	return t, nil
}

// zip3Of validates a ZIP ("12345" or "12345-6789") and returns its prefix.
func zip3Of(zip string) (int, bool) {
	if len(zip) != 5 && !(len(zip) == 10 && zip[5] == '-') {
		return 0, false
	}
	n := 0
	for i := 0; i < len(zip); i++ {
		if i == 5 {
			continue
		}
		c := zip[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if i < 3 {
			n = n*10 + int(c-'0')
		}
	}
	return n, true
}

func (t *zipTable) lookup(field, zip string) (*zip3Entry, *FieldError) {
	label := "origin"
	if field == "dest_zip" {
		label = "destination"
	}
	if zip == "" {
		return nil, fieldErr(field, "%s ZIP is required", label)
	}
	n, ok := zip3Of(zip)
	if !ok {
		return nil, fieldErr(field, "%s ZIP %q must be 5 digits (or ZIP+4 as 12345-6789)", label, zip)
	}
	e := &t[n]
	if !e.ok {
		return nil, fieldErr(field, "unknown %s ZIP %s", label, zip)
	}
	return e, nil
}

// Zone returns the USPS zone (1-8) between two ZIP codes.
func (r *Rater) Zone(originZIP, destZIP string) (int, error) {
	o, ferr := r.zips.lookup("origin_zip", originZIP)
	if ferr != nil {
		return 0, ferr
	}
	d, ferr := r.zips.lookup("dest_zip", destZIP)
	if ferr != nil {
		return 0, ferr
	}
	return zoneBetween(o, d), nil
}

func zoneBetween(o, d *zip3Entry) int {
	if o == d {
		return 1 // same ZIP3: the local zone, priced as zone 1
	}
	if o.state != d.state && (offMainland[o.state] || offMainland[d.state]) {
		return 8
	}
	miles := greatCircleMiles(o, d)
	for i, b := range zoneBandMiles {
		if miles <= b {
			return i + 1
		}
	}
	return 8
}

func greatCircleMiles(a, b *zip3Entry) float64 {
	const earthMiles = 3958.8
	dLat, dLon := b.lat-a.lat, b.lon-a.lon
	s1, s2 := math.Sin(dLat/2), math.Sin(dLon/2)
	h := s1*s1 + math.Cos(a.lat)*math.Cos(b.lat)*s2*s2
	return 2 * earthMiles * math.Asin(math.Sqrt(h))
}
