package intl

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Address limits: what the label's address block holds besides the name,
// the company and the country line.
const (
	MaxLines     = 5
	MaxLineRunes = 64
)

// Address is a foreign address as the label prints it.
type Address struct {
	Country Country
	// Lines are the mailer's lines in the order typed, trimmed, without the
	// country line (the label adds it).
	Lines []string
	// Postcode is the postal code found in the lines (upper case, as
	// written), "" when the country uses none or none was written.
	Postcode string
}

// Problem is an address a mailer must correct: Field is "country" or
// "address", Message says what to do.
type Problem struct {
	Field, Message string
}

func (p *Problem) Error() string { return p.Field + ": " + p.Message }

// Check reads a foreign address: the country code and the address lines
// (one per line; a single line is split at its commas). It checks the lines
// every country needs and the postal code where the country has one, and
// changes nothing the mailer wrote.
func Check(code, text string) (Address, *Problem) {
	c, prob := CheckCountry(code)
	if prob != nil {
		return Address{}, prob
	}
	a := Address{Country: c, Lines: splitLines(text)}
	if n := len(a.Lines); n > 0 && sameCountry(a.Lines[n-1], c) {
		a.Lines = a.Lines[:n-1]
	}
	switch n := len(a.Lines); {
	case n == 0:
		return a, &Problem{"address", "Enter the recipient's address: the street on one line, the city or town on the next."}
	case n == 1:
		return a, &Problem{"address", fmt.Sprintf("Add the city or town on its own line after the street: an address in %s needs both.", c.Name)}
	case n > MaxLines:
		return a, &Problem{"address", fmt.Sprintf("A foreign address holds at most %d lines besides the name and the country; this one has %d.", MaxLines, n)}
	}
	for _, l := range a.Lines {
		if utf8.RuneCountInString(l) > MaxLineRunes {
			return a, &Problem{"address", fmt.Sprintf("The line %q is longer than the %d characters a label line holds.", l, MaxLineRunes)}
		}
	}
	if re, ok := postcodeWords[c.Code]; ok {
		for i := len(a.Lines) - 1; i >= 0 && a.Postcode == ""; i-- {
			if m := re.FindStringSubmatch(strings.ToUpper(a.Lines[i])); m != nil {
				a.Postcode = m[1]
			}
		}
		if a.Postcode == "" {
			return a, &Problem{"address", fmt.Sprintf("Add the postal code: %s uses them (for example %s), written with the city or town.", c.Name, postcodeExample[c.Code])}
		}
	}
	return a, nil
}

// CheckCountry returns the foreign country of a code, or the problem at
// the country field: no code, a code that is no country, or a place mailed
// as a US address.
func CheckCountry(code string) (Country, *Problem) {
	c, ok := Lookup(code)
	switch {
	case strings.TrimSpace(code) == "":
		return Country{}, &Problem{"country", "Choose the destination country."}
	case !ok:
		return Country{}, &Problem{"country", fmt.Sprintf("%q is not a country code; use the two-letter ISO code, such as CA for Canada.", code)}
	case Domestic(c.Code):
		return Country{}, &Problem{"country", fmt.Sprintf("%s is mailed as a US address: choose United States and write its state code and ZIP.", c.Name)}
	}
	return c, nil
}

// UsesPostcode reports whether Check requires a postal code for the country.
func UsesPostcode(code string) bool { _, ok := postcodes[strings.ToUpper(code)]; return ok }

// LabelLines are the lines of the address block: name and company when
// given, the address lines as written, and the country in capitals last.
func (a Address) LabelLines(name, company string) []string {
	out := make([]string, 0, len(a.Lines)+3)
	for _, s := range []string{name, company} {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	out = append(out, a.Lines...)
	return append(out, a.Country.LabelName())
}

// OneLine is the address in one line for the indicium's recipient hash:
// the lines and the country, upper case, joined with ", ".
func (a Address) OneLine() string {
	return strings.ToUpper(strings.Join(append(append([]string{}, a.Lines...), a.Country.LabelName()), ", "))
}

func splitLines(text string) []string {
	raw := strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' })
	if len(raw) == 1 {
		raw = strings.Split(raw[0], ",")
	}
	out := make([]string, 0, len(raw))
	for _, l := range raw {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// sameCountry reports whether a line is only the country (its name or
// code), which the label prints itself.
func sameCountry(line string, c Country) bool {
	return strings.EqualFold(line, c.Name) || strings.EqualFold(line, c.Code)
}
