// Command labelgen writes the generated part of package address's labelled test set
// (testdata/generated.jsonl): addresses assembled from real cities, states and
// ZIPs of data/zips.tsv.gz and the most common US street names, written in
// the styles people use (PO Box, rural route, units with and without '#',
// lower case, missing commas, several lines…), each with the components and
// standardized form it must parse to. Its spelling tables are its own, not
// the package's, so the test checks the parser against an independent
// statement of Publication 28.
//
// Usage: go run ./hygiene/address/internal/labelgen > hygiene/address/testdata/generated.jsonl
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strings"
)

type zipRow struct{ zip, state, city string }

// Case is one labelled address.
type Case struct {
	Case         string      `json:"case"`
	Input        string      `json:"input"`
	Components   [][2]string `json:"components"`
	Standardized string      `json:"standardized"`
}

// The twenty most common US street names (National League of Cities survey).
var streets = []string{"Second", "Third", "First", "Fourth", "Park", "Fifth", "Main", "Sixth", "Oak", "Seventh", "Pine", "Maple", "Cedar", "Eighth", "Elm", "View", "Washington", "Ninth", "Lake", "Hill"}

// suffix spellings → Publication 28 standard (independent of the package).
var suffixes = []struct {
	std   string
	forms []string
}{
	{"ST", []string{"St", "Street", "ST", "St.", "street"}},
	{"AVE", []string{"Ave", "Avenue", "Av", "AVE.", "avenue"}},
	{"RD", []string{"Rd", "Road", "RD", "rd."}},
	{"DR", []string{"Dr", "Drive", "DRIVE", "Dr."}},
	{"LN", []string{"Ln", "Lane", "LANE"}},
	{"BLVD", []string{"Blvd", "Boulevard", "Boul", "BLVD."}},
	{"CT", []string{"Ct", "Court", "COURT"}},
	{"PL", []string{"Pl", "Place"}},
	{"CIR", []string{"Cir", "Circle", "Circ"}},
	{"TER", []string{"Ter", "Terrace", "Terr"}},
	{"PKWY", []string{"Pkwy", "Parkway", "Pky"}},
	{"WAY", []string{"Way", "WAY"}},
	{"TRL", []string{"Trl", "Trail"}},
	{"HWY", []string{"Hwy", "Highway"}},
}

var dirs = []struct{ std, long string }{{"N", "North"}, {"S", "South"}, {"E", "East"}, {"W", "West"}, {"NE", "Northeast"}, {"NW", "Northwest"}, {"SE", "Southeast"}, {"SW", "Southwest"}}

var units = []struct {
	std   string
	forms []string
}{
	{"APT", []string{"Apt", "Apartment", "APT", "apt.", "Apt."}},
	{"STE", []string{"Ste", "Suite", "STE.", "suite"}},
	{"UNIT", []string{"Unit"}},
	{"RM", []string{"Rm", "Room"}},
	{"FL", []string{"Fl", "Floor"}},
	{"BLDG", []string{"Bldg", "Building"}},
	{"TRLR", []string{"Trlr", "Trailer"}},
	{"LOT", []string{"Lot"}},
}

var states = map[string]string{"AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "PR": "Puerto Rico", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming"}

var firstNames = []string{"Maria", "James", "Linda", "Robert", "Ana", "David", "Susan", "Wei", "Fatima", "Jose"}
var lastNames = []string{"Smith", "Johnson", "Garcia", "Nguyen", "Brown", "Rivera", "Lee", "Patel", "Kim", "Lopez"}
var firms = []string{"Acme Corp", "Blue River LLC", "Northwind Inc", "Harbor Dental Group", "Summit Partners LLP"}

func main() {
	if err := run(); err != nil {
		slog.Error("labelgen failed", "err", err)
		os.Exit(1)
	}
}

func run() error {
	rows, err := readZips("hygiene/address/data/zips.tsv.gz")
	if err != nil {
		return err
	}
	var civil, mil, pr []zipRow
	for _, r := range rows {
		switch {
		case r.state == "AA" || r.state == "AE" || r.state == "AP":
			mil = append(mil, r)
		case r.state == "PR":
			pr = append(pr, r)
		case states[r.state] != "":
			civil = append(civil, r)
		}
	}
	rng := rand.New(rand.NewPCG(2026, 6))
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	g := &gen{rng: rng}
	for _, r := range civil {
		g.cities = append(g.cities, title(r.city))
	}
	kinds := []func(zipRow) Case{g.street, g.streetUnit, g.streetDirs, g.poBox, g.rural, g.multiLine, g.fraction, g.fullState}
	for i := 0; i < 440; i++ {
		k := kinds[i%len(kinds)]
		if err := enc.Encode(k(civil[rng.IntN(len(civil))])); err != nil {
			return fmt.Errorf("labelgen: %w", err)
		}
	}
	for i := 0; i < 30; i++ {
		if err := enc.Encode(g.military(mil[rng.IntN(len(mil))])); err != nil {
			return fmt.Errorf("labelgen: %w", err)
		}
	}
	for i := 0; i < 30; i++ {
		if err := enc.Encode(g.puertoRico(pr[rng.IntN(len(pr))])); err != nil {
			return fmt.Errorf("labelgen: %w", err)
		}
	}
	return nil
}

type gen struct {
	rng    *rand.Rand
	cities []string // real place names of the ZIP list, used as street names too
}

func (g *gen) pick(s []string) string { return s[g.rng.IntN(len(s))] }

// cased writes s as people do: Title, lower or UPPER case.
func (g *gen) cased(s string) string {
	switch g.rng.IntN(4) {
	case 0:
		return strings.ToLower(s)
	case 1:
		return strings.ToUpper(s)
	}
	return title(s)
}

func title(s string) string {
	w := strings.Fields(strings.ToLower(s))
	for i, x := range w {
		w[i] = strings.ToUpper(x[:1]) + x[1:]
	}
	return strings.Join(w, " ")
}

type builder struct {
	parts []string
	comps [][2]string
}

func (b *builder) add(text, label, std string) {
	if text != "" {
		b.parts = append(b.parts, text)
	}
	b.comps = append(b.comps, [2]string{label, std})
}

// lastLine writes "City, ST 12345" in one of several styles.
func (g *gen) lastLine(b *builder, r zipRow, comma bool) {
	city := g.cased(r.city)
	if comma {
		city += ","
	}
	b.add(city, "PlaceName", r.city)
	b.add(r.state, "StateName", r.state)
	b.add(r.zip, "ZipCode", r.zip)
}

func (g *gen) streetCore(b *builder) (num, name, sfx string) {
	num = fmt.Sprint(1 + g.rng.IntN(9899))
	name = g.pick(streets)
	if g.rng.IntN(3) == 0 {
		name = g.pick(g.cities) // many streets are named after towns
	}
	s := suffixes[g.rng.IntN(len(suffixes))]
	form := g.pick(s.forms)
	b.add(num, "AddressNumber", num)
	b.add(g.cased(name), "StreetName", strings.ToUpper(name))
	b.add(form, "StreetNamePostType", s.std)
	return num, strings.ToUpper(name), s.std
}

func (g *gen) done(kind string, b *builder, std string) Case {
	return Case{Case: kind, Input: strings.Join(b.parts, " "), Components: b.comps, Standardized: std}
}

func (g *gen) street(r zipRow) Case {
	var b builder
	n, s, t := g.streetCore(&b)
	comma := g.rng.IntN(2) == 0
	if comma {
		b.parts[len(b.parts)-1] += ","
	}
	g.lastLine(&b, r, comma)
	return g.done("street", &b, fmt.Sprintf("%s %s %s, %s %s %s", n, s, t, r.city, r.state, r.zip))
}

func (g *gen) streetUnit(r zipRow) Case {
	var b builder
	n, s, t := g.streetCore(&b)
	id := fmt.Sprint(1 + g.rng.IntN(400))
	if g.rng.IntN(3) == 0 {
		id += string(rune('A' + g.rng.IntN(6)))
	}
	var ustd string
	switch g.rng.IntN(4) {
	case 0: // "# 12" or "#12"
		if g.rng.IntN(2) == 0 {
			b.add("#"+strings.ToLower(id), "OccupancyType", "#")
		} else {
			b.add("# "+id, "OccupancyType", "#")
		}
		b.comps = append(b.comps, [2]string{"OccupancyIdentifier", id})
		ustd = "# " + id
	case 1: // "Apt #12"
		u := units[0]
		b.add(g.pick(u.forms)+" #"+id, "OccupancyType", u.std)
		b.comps = append(b.comps, [2]string{"OccupancyIdentifier", id})
		ustd = u.std + " " + id
	default:
		u := units[g.rng.IntN(len(units))]
		b.add(g.pick(u.forms), "OccupancyType", u.std)
		b.add(id, "OccupancyIdentifier", id)
		ustd = u.std + " " + id
	}
	comma := g.rng.IntN(2) == 0
	if comma {
		b.parts[len(b.parts)-1] += ","
	}
	g.lastLine(&b, r, comma)
	return g.done("street_unit", &b, fmt.Sprintf("%s %s %s %s, %s %s %s", n, s, t, ustd, r.city, r.state, r.zip))
}

func (g *gen) streetDirs(r zipRow) Case {
	var b builder
	num := fmt.Sprint(1 + g.rng.IntN(9899))
	b.add(num, "AddressNumber", num)
	d := dirs[g.rng.IntN(len(dirs))]
	pre := g.rng.IntN(2) == 0
	dform := d.std
	if g.rng.IntN(2) == 0 {
		dform = d.long
	}
	if pre {
		b.add(dform, "StreetNamePreDirectional", d.std)
	}
	name := g.pick(streets)
	s := suffixes[g.rng.IntN(len(suffixes))]
	b.add(g.cased(name), "StreetName", strings.ToUpper(name))
	b.add(g.pick(s.forms), "StreetNamePostType", s.std)
	std := num + " "
	if pre {
		std += d.std + " "
	}
	std += strings.ToUpper(name) + " " + s.std
	if !pre {
		b.add(dform, "StreetNamePostDirectional", d.std)
		std += " " + d.std
	}
	b.parts[len(b.parts)-1] += ","
	g.lastLine(&b, r, true)
	return g.done("directional", &b, fmt.Sprintf("%s, %s %s %s", std, r.city, r.state, r.zip))
}

func (g *gen) poBox(r zipRow) Case {
	var b builder
	id := fmt.Sprint(1 + g.rng.IntN(99999))
	b.add(g.pick([]string{"PO Box", "P.O. Box", "P O Box", "po box", "POB", "Post Office Box", "P.O. BOX", "Box"}), "USPSBoxType", "PO BOX")
	b.add(id, "USPSBoxID", id)
	comma := g.rng.IntN(2) == 0
	if comma {
		b.parts[len(b.parts)-1] += ","
	}
	g.lastLine(&b, r, comma)
	return g.done("po_box", &b, fmt.Sprintf("PO BOX %s, %s %s %s", id, r.city, r.state, r.zip))
}

func (g *gen) rural(r zipRow) Case {
	var b builder
	grp := fmt.Sprint(1 + g.rng.IntN(30))
	box := fmt.Sprint(1 + g.rng.IntN(999))
	typ := "RR"
	if g.rng.IntN(2) == 0 {
		b.add(g.pick([]string{"RR", "Rural Route", "R.R.", "RFD", "rr"}), "USPSBoxGroupType", "RR")
	} else {
		typ = "HC"
		b.add(g.pick([]string{"HC", "Highway Contract", "HCR", "hc"}), "USPSBoxGroupType", "HC")
	}
	b.add(grp, "USPSBoxGroupID", grp)
	b.add(g.pick([]string{"Box", "BOX", "box"}), "USPSBoxType", "BOX")
	b.add(box, "USPSBoxID", box)
	b.parts[len(b.parts)-1] += ","
	g.lastLine(&b, r, g.rng.IntN(2) == 0)
	return g.done("rural_route", &b, fmt.Sprintf("%s %s BOX %s, %s %s %s", typ, grp, box, r.city, r.state, r.zip))
}

func (g *gen) multiLine(r zipRow) Case {
	var lines []string
	var comps [][2]string
	name := g.pick(firstNames) + " " + g.pick(lastNames)
	lines = append(lines, name)
	comps = append(comps, [2]string{"Recipient", strings.ToUpper(name)})
	std := ""
	if g.rng.IntN(2) == 0 {
		f := g.pick(firms)
		lines = append(lines, f)
		comps = append(comps, [2]string{"Firm", strings.ToUpper(f)})
	}
	var b builder
	n, s, t := g.streetCore(&b)
	std = fmt.Sprintf("%s %s %s", n, s, t)
	if g.rng.IntN(2) == 0 {
		id := fmt.Sprint(100 + g.rng.IntN(900))
		b.add("Suite "+id, "OccupancyType", "STE")
		b.comps = append(b.comps, [2]string{"OccupancyIdentifier", id})
		std += " STE " + id
	}
	lines = append(lines, strings.Join(b.parts, " "))
	comps = append(comps, b.comps...)
	var l builder
	g.lastLine(&l, r, g.rng.IntN(2) == 0)
	lines = append(lines, strings.Join(l.parts, " "))
	comps = append(comps, l.comps...)
	return Case{Case: "multi_line", Input: strings.Join(lines, "\n"), Components: comps, Standardized: fmt.Sprintf("%s, %s %s %s", std, r.city, r.state, r.zip)}
}

func (g *gen) fraction(r zipRow) Case {
	var b builder
	std := ""
	if g.rng.IntN(2) == 0 {
		num := fmt.Sprint(1 + g.rng.IntN(999))
		b.add(num, "AddressNumber", num)
		b.add("1/2", "AddressNumberSuffix", "1/2")
		std = num + " 1/2"
	} else {
		num := fmt.Sprintf("%d-%02d", 10+g.rng.IntN(190), 1+g.rng.IntN(99))
		b.add(num, "AddressNumber", num)
		std = num
	}
	name := g.pick(streets)
	s := suffixes[g.rng.IntN(len(suffixes))]
	b.add(g.cased(name), "StreetName", strings.ToUpper(name))
	b.add(g.pick(s.forms), "StreetNamePostType", s.std)
	b.parts[len(b.parts)-1] += ","
	g.lastLine(&b, r, true)
	return g.done("house_number", &b, fmt.Sprintf("%s %s %s, %s %s %s", std, strings.ToUpper(name), s.std, r.city, r.state, r.zip))
}

func (g *gen) fullState(r zipRow) Case {
	var b builder
	n, s, t := g.streetCore(&b)
	b.parts[len(b.parts)-1] += ","
	b.add(g.cased(r.city)+",", "PlaceName", r.city)
	b.add(g.cased(states[r.state]), "StateName", r.state)
	zip4 := fmt.Sprintf("%04d", 1+g.rng.IntN(9998))
	b.add(r.zip+"-"+zip4, "ZipCode", r.zip)
	b.comps = append(b.comps, [2]string{"ZipPlus4", zip4})
	return g.done("state_name_zip4", &b, fmt.Sprintf("%s %s %s, %s %s %s-%s", n, s, t, r.city, r.state, r.zip, zip4))
}

func (g *gen) military(r zipRow) Case {
	var b builder
	grpType := g.pick([]string{"PSC", "UNIT", "CMR"})
	grp := fmt.Sprint(100 + g.rng.IntN(9000))
	box := fmt.Sprint(1 + g.rng.IntN(9999))
	b.add(grpType, "USPSBoxGroupType", grpType)
	b.add(grp, "USPSBoxGroupID", grp)
	b.add("Box", "USPSBoxType", "BOX")
	b.add(box, "USPSBoxID", box)
	b.add(r.city, "PlaceName", r.city)
	b.add(r.state, "StateName", r.state)
	b.add(r.zip, "ZipCode", r.zip)
	return g.done("military", &b, fmt.Sprintf("%s %s BOX %s, %s %s %s", grpType, grp, box, r.city, r.state, r.zip))
}

var urbs = []string{"Las Gladiolas", "Villa Carolina", "Santa Rosa", "Los Maestros", "Jardines de Country Club", "Valle Verde"}

func (g *gen) puertoRico(r zipRow) Case {
	urb := g.pick(urbs)
	num := fmt.Sprint(1 + g.rng.IntN(2000))
	calle := g.pick([]string{"A", "B", "1", "12", "Luna", "Sol", "Flor de Maga"})
	lines := []string{g.pick([]string{"URB ", "Urb ", "Urb. ", "Urbanizacion "}) + urb, num + " Calle " + calle, title(r.city) + " PR " + r.zip}
	comps := [][2]string{{"Urbanization", strings.ToUpper(urb)}, {"AddressNumber", num}, {"StreetNamePreType", "CALLE"}, {"StreetName", strings.ToUpper(calle)}, {"PlaceName", r.city}, {"StateName", "PR"}, {"ZipCode", r.zip}}
	in := strings.Join(lines, "\n")
	if g.rng.IntN(2) == 0 {
		in = strings.Join(lines, " ")
	}
	return Case{Case: "puerto_rico", Input: in, Components: comps, Standardized: fmt.Sprintf("URB %s, %s CALLE %s, %s PR %s", strings.ToUpper(urb), num, strings.ToUpper(calle), r.city, r.zip)}
}

func readZips(path string) ([]zipRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("labelgen: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("labelgen: %w", err)
	}
	var out []zipRow
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		p := strings.Split(sc.Text(), "\t")
		if len(p) == 3 {
			out = append(out, zipRow{p[0], p[1], p[2]})
		}
	}
	return out, sc.Err()
}
