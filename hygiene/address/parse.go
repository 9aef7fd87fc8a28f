package address

import (
	"errors"
	"fmt"
	"strings"
	"sync"
)

// MaxInputLen is the longest address text Parse accepts, in bytes; a postal
// address is a few lines, and the bound keeps a hostile row cheap.
const MaxInputLen = 1024

// ErrEmpty is returned by Parse for text without a single word.
var ErrEmpty = errors.New("address: empty address")

// ErrTooLong is returned by Parse for text longer than MaxInputLen.
var ErrTooLong = fmt.Errorf("address: address longer than %d bytes", MaxInputLen)

// parser holds the read-only tables one parse needs, and token buffers to
// reuse.
type parser struct {
	t      *tables
	zips   *zipIndex
	tokens sync.Pool // of *tokenBuf
}

func newParser() (*parser, error) {
	z, err := loadZips()
	if err != nil {
		return nil, err
	}
	return &parser{t: loadTables(), zips: z}, nil
}

// Parse splits a US address, written on one line or several, into labelled
// components (see the Label constants). Each component keeps its text as
// written and its Publication 28 standard form. Parse does not validate: a
// ZIP that does not exist still comes back as a ZipCode. It fails only for
// empty or over-long text.
func Parse(text string) (Parsed, error) {
	p, err := newParser()
	if err != nil {
		return Parsed{}, err
	}
	return p.parse(text)
}

func (p *parser) parse(text string) (Parsed, error) {
	if len(text) > MaxInputLen {
		return Parsed{}, ErrTooLong
	}
	buf, _ := p.tokens.Get().(*tokenBuf)
	if buf == nil {
		buf = &tokenBuf{}
	}
	defer func() {
		buf.reset()
		p.tokens.Put(buf)
	}()
	lines := tokenize(text, buf)
	if n := len(lines); n > 1 && isCountry(lines[n-1]) {
		lines = lines[:n-1]
	} else if n > 0 {
		// "…, USA" at the end of a line: the country, not a city.
		lines[n-1] = dropCountry(lines[n-1])
		if len(lines[n-1]) == 0 {
			lines = lines[:n-1]
		}
	}
	if len(lines) == 0 {
		return Parsed{}, ErrEmpty
	}
	// Ten components hold all but the rarest addresses, and ten are 480
	// bytes: the allocator's small objects with pointers end at 512.
	out := Parsed{Components: make([]Component, 0, 10)}
	multi := len(lines) > 1
	last := lines[len(lines)-1]
	ll := p.lastLine(last, multi)
	extra := last[:ll.cityStart]
	var cityLine []token
	if multi && ll.cityStart == ll.cityEnd && ll.cityStart == 0 && len(lines) > 2 {
		// "New York" on a line of its own above "NY 10004".
		// City names hold no digits and no "#" (as in lastLine).
		if c := lines[len(lines)-2]; startsCity(c[0].up) && !p.isPrimaryStart(c, 0) && !p.isUnitStart(c, 0) && !isUrb(c[0].up) && !anyDigits(c) {
			cityLine = c
			lines = lines[:len(lines)-1]
			lines[len(lines)-1] = last
		}
	}
	if !multi {
		p.parseDelivery(extra, &out)
	} else {
		above := lines[:len(lines)-1]
		d := -1
		if len(extra) == 0 {
			for i := len(above) - 1; i >= 0; i-- {
				if p.isPrimaryStart(above[i], 0) {
					d = i
					break
				}
			}
			if d < 0 {
				// No line starts like a delivery address: the one just
				// above the city line is the best guess (a street without
				// a house number).
				for i := len(above) - 1; i >= 0; i-- {
					if !p.isUnitStart(above[i], 0) && !isUrb(above[i][0].up) {
						d = i
						break
					}
				}
			}
		}
		for i, line := range above {
			switch {
			case i == d:
				p.parseDelivery(line, &out)
			case isUrb(line[0].up):
				p.parseUrbanization(line, &out)
			case p.isUnitStart(line, 0):
				p.parseUnits(line, &out)
			case i > d && d >= 0:
				// Text between the delivery line and the city line that is
				// not a unit: keep it, unplaced.
				out.add(LabelNotAddress, joinRaw(line), joinUp(line))
			default:
				p.addNames(line, &out)
			}
		}
		if len(extra) > 0 {
			p.parseDelivery(extra, &out)
		}
	}
	if cityLine != nil {
		zent, _ := p.zips.lookup(ll.zip)
		st := ll.state
		if st == "" {
			st = zent.State
		}
		out.add(LabelPlaceName, joinRaw(cityLine), p.cityStandard(cityLine, st, zent))
	}
	p.addLastLine(last, ll, &out)
	return out, nil
}

func isCountry(line []token) bool {
	if len(line) > 5 {
		return false
	}
	var kb [64]byte
	return countryNames[string(appendUp(kb[:0], line))]
}

var countryNames = map[string]bool{"USA": true, "US": true, "UNITED STATES": true, "UNITED STATES OF AMERICA": true, "U S A": true}

// dropCountry removes a country name written after the last comma of a
// line that holds more than it.
func dropCountry(line []token) []token {
	for i := len(line) - 2; i >= 0; i-- {
		if line[i].comma {
			if isCountry(line[i+1:]) {
				return line[:i+1]
			}
			break
		}
	}
	return line
}

func isUrb(u string) bool { return u == "URB" || u == "URBANIZACION" || u == "URBANIZATION" }

// lastLineInfo locates the city, state and ZIP in the last line's tokens.
type lastLineInfo struct {
	cityStart, cityEnd   int
	stateStart, stateEnd int
	state                string // code
	city                 string // standard city
	zip, plus4           string
	zipStart, zipEnd     int
}

func (p *parser) lastLine(toks []token, multi bool) lastLineInfo {
	n := len(toks)
	ll := lastLineInfo{cityStart: n, cityEnd: n, stateStart: n, stateEnd: n, zipStart: n, zipEnd: n}
	end := n
	if end > 1 && (toks[end-1].up == "USA" || toks[end-1].up == "US") && zipLike(toks[end-2].up) {
		end--
	}
	// ZIP or ZIP+4 at the end, unless it is the number of a box.
	if k := end - 1; k >= 1 || (k == 0 && multi) {
		u := toks[k].up
		boxBefore := k > 0 && (toks[k-1].up == "BOX" || toks[k-1].up == "POBOX" || toks[k-1].up == "#")
		switch {
		case boxBefore:
		case len(u) == 10 && u[5] == '-' && allDigits(u[:5]) && allDigits(u[6:]):
			ll.zip, ll.plus4, ll.zipStart = u[:5], u[6:], k
		case len(u) == 9 && allDigits(u):
			ll.zip, ll.plus4, ll.zipStart = u[:5], u[5:], k
		case len(u) == 5 && allDigits(u):
			ll.zip, ll.zipStart = u, k
		case len(u) == 4 && allDigits(u) && k >= 2 && len(toks[k-1].up) == 5 && allDigits(toks[k-1].up):
			ll.zip, ll.plus4, ll.zipStart = toks[k-1].up, u, k-1
		case (len(u) == 3 || len(u) == 4) && allDigits(u) && (k >= 2 || multi) && k >= 1 && p.isStateWord(toks[k-1].up):
			// "Boston MA 2108": a ZIP that lost its leading zero, read
			// as the ZIP so that the check can say what is wrong with it.
			ll.zip, ll.zipStart = u, k
		case k >= 1 && p.malformedZIP(u) && p.isStateWord(toks[k-1].up):
			// "Stamford CT 06905x": a ZIP with a slip, read as the ZIP for
			// the same reason, not as a unit number or a house number.
			ll.zip, ll.zipStart = u, k
		}
		if ll.zip != "" {
			ll.zipEnd = end
			end = ll.zipStart
		}
	}
	zent, zok := p.zips.lookup(ll.zip)
	// State: the longest state name or code ending at end.
	for w := p.t.stateWords; w >= 1; w-- {
		s := end - w
		if s < 0 {
			continue
		}
		var code string
		if w == 1 {
			u := toks[s].up
			if _, ok := p.t.stateCode[u]; ok {
				code = u
			} else {
				code = p.t.stateName[u]
			}
		} else {
			if !p.t.stateLastWord[toks[end-1].up] {
				continue // no state name of several words ends so
			}
			var kb [64]byte // the key is built on the stack: no allocation
			code = p.t.stateName[string(appendUp(kb[:0], toks[s:end]))]
		}
		if code == "" {
			continue
		}
		if ll.zip == "" && w == 1 && !(s > 0 && toks[s-1].comma) && !multi && p.isStreetWord(toks[s].up) && !p.cityBeforeState(toks, s, code) {
			continue
		}
		if ll.zip == "" && s > 0 && p.isUnitWord(toks, s-1) && !toks[s-1].comma {
			continue // APT IA: a unit number, not Iowa
		}
		if s == 0 && !multi && ll.zip == "" {
			continue // a lone state is more likely a street word
		}
		ll.state, ll.stateStart, ll.stateEnd = code, s, end
		break
	}
	if ll.state == "" && zok && end > 0 {
		// A misspelled state name right before a known ZIP, when it is the
		// ZIP's state: two edits turn many a city word into some state
		// name ("POINT" into "MONT"), which must not win over the ZIP.
		u := toks[end-1].up
		if len(u) >= 5 {
			best, bd := "", 3
			for name, code := range p.t.stateName {
				if code != zent.State {
					continue
				}
				if d := osaDistance(u, name, 2); d < bd {
					best, bd = name, d
				}
			}
			if best != "" {
				ll.state, ll.stateStart, ll.stateEnd = p.t.stateName[best], end-1, end
			}
		}
	}
	if ll.state == "" && ll.zip == "" {
		start := -1
		if multi {
			start = 0
		} else {
			// One line without state or ZIP: a last comma segment that is
			// not a street or unit is the city (10 Main St, Springfield).
			for i := n - 2; i >= 0; i-- {
				if toks[i].comma {
					start = i + 1
					break
				}
			}
		}
		if start >= 0 && start < n && !p.isPrimaryStart(toks, start) && !p.isUnitStart(toks, start) && startsCity(toks[start].up) && !anyDigits(toks[start:]) {
			ll.cityStart, ll.cityEnd = start, n
			ll.city = p.cityStandard(toks[start:], "", zipEntry{})
		}
		return ll
	}
	cityEnd := ll.stateStart
	if ll.state == "" {
		cityEnd = end
	}
	state := ll.state
	if state == "" && zok {
		state = zent.State
	}
	cs := p.splitCity(toks[:cityEnd], state, zent, zok, multi)
	// City names hold no digits and start with a letter, not a unit word.
	for i := cs; i < cityEnd; i++ {
		if hasDigit(toks[i].up) || toks[i].up == "#" {
			cs = i + 1
		}
	}
	// Nor with URB or a box or route type ("RR STATE" would be read as a
	// route line once written above the state).
	for cs < cityEnd && (!startsCity(toks[cs].up) || p.isUnitStart(toks[:cityEnd], cs) || isUrb(toks[cs].up) || p.boxStartsCity(toks[:cityEnd], cs)) {
		cs++
	}
	ll.cityStart, ll.cityEnd = cs, cityEnd
	if cs < cityEnd {
		ll.city = p.cityStandard(toks[cs:cityEnd], state, zent)
	}
	return ll
}

// cityBeforeState reports whether the tokens before toks[s], a state code
// that is also a street word (CT, FL), are a city rather than a street:
// the last comma segment before it reads like a city name ("1 Main St,
// Stamford CT"), or, without a comma, a known city of that state follows
// the street ("1 Main St Stamford CT").
func (p *parser) cityBeforeState(toks []token, s int, code string) bool {
	for c := s - 2; c >= 0; c-- {
		if !toks[c].comma {
			continue
		}
		seg := toks[c+1 : s]
		for _, t := range seg {
			if p.isUnitWord(seg, 0) || !startsCity(t.up) {
				return false
			}
		}
		return !p.isPrimaryStart(seg, 0) && !p.isUnitStart(seg, 0)
	}
	for k := min(4, s-2); k >= 1; k-- {
		x := s - k
		if p.streetEnd(toks[:s]) == x && p.knownCity(toks[x:s], code, zipEntry{}, false) {
			return true
		}
	}
	return false
}

// isStateWord reports whether u is a state code or a one-word state name.
func (p *parser) isStateWord(u string) bool {
	if _, ok := p.t.stateCode[u]; ok {
		return true
	}
	_, ok := p.t.stateName[u]
	return ok
}

// boxStartsCity reports whether a box or route type starts at ts[i]
// (RR, PO 5, HC).
func (p *parser) boxStartsCity(ts []token, i int) bool {
	_, w := p.boxAt(ts, i)
	return w > 0
}

// malformedZIP reports a token that starts like an existing ZIP (five digits
// the ZIP list knows) but is not a ZIP or ZIP+4: "06905X", "069051",
// "06905-12".
func (p *parser) malformedZIP(u string) bool {
	if len(u) <= 5 || zipLike(u) || !allDigits(u[:5]) {
		return false
	}
	_, ok := p.zips.lookup(u[:5])
	return ok
}

func zipLike(u string) bool {
	return (len(u) == 5 && allDigits(u)) || (len(u) == 10 && u[5] == '-' && allDigits(u[:5]) && allDigits(u[6:])) || (len(u) == 9 && allDigits(u))
}

// isStreetWord reports whether u is a street suffix, unit or directional word;
// such a word at the end of a line without ZIP is not taken for a state (CT,
// FL, PR are also Court, Floor and Prairie).
func (p *parser) isStreetWord(u string) bool {
	if _, ok := p.t.suffix[u]; ok {
		return true
	}
	if _, ok := p.t.unit[u]; ok {
		return true
	}
	_, ok := p.t.dir[u]
	return ok
}

// splitCity returns where the city starts in rest (the tokens before the
// state): after a comma when what follows cannot be a street; else the ZIP's
// city as written, then misspelled; then any city of the state, as written,
// then misspelled; last, where the street grammar says the street ends.
func (p *parser) splitCity(rest []token, state string, zent zipEntry, zok, multi bool) int {
	n := len(rest)
	if n == 0 {
		return 0
	}
	if multi && !p.isPrimaryStart(rest, 0) && !p.isUnitStart(rest, 0) && !isUrb(rest[0].up) {
		return 0
	}
	lo := 0
	for i := n - 2; i >= 0; i-- {
		if rest[i].comma {
			lo = i + 1
			break
		}
	}
	seg := rest[lo:]
	if lo > 0 && !p.isPrimaryStart(seg, 0) && !p.isUnitStart(seg, 0) && !hasDigit(seg[0].up) {
		return lo
	}
	maxK := min(5, len(seg))
	// The ZIP's own city can end rest only if it ends with rest's last word
	// (or that word spelled out): one test instead of one per length.
	zipCity := zok && p.endsCity(zent.City, rest[n-1].up)
	// The ZIP's own city, exactly, then nearly; then any city of the state.
	for pass := 0; pass < 2; pass++ {
		for k := maxK; k >= 1; k-- {
			s := n - k
			if isDigit(rest[s].up[0]) || (s == 0 && !multi && n > 1) {
				continue
			}
			if pass == 0 && zipCity && p.knownCity(rest[s:], "", zent, true) {
				return s
			}
			if pass == 1 && p.knownCity(rest[s:], state, zent, zok) {
				return s
			}
		}
		if pass == 0 && zok {
			if s, ok := p.nearZipCity(rest, seg, zent); ok {
				return s
			}
		}
	}
	if state != "" {
		for k := min(3, len(seg)); k >= 1; k-- {
			s := n - k
			if isDigit(rest[s].up[0]) || (s == 0 && n > 1) {
				continue
			}
			if sf, ok := p.t.suffix[rest[s].up]; ok && sf.Primary != rest[s].up {
				continue // "ST HOLLYWOOD": an abbreviated suffix ends the street
			}
			var kb [64]byte
			cand := appendUp(kb[:0], rest[s:])
			if len(cand) < 6 {
				continue
			}
			if _, ok := p.zips.nearestCity(state, string(cand), 1+len(cand)/8); ok {
				return s
			}
		}
	}
	if lo > 0 {
		if e := p.streetEnd(seg); e < len(seg) {
			return lo + e
		}
		return lo
	}
	return p.streetEnd(rest)
}

// knownCity reports whether the tokens name the ZIP's city or a city of the
// state, as written or with ST/FT/MT… spelled out.
// nearZipCity finds a misspelling of the ZIP's city at the end of rest.
func (p *parser) nearZipCity(rest, seg []token, zent zipEntry) (int, bool) {
	n := len(rest)
	bestK, bestD := 0, 3
	for k := 1; k <= min(4, len(seg)); k++ {
		s := n - k
		if isDigit(rest[s].up[0]) {
			break
		}
		if sf, ok := p.t.suffix[rest[s].up]; ok && sf.Primary != rest[s].up {
			continue
		}
		var kb [64]byte
		cand := appendUp(kb[:0], rest[s:])
		lim := 1
		if len(zent.City) >= 7 {
			lim = 2
		}
		if d := osaDistance(string(cand), zent.City, lim); d <= lim && d < bestD {
			bestK, bestD = k, d
		}
	}
	return n - bestK, bestK > 0
}

// The candidate names are built in stack buffers: splitCity tries several
// per address, and most are not cities.
func (p *parser) knownCity(ts []token, state string, zent zipEntry, zok bool) bool {
	var kb [64]byte
	c := appendUp(kb[:0], ts)
	if (zok && string(c) == zent.City) || (state != "" && p.zips.hasCity(state, string(c))) {
		return true
	}
	if x, ok := p.appendExpandedCity(kb[:0], ts); ok {
		return (zok && string(x) == zent.City) || (state != "" && p.zips.hasCity(state, string(x)))
	}
	return false
}

// endsCity reports whether city ends with the word w, as written or spelled
// out (ST as SAINT), after a space or as the whole name.
func (p *parser) endsCity(city, w string) bool {
	ends := func(w string) bool {
		return city == w || (len(city) > len(w) && city[len(city)-len(w)-1] == ' ' && city[len(city)-len(w):] == w)
	}
	if ends(w) {
		return true
	}
	x, ok := p.t.cityAbbrev[w]
	return ok && ends(x)
}

// appendExpandedCity appends the city with ST/FT/MT… spelled out to dst,
// and reports whether there was anything to spell out.
func (p *parser) appendExpandedCity(dst []byte, ts []token) ([]byte, bool) {
	changed := false
	for _, t := range ts {
		if _, ok := p.t.cityAbbrev[t.up]; ok {
			changed = true
			break
		}
	}
	if !changed {
		return dst, false // most cities: nothing to expand, nothing to build
	}
	for i, t := range ts {
		if i > 0 {
			dst = append(dst, ' ')
		}
		if x, ok := p.t.cityAbbrev[t.up]; ok {
			dst = append(dst, x...)
		} else {
			dst = append(dst, t.up...)
		}
	}
	return dst, true
}

// cityStandard is the city's standard form: the reference spelling when the
// name (or its expansion) is a known city, else the upper-case text.
func (p *parser) cityStandard(ts []token, state string, zent zipEntry) string {
	if state == "" {
		return joinUp(ts)
	}
	var kb [64]byte
	c := appendUp(kb[:0], ts)
	// The ZIP's own city needs no look-up.
	if (state == zent.State && string(c) == zent.City) || p.zips.hasCity(state, string(c)) {
		return joinUp(ts)
	}
	if x, ok := p.appendExpandedCity(kb[:0], ts); ok && p.zips.hasCity(state, string(x)) {
		return string(x)
	}
	return joinUp(ts)
}

// streetEnd finds where the street part of a one-line address ends using the
// grammar alone: after the first street suffix that follows a name (and any
// suffixes, directionals and units right after it).
func (p *parser) streetEnd(ts []token) int {
	n := len(ts)
	i := 0
	if i < n && isDigit(ts[i].up[0]) {
		i++
	}
	if i < n && strings.Contains(ts[i].up, "/") {
		i++
	}
	j := -1
	for k := i + 1; k < n; k++ {
		if _, ok := p.t.suffix[ts[k].up]; ok {
			j = k
			break
		}
		if p.isUnitStart(ts, k) {
			j = k - 1
			break
		}
	}
	if j < 0 {
		if n-1 > i {
			return n - 1
		}
		return n
	}
	k := j + 1
	for k < n {
		if _, ok := p.t.suffix[ts[k].up]; ok && k == j+1 {
			k++
			continue
		}
		if _, ok := p.t.dir[ts[k].up]; ok && k <= j+2 {
			k++
			continue
		}
		if p.isUnitStart(ts, k) {
			k += p.unitWidth(ts, k)
			continue
		}
		break
	}
	return k
}

func (p *parser) addLastLine(toks []token, ll lastLineInfo, out *Parsed) {
	if ll.cityStart < ll.cityEnd {
		out.add(LabelPlaceName, joinRaw(toks[ll.cityStart:ll.cityEnd]), ll.city)
	}
	if ll.state != "" {
		out.add(LabelStateName, joinRaw(toks[ll.stateStart:ll.stateEnd]), ll.state)
	}
	if ll.zip != "" {
		if ll.zipEnd-ll.zipStart == 2 {
			out.add(LabelZipCode, toks[ll.zipStart].raw, ll.zip)
			out.add(LabelZipPlus4, toks[ll.zipStart+1].raw, ll.plus4)
			return
		}
		raw := toks[ll.zipStart].raw
		if ll.plus4 != "" {
			out.add(LabelZipCode, raw[:5], ll.zip)
			out.add(LabelZipPlus4, strings.TrimPrefix(raw[5:], "-"), ll.plus4)
			return
		}
		out.add(LabelZipCode, raw, ll.zip)
	}
}

// startsCity reports whether a token can begin a city name: a letter word
// without digits.
func startsCity(u string) bool {
	return u != "" && !hasDigit(u) && (isLetter(u[0]) || u[0] >= 0x80)
}

func anyDigits(ts []token) bool {
	for _, t := range ts {
		if hasDigit(t.up) || t.up == "#" {
			return true
		}
	}
	return false
}
