package coa

import (
	"sort"
	"strings"
	"unicode"
)

// nameKeys are the comparable forms of a person's or a firm's name that
// change-of-address matching joins on.
//
// A COA record's First is its given name alone; an address-book entry's
// First is its given name followed by the names it may be written as (its
// formal names when it is a nickname, its nicknames when it is a formal
// name). The two sides match when the arrays overlap, so a nickname matches
// its formal name and itself, and two different nicknames of one formal name
// ("Lisa" and "Betty") or two formal names sharing a nickname ("Alexander"
// and "Alexandra") never match each other. The first element of both arrays
// is the name as written, which tells an exact match from a nickname one.
type nameKeys struct {
	First  []string
	Middle string // middle initial
	Last   string
	Firm   string
}

var (
	namePrefixes = map[string]bool{"MR": true, "MRS": true, "MS": true, "MISS": true, "DR": true, "PROF": true, "REV": true}
	nameSuffixes = map[string]bool{"JR": true, "SR": true, "II": true, "III": true, "IV": true, "MD": true, "PHD": true, "ESQ": true, "DDS": true, "CPA": true}
	// firmNoise are words that vary between spellings of one firm's name.
	firmNoise = map[string]bool{"THE": true, "INC": true, "INCORPORATED": true, "LLC": true, "LLP": true, "LTD": true, "CO": true,
		"CORP": true, "CORPORATION": true, "COMPANY": true, "PLLC": true, "PC": true, "LP": true}
)

// nameWords splits a name into upper-case words of letters and digits;
// apostrophes, periods and hyphens join rather than split ("O'Brien", "Smith-Jones").
func nameWords(s string) []string {
	var words []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			words = append(words, b.String())
			b.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToUpper(r))
		case r == '\'' || r == '’' || r == '-' || r == '.':
			if r == '.' {
				flush()
			}
		case r == '&':
			flush()
			words = append(words, "AND")
		default:
			flush()
		}
	}
	flush()
	return words
}

// givenName is the comparable form of a first name: its first word, or ""
// for an initial alone, which is not enough to match a person.
func givenName(first string) string {
	w := nameWords(first)
	if len(w) == 0 || len(w[0]) < 2 {
		return ""
	}
	return w[0]
}

// bookFirstKeys are an address-book entry's first-name keys: the name, then
// the names it may stand for or be written as, sorted.
func (c *Service) bookFirstKeys(first string) []string {
	f := givenName(first)
	if f == "" {
		return nil
	}
	rel := append([]string(nil), c.nicks[f]...)
	sort.Strings(rel)
	return append([]string{f}, rel...)
}

func lastKey(last string) string {
	w := nameWords(last)
	for len(w) > 0 && nameSuffixes[w[len(w)-1]] {
		w = w[:len(w)-1]
	}
	return strings.Join(w, "")
}

func firmKey(firm string) string {
	var out []string
	for _, w := range nameWords(firm) {
		if !firmNoise[w] {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// personKeys builds the keys of a name given in parts (a COA record).
func (c *Service) personKeys(first, middle, last, firm string) nameKeys {
	k := nameKeys{Last: lastKey(last), Firm: firmKey(firm)}
	if f := givenName(first); f != "" {
		k.First = []string{f}
	}
	if m := nameWords(middle); len(m) > 0 {
		k.Middle = m[0][:1]
	}
	return k
}

// fullNameKeys builds the keys of a name written whole, as an address book
// holds it: "Robert J. Smith Jr.", "Smith, Robert J", "Dr. Liz Jones".
func (c *Service) fullNameKeys(name, company string) nameKeys {
	var first, middle, last string
	if i := strings.IndexByte(name, ','); i > 0 {
		rest := nameWords(name[i+1:])
		if len(rest) > 0 && !nameSuffixes[rest[0]] {
			// "Last, First Middle"
			last = name[:i]
			name = name[i+1:]
			w := trimTitles(nameWords(name))
			if len(w) > 0 {
				first = w[0]
			}
			if len(w) > 1 {
				middle = w[1]
			}
			return c.bookKeys(first, middle, last, company)
		}
	}
	w := trimTitles(nameWords(name))
	switch len(w) {
	case 0:
	case 1:
		last = w[0]
	default:
		first, last = w[0], w[len(w)-1]
		if len(w) > 2 {
			middle = w[1]
		}
	}
	return c.bookKeys(first, middle, last, company)
}

// bookKeys are personKeys with the first name widened to its nicknames or
// formal names (see nameKeys).
func (c *Service) bookKeys(first, middle, last, firm string) nameKeys {
	k := c.personKeys(first, middle, last, firm)
	k.First = c.bookFirstKeys(first)
	return k
}

func trimTitles(w []string) []string {
	for len(w) > 0 && namePrefixes[w[0]] {
		w = w[1:]
	}
	for len(w) > 0 && nameSuffixes[w[len(w)-1]] {
		w = w[:len(w)-1]
	}
	return w
}
