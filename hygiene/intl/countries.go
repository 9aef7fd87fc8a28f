package intl

import (
	"bufio"
	_ "embed"
	"sort"
	"strings"
)

//go:embed data/countries.tsv
var countriesTSV string

// Country is one ISO 3166-1 country.
type Country struct {
	Code string // alpha-2, upper case
	Name string // English short name
}

// domestic are the codes USPS delivers as US addresses: the territories and
// the freely associated states take a US state code and a ZIP, not a
// country line.
var domestic = map[string]bool{"US": true, "PR": true, "GU": true, "VI": true, "AS": true, "MP": true, "UM": true, "FM": true, "MH": true, "PW": true}

// countries are read once from the embedded list; the list is constant.
var countries, byCode = loadCountries()

func loadCountries() ([]Country, map[string]Country) {
	var list []Country
	m := map[string]Country{}
	sc := bufio.NewScanner(strings.NewReader(countriesTSV))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		code, name, ok := strings.Cut(line, "\t")
		if !ok {
			panic("intl: bad line in countries.tsv: " + line)
		}
		c := Country{Code: code, Name: name}
		list = append(list, c)
		m[code] = c
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list, m
}

// Lookup returns the country of an alpha-2 code (any case, surrounding
// space ignored).
func Lookup(code string) (Country, bool) {
	c, ok := byCode[strings.ToUpper(strings.TrimSpace(code))]
	return c, ok
}

// Domestic reports whether USPS mails to the code as to a US address (the
// US itself, its territories and the freely associated states).
func Domestic(code string) bool { return domestic[strings.ToUpper(strings.TrimSpace(code))] }

// Choices lists the countries a mailer picks from: the United States first,
// then every country mailed as foreign, by name. The territories are left
// out: they are US addresses.
func Choices() []Country {
	out := make([]Country, 0, len(countries))
	out = append(out, byCode["US"])
	for _, c := range countries {
		if !domestic[c.Code] {
			out = append(out, c)
		}
	}
	return out
}

// LabelName is the country's line on a label: its English name in capitals.
func (c Country) LabelName() string { return strings.ToUpper(c.Name) }
