package address

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// LoadReferenceFile reads a reference file from disk (LoadReference);
// a name ending in .gz is gunzipped.
func LoadReferenceFile(path string) (*ReferenceFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("address: reference file: %w", err)
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 1<<16)
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("address: reference file %s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	ref, err := LoadReference(r)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return ref, nil
}

// ConvertStats counts a conversion's rows.
type ConvertStats struct {
	Written, Skipped int
	// FirstSkips are the first reasons rows were skipped, with their lines.
	FirstSkips []string
}

// ConvertOpenAddresses turns an OpenAddresses CSV extract (columns NUMBER,
// STREET, UNIT, CITY, REGION, POSTCODE in any order; the public, openly
// licensed address points many vendors build on) into a reference file of
// delivery points. OpenAddresses has no ZIP+4, so zip4 is empty unless the
// POSTCODE is written ZIP+4. Rows without a number, a street or a 5-digit
// ZIP are skipped and counted.
func ConvertOpenAddresses(r io.Reader, w io.Writer) (ConvertStats, error) {
	var st ConvertStats
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return st, fmt.Errorf("address: reading the OpenAddresses header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToUpper(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"NUMBER", "STREET", "POSTCODE"} {
		if _, ok := col[need]; !ok {
			return st, fmt.Errorf("address: the OpenAddresses header lacks %s (it has %s)", need, strings.Join(head, ","))
		}
	}
	get := func(rec []string, name string) string {
		i, ok := col[name]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"delivery_line", "city", "state", "zip", "zip4"}); err != nil {
		return st, err
	}
	skip := func(line int, why string) {
		st.Skipped++
		if len(st.FirstSkips) < 10 {
			st.FirstSkips = append(st.FirstSkips, fmt.Sprintf("line %d: %s", line, why))
		}
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return st, fmt.Errorf("address: OpenAddresses line %d: %w", line, err)
		}
		num, street, unit := get(rec, "NUMBER"), get(rec, "STREET"), get(rec, "UNIT")
		zip, zip4, _ := strings.Cut(strings.ReplaceAll(get(rec, "POSTCODE"), " ", ""), "-")
		switch {
		case num == "" || street == "":
			skip(line, "no house number or street")
			continue
		case len(zip) != 5 || !allDigits(zip):
			skip(line, fmt.Sprintf("POSTCODE %q is not a ZIP", get(rec, "POSTCODE")))
			continue
		}
		if len(zip4) != 4 || !allDigits(zip4) {
			zip4 = ""
		}
		dl := num + " " + street
		if unit != "" {
			if hasDigit(unit[:1]) {
				unit = "# " + unit // a bare unit number
			}
			dl += " " + unit
		}
		if err := cw.Write([]string{dl, get(rec, "CITY"), get(rec, "REGION"), zip, zip4}); err != nil {
			return st, err
		}
		st.Written++
	}
	cw.Flush()
	return st, cw.Error()
}
