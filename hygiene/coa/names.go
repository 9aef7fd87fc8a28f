package coa

import (
	"sort"
	"strings"
	"unicode"
)

// nameKeys are the comparable forms of a person's or a firm's name that
// change-of-address matching joins on.
type nameKeys struct {
	First  []string // formal names of the first name's nickname groups, or the name itself
	Middle string   // middle initial
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

// firstKeys are the formal names a given name may stand for.
func (c *Service) firstKeys(first string) []string {
	w := nameWords(first)
	if len(w) == 0 {
		return nil
	}
	f := w[0]
	if len(f) < 2 {
		return nil // an initial alone is not enough to match a person
	}
	keys := append([]string(nil), c.nicks[f]...)
	if len(keys) == 0 {
		keys = []string{f}
	}
	sort.Strings(keys)
	return keys
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
	k := nameKeys{First: c.firstKeys(first), Last: lastKey(last), Firm: firmKey(firm)}
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
			return c.personKeys(first, middle, last, company)
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
	return c.personKeys(first, middle, last, company)
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
