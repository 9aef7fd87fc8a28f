package address

import "strings"

// isPrimaryStart reports whether a delivery address (house number, box, route,
// general delivery, urbanization) can start at ts[i].
func (p *parser) isPrimaryStart(ts []token, i int) bool {
	if i >= len(ts) {
		return false
	}
	u := ts[i].up
	if isDigit(u[0]) {
		return true
	}
	if i+1 < len(ts) && gridNumber(u) {
		return true
	}
	if len(u) >= 2 && len(u) <= 8 && isLetter(u[0]) && hasDigit(u) && i+1 < len(ts) && !p.isUnitWord(ts, i-1) {
		// Letter-prefixed house numbers: A12 (Puerto Rico), N6W23001 (Wisconsin grid).
		return isDigit(u[1]) || (len(u) > 2 && isLetter(u[1]) && isDigit(u[2]))
	}
	if isUrb(u) {
		return true
	}
	if _, w := p.boxAt(ts, i); w > 0 && i+w < len(ts) {
		return true // a box or route type followed by its number ("PSC" alone may be a city)
	}
	if p.t.numWords[u] && i+2 < len(ts) && ts[i+1].up != "#" && ts[i+2].up != "#" {
		return true // "One Main St": a name and a type follow, not a "#"
	}
	return u == "GENERAL" && i+1 < len(ts) && ts[i+1].up == "DELIVERY"
}

func (p *parser) isUnitWord(ts []token, i int) bool {
	if i < 0 {
		return false
	}
	_, ok := p.t.unit[ts[i].up]
	return ok || ts[i].up == "#"
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }

// idLike reports whether u can be a unit or box identifier: it holds a digit
// or is a single letter.
func idLike(u string) bool {
	return hasDigit(u) || (len(u) == 1 && isLetter(u[0]))
}

// wordOrdinals are floors written as words ("Third Floor").
var wordOrdinals = map[string]string{"FIRST": "1", "SECOND": "2", "THIRD": "3", "FOURTH": "4", "FIFTH": "5", "SIXTH": "6",
	"SEVENTH": "7", "EIGHTH": "8", "NINTH": "9", "TENTH": "10", "ELEVENTH": "11", "TWELFTH": "12", "THIRTEENTH": "13",
	"FOURTEENTH": "14", "FIFTEENTH": "15", "SIXTEENTH": "16", "SEVENTEENTH": "17", "EIGHTEENTH": "18", "NINETEENTH": "19", "TWENTIETH": "20"}

// ordinal reads "3RD" or "THIRD" as "3". Every ordinal, in digits or in
// words, ends in ST, ND, RD or TH: other words are turned away before the
// look-up, since every word of an address is asked.
func ordinal(u string) (string, bool) {
	if len(u) < 3 {
		return "", false
	}
	num, sfx := u[:len(u)-2], u[len(u)-2:]
	switch sfx {
	case "ST", "ND", "RD", "TH":
	default:
		return "", false
	}
	if n, ok := wordOrdinals[u]; ok {
		return n, true
	}
	if !allDigits(num) {
		return "", false
	}
	return num, true
}

// isUnitStart reports whether a secondary unit (APT 4, # 4, STE 200, REAR,
// 3RD FLOOR, PMB 12) starts at ts[i].
func (p *parser) isUnitStart(ts []token, i int) bool {
	if i >= len(ts) {
		return false
	}
	u := ts[i].up
	if u == "#" {
		return true
	}
	if n, ok := ordinal(u); ok && n != "" && i+1 < len(ts) {
		if un, ok := p.t.unit[ts[i+1].up]; ok && un.Standard == "FL" {
			return true
		}
	}
	un, ok := p.t.unit[u]
	if !ok {
		return false
	}
	if i+1 < len(ts) {
		nx := ts[i+1].up
		if nx == "#" || idLike(nx) {
			return true
		}
		if !un.NeedsRange {
			return p.isUnitStart(ts, i+1)
		}
		return false
	}
	return !un.NeedsRange
}

// unitWidth is how many tokens the unit starting at ts[i] takes.
func (p *parser) unitWidth(ts []token, i int) int {
	w := 1
	if ts[i].up == "#" {
		if i+1 < len(ts) {
			w++
		}
		return w
	}
	if _, ok := ordinal(ts[i].up); ok {
		return 2
	}
	for i+w < len(ts) && ts[i+w].up == "#" {
		w++
	}
	if i+w < len(ts) && idLike(ts[i+w].up) {
		w++
	}
	return w
}

// boxAt recognises PO Box, rural route, highway contract, military and
// general delivery forms at ts[i]; it returns the standard group or box type
// and how many tokens the type takes (0: none).
func (p *parser) boxAt(ts []token, i int) (string, int) {
	at := func(k int) string {
		if i+k < len(ts) {
			return ts[i+k].up
		}
		return ""
	}
	u := at(0)
	switch {
	case u == "POBOX" || u == "POB" || u == "BOX" && idLike(at(1)):
		return "PO BOX", 1
	case u == "BOX" && at(1) == "#" && idLike(at(2)):
		// "Box # 123456": Publication 28 writes every post office box PO BOX.
		return "PO BOX", 1
	case u == "PO" && at(1) == "BOX", u == "PO" && at(1) == "B" && at(2) == "":
		return "PO BOX", 2
	case u == "PO" && idLike(at(1)):
		return "PO BOX", 1
	case u == "P" && at(1) == "O" && at(2) == "BOX":
		return "PO BOX", 3
	case u == "POST" && at(1) == "OFFICE" && at(2) == "BOX":
		return "PO BOX", 3
	case u == "RR" || u == "RFD":
		return "RR", 1
	case u == "R" && at(1) == "R":
		return "RR", 2
	case u == "RURAL" && (at(1) == "ROUTE" || at(1) == "RTE" || at(1) == "RT"):
		return "RR", 2
	case (u == "RT" || u == "RTE" || u == "ROUTE") && idLike(at(1)) && (at(2) == "BOX" || at(2) == "#"):
		return "RR", 1
	case u == "HC" || u == "HCR":
		return "HC", 1
	case (u == "HIGHWAY" || u == "HWY") && at(1) == "CONTRACT" && (at(2) == "ROUTE" || at(2) == "RTE"):
		return "HC", 3
	case (u == "HIGHWAY" || u == "HWY") && at(1) == "CONTRACT":
		return "HC", 2
	case u == "STAR" && at(1) == "ROUTE":
		return "HC", 2
	case u == "PSC" || u == "CMR":
		return u, 1
	case u == "UNIT" && allDigits(at(1)) && at(2) == "BOX":
		return "UNIT", 1
	}
	return "", 0
}

// parseDelivery labels the tokens of a delivery address line; names before
// the first delivery-looking token are the recipient or firm.
func (p *parser) parseDelivery(ts []token, out *Parsed) {
	if len(ts) == 0 {
		return
	}
	i := 0
	// Units written before the street (APT 4 10 MAIN ST).
	for i < len(ts) && p.isUnitStart(ts, i) && !p.isPrimaryStart(ts, i) {
		w := p.unitWidth(ts, i)
		p.parseUnits(ts[i:i+w], out)
		i += w
	}
	s := -1
	for j := i; j < len(ts); j++ {
		if p.isPrimaryStart(ts, j) {
			s = j
			break
		}
	}
	if s > i {
		p.addNames(ts[i:s], out)
		i = s
	}
	if i >= len(ts) {
		return
	}
	if isUrb(ts[i].up) {
		j := i + 1
		for j < len(ts) && !p.isPrimaryStart(ts, j) && !ts[j-1].comma {
			j++
		}
		p.parseUrbanization(ts[i:j], out)
		i = j
	}
	if i >= len(ts) {
		return
	}
	if i < len(ts) && ts[i].up == "GENERAL" && i+1 < len(ts) && ts[i+1].up == "DELIVERY" {
		out.add(LabelUSPSGeneralDelivery, joinRaw(ts[i:i+2]), "GENERAL DELIVERY")
		p.parseUnits(ts[i+2:], out)
		return
	}
	if typ, w := p.boxAt(ts, i); w > 0 {
		i = p.parseBox(ts, i, typ, w, out)
		p.parseUnits(ts[i:], out)
		return
	}
	p.parseStreetAddress(ts[i:], out)
}

func (p *parser) parseBox(ts []token, i int, typ string, w int, out *Parsed) int {
	if typ == "PO BOX" {
		out.add(LabelUSPSBoxType, joinRaw(ts[i:i+w]), "PO BOX")
		i = skipHashes(ts, i+w)
		if i < len(ts) {
			out.add(LabelUSPSBoxID, ts[i].raw, ts[i].up)
			i++
		}
		return i
	}
	out.add(LabelUSPSBoxGroupType, joinRaw(ts[i:i+w]), typ)
	i = skipHashes(ts, i+w)
	if i < len(ts) && idLike(ts[i].up) {
		out.add(LabelUSPSBoxGroupID, ts[i].raw, ts[i].up)
		i++
	}
	if i == len(ts)-1 && idLike(ts[i].up) {
		// RR 2 152: the box number without the word BOX.
		out.add(LabelUSPSBoxType, "", "BOX")
		out.add(LabelUSPSBoxID, ts[i].raw, ts[i].up)
		return i + 1
	}
	if i < len(ts) && (ts[i].up == "BOX" || ts[i].up == "#" || ts[i].up == "BX") {
		out.add(LabelUSPSBoxType, ts[i].raw, "BOX")
		i = skipHashes(ts, i+1)
		if i < len(ts) {
			out.add(LabelUSPSBoxID, ts[i].raw, ts[i].up)
			i++
		}
	}
	return i
}

// skipHashes steps over the "#" signs at ts[i:]: "Box # 12" and "Box ## 12"
// name box 12, and a "#" is never a box number itself.
func skipHashes(ts []token, i int) int {
	for i < len(ts) && ts[i].up == "#" {
		i++
	}
	return i
}

// parseStreetAddress labels house number, street and units.
func (p *parser) parseStreetAddress(ts []token, out *Parsed) {
	k := 0
	if g := skipHashes(ts, 1); g+1 < len(ts) && gridPair(ts[0].up, ts[g].up) {
		// Wisconsin grid "N165 W2123": one house number, written whole
		// (a "#" between the halves says nothing, as after any number).
		out.add(LabelAddressNumber, ts[0].raw+" "+ts[g].raw, ts[0].up+ts[g].up)
		k = g + 1
	} else if k < len(ts) && len(ts) > 1 && p.isPrimaryStart(ts, k) && !isUrb(ts[k].up) || k < len(ts) && isDigit(ts[k].up[0]) {
		p.addNumber(ts[k], out)
		k++
		if f := skipHashes(ts, k); f < len(ts) && isFraction(ts[f].up) {
			k = f // "0 # 1/2": the sign says nothing, as after any number
		}
		if k < len(ts) && isFraction(ts[k].up) {
			out.add(LabelAddressNumberSuffix, ts[k].raw, ts[k].up)
			k++
		}
	}
	if k > 0 {
		// A "#" right after the house number names nothing: "0 # Fl South"
		// is read as "0 Fl South", as its standard line reads back.
		k = skipHashes(ts, k)
	}
	u := len(ts)
	for j := k + 1; j < len(ts); j++ {
		if p.isUnitStart(ts, j) {
			u = j
			break
		}
		if isUrb(ts[j].up) {
			u = j
			break
		}
		if p.bareDesignators(ts, j) {
			// Designators without a number at the end or before another
			// unit: "Main St Apt", "Main St Spc Unit", "Apt Spc 4".
			u = j
			break
		}
	}
	if u-k >= 3 && p.bareUnitAtEnd(ts[k:u]) {
		u-- // 12 Main St NW 4B: the last token is a unit number (before any other unit too)
	}
	rest := ts[u:]
	p.parseStreet(ts[k:u], out)
	for len(rest) > 0 && isUrb(rest[0].up) {
		j := 1
		for j < len(rest) && !p.isUnitStart(rest, j) {
			j++
		}
		p.parseUrbanization(rest[:j], out)
		rest = rest[j:]
	}
	p.parseUnits(rest, out)
}

// bareUnitAtEnd reports whether the last street token is a unit number
// written without designator: it holds a digit and follows a suffix or a
// directional, and no street type before it takes it as the street name
// (County Road 12, Highway 101).
func (p *parser) bareUnitAtEnd(s []token) bool {
	n := len(s)
	last, prev := s[n-1].up, s[n-2].up
	if !hasDigit(last) || !idLike(last) {
		return false
	}
	if _, ok := p.t.suffix[prev]; !ok && !p.isDir(prev) {
		return false
	}
	for a := 0; a <= 2 && a < n; a++ {
		if _, w := p.preTypeAt(s, a); w > 0 && a+w == n-1 {
			return false
		}
	}
	return true
}

// gridPair reports whether a and b are the two halves of a Wisconsin grid
// house number (N165 W2123, W204 N11509): a north/south and an east/west
// coordinate, each a direction letter and digits.
func gridPair(a, b string) bool {
	coord := func(u string) byte {
		if len(u) >= 2 && allDigits(u[1:]) && strings.IndexByte("NSEW", u[0]) >= 0 {
			return u[0]
		}
		return 0
	}
	x, y := coord(a), coord(b)
	ns := func(c byte) bool { return c == 'N' || c == 'S' }
	return x != 0 && y != 0 && ns(x) != ns(y)
}

// gridNumber reports a Wisconsin grid house number written as one word
// (N165W2123).
func gridNumber(u string) bool {
	for k := 2; k < len(u)-1; k++ {
		if isLetter(u[k]) {
			return gridPair(u[:k], u[k:])
		}
	}
	return false
}

func isFraction(u string) bool {
	a, b, ok := strings.Cut(u, "/")
	return ok && allDigits(a) && allDigits(b)
}

// addNumber splits 123A into number and suffix and A12 into prefix and
// number; hyphenated (Queens) and grid numbers stay whole.
func (p *parser) addNumber(t token, out *Parsed) {
	u := t.up
	n := len(u)
	if n >= 2 && isLetter(u[n-1]) && allDigits(u[:n-1]) {
		out.add(LabelAddressNumber, t.raw[:len(t.raw)-1], u[:n-1])
		out.add(LabelAddressNumberSuffix, t.raw[len(t.raw)-1:], u[n-1:])
		return
	}
	if n >= 2 && isLetter(u[0]) && allDigits(u[1:]) && len(t.raw) == n {
		out.add(LabelAddressNumberPrefix, t.raw[:1], u[:1])
		out.add(LabelAddressNumber, t.raw[1:], u[1:])
		return
	}
	out.add(LabelAddressNumber, t.raw, u)
}

// parseStreet labels the street name part: directionals, types and name.
func (p *parser) parseStreet(s []token, out *Parsed) {
	if len(s) == 0 {
		return
	}
	a, b := 0, len(s)
	// Pre-directional, unless it is the whole name (North St, E St).
	if len(s) >= 2 {
		if d, ok := p.t.dir[s[0].up]; ok {
			_, sfx := p.t.suffix[s[1].up]
			nameOnly := sfx && p.tailOK(s[2:]) // E St SW: E is the name
			if !nameOnly && !(len(s) == 2 && p.isDir(s[1].up)) {
				out.add(LabelStreetNamePreDirectional, s[0].raw, d)
				a = 1
			}
		}
	}
	// Pre-modifier and pre-type (Old Route 10, Avenue B, Calle Luna).
	if a+1 < len(s) && isPreModifier(s[a].up) {
		if _, w := p.preTypeAt(s, a+1); w > 0 {
			out.add(LabelStreetNamePreModifier, s[a].raw, s[a].up)
			a++
		}
	}
	preType := false
	if std, w := p.preTypeAt(s, a); w > 0 {
		out.add(LabelStreetNamePreType, joinRaw(s[a:a+w]), std)
		a += w
		preType = true
	}
	// Post-type: the last suffix with a name before it, followed by at most
	// a directional and a bare unit number.
	pt := -1
	if !preType {
		for j := b - 1; j > a; j-- {
			if _, ok := p.t.suffix[s[j].up]; !ok {
				continue
			}
			if p.tailOK(s[j+1:]) {
				pt = j
			}
			break
		}
	}
	nameEnd := b
	if pt >= 0 {
		nameEnd = pt
	}
	var tail []token
	if pt >= 0 {
		tail = s[pt+1:]
	} else if !preType || b-a > 1 {
		// Post-directional or bare unit after a name without a suffix.
		j := b
		if j-1 > a && idLike(s[j-1].up) && hasDigit(s[j-1].up) && !preType && j-2 > a && p.isDir(s[j-2].up) {
			j--
		}
		if j-1 > a && p.isDir(s[j-1].up) && !p.isUnitWord(s, j-2) {
			// Not after a designator: "Bsmt North" written "BSMT N"
			// would read back as a unit.
			j--
		}
		if preType && j == a {
			j = b
		}
		tail, nameEnd = s[j:], j
	}
	fuzzyStd := ""
	if pt < 0 && !preType && len(tail) == 0 && nameEnd-1 > a {
		if std, ok := p.fuzzySuffix(s[nameEnd-1].up); ok {
			fuzzyStd = std
			pt = nameEnd - 1
			nameEnd--
		}
	}
	if nameEnd > a && allHashes(s[a:nameEnd]) {
		a = nameEnd // a "#" alone names no street: "One ## Springfield"
	}
	if nameEnd > a {
		out.add(LabelStreetName, joinRaw(s[a:nameEnd]), joinUp(s[a:nameEnd]))
	}
	if pt >= 0 {
		std := fuzzyStd
		if std == "" {
			std = p.t.suffix[s[pt].up].Standard
		}
		out.add(LabelStreetNamePostType, s[pt].raw, std)
	}
	for i, t := range tail {
		if d, ok := p.t.dir[t.up]; ok && i == 0 {
			out.add(LabelStreetNamePostDirectional, t.raw, d)
			continue
		}
		if idLike(t.up) {
			out.add(LabelOccupancyIdentifier, t.raw, t.up)
			continue
		}
		out.add(LabelNotAddress, t.raw, t.up)
	}
}

// bareDesignators reports whether ts[j:] starts with unit designators
// written without a number that run to the end of the line or to a unit.
func (p *parser) bareDesignators(ts []token, j int) bool {
	m := j
	for m < len(ts) && ts[m].up != "#" && !p.isUnitStart(ts, m) {
		if _, ok := p.t.unit[ts[m].up]; !ok {
			return false
		}
		m++
	}
	return m > j && (m == len(ts) || p.isUnitStart(ts, m))
}

// wordStandard is a unit identifier's standard form: a directional or a
// street type written as a word is abbreviated, as the standard line read
// again abbreviates it ("Fl South" is "FL S").
func (p *parser) wordStandard(u string) string {
	if d, ok := p.t.dir[u]; ok {
		return d
	}
	if sf, ok := p.t.suffix[u]; ok {
		return sf.Standard
	}
	return u
}

func allHashes(ts []token) bool {
	for _, t := range ts {
		if t.up != "#" {
			return false
		}
	}
	return true
}

func (p *parser) isDir(u string) bool { _, ok := p.t.dir[u]; return ok }

// tailOK reports whether the tokens after a post-type are only a
// directional and/or a bare unit number.
func (p *parser) tailOK(t []token) bool {
	switch len(t) {
	case 0:
		return true
	case 1:
		return p.isDir(t[0].up) || (idLike(t[0].up) && hasDigit(t[0].up))
	case 2:
		return p.isDir(t[0].up) && idLike(t[1].up)
	}
	return false
}

func isPreModifier(u string) bool {
	switch u {
	case "OLD", "ALT", "ALTERNATE", "BUSINESS", "BUS":
		return true
	}
	return false
}

// preTypeAt recognises a street type written before the name. English types
// (Avenue B, Highway 101, County Road 12) need a number or letter after them;
// Spanish ones (Calle, Avenida, Carretera) need only a following word.
func (p *parser) preTypeAt(s []token, a int) (string, int) {
	if a >= len(s)-1 {
		return "", 0
	}
	for w := 3; w >= 1; w-- {
		if a+w >= len(s) {
			continue
		}
		key := s[a].up
		if w > 1 {
			key = joinUp(s[a : a+w])
		}
		std, ok := p.t.preType[key]
		if !ok {
			continue
		}
		next := s[a+w].up
		switch std {
		case "CALLE", "CARR", "CAM", "PASEO":
			return std, w
		case "AVE":
			return std, w
		}
		if hasDigit(next) || (len(next) == 1 && isLetter(next[0]) && a+w == len(s)-1) {
			return std, w
		}
		if a+w+1 < len(s) && len(next) == 1 && isLetter(next[0]) && p.isDir(s[a+w+1].up) {
			return std, w
		}
		if a+w == len(s)-1 && p.isDir(next) {
			// "Rd North" alone: the type with a directional for its name,
			// as "Rd N" is read, so that the standard form reads back alike.
			return std, w
		}
	}
	return "", 0
}

// fuzzySuffix maps a misspelled street suffix one edit away from a C1
// primary name of five or more letters (STRET, AVENEU) to its standard.
func (p *parser) fuzzySuffix(u string) (string, bool) {
	if len(u) < 4 || hasDigit(u) {
		return "", false
	}
	for _, name := range commonSuffixes {
		if d := osaDistance(u, name, 1); d == 1 && (len(name) >= 5 || len(u) >= 4 && len(u) == len(name)) {
			return p.t.suffix[name].Standard, true
		}
	}
	return "", false
}

// commonSuffixes are the primary names worth a typo check: the suffixes most
// US streets carry.
var commonSuffixes = [...]string{"STREET", "AVENUE", "BOULEVARD", "DRIVE", "ROAD", "LANE", "COURT", "PLACE", "CIRCLE", "TERRACE", "PARKWAY", "HIGHWAY", "TRAIL"}

// parseUnits labels secondary units; anything it cannot place is NotAddress.
func (p *parser) parseUnits(ts []token, out *Parsed) {
	for j := 0; j < len(ts); {
		t := ts[j]
		if t.up == "#" {
			// "##4" is "#4"; a "#" before a designator ("# APT 4") or
			// before nothing says nothing of its own.
			j = skipHashes(ts, j)
			if j < len(ts) && !p.isUnitWord(ts, j) {
				out.add(LabelOccupancyType, "#", "#")
				out.add(LabelOccupancyIdentifier, ts[j].raw, ts[j].up)
				j++
			}
			continue
		}
		if num, ok := ordinal(t.up); ok && j+1 < len(ts) {
			if un, ok := p.t.unit[ts[j+1].up]; ok && un.Standard == "FL" {
				out.add(LabelOccupancyType, ts[j+1].raw, "FL")
				out.add(LabelOccupancyIdentifier, t.raw, num)
				j += 2
				continue
			}
		}
		if un, ok := p.t.unit[t.up]; ok {
			out.add(LabelOccupancyType, t.raw, un.Standard)
			j++
			for j < len(ts) && ts[j].up == "#" {
				j++ // "Apt #4", "Apt##4": the sign repeats the designator
			}
			// A designator is not the number of the one before it
			// ("Spc Unt" is two designators, as it reads back).
			if j < len(ts) && (idLike(ts[j].up) || (un.NeedsRange && !p.isUnitStart(ts, j) && !p.isUnitWord(ts, j))) {
				out.add(LabelOccupancyIdentifier, ts[j].raw, p.wordStandard(ts[j].up))
				j++
			}
			continue
		}
		if idLike(t.up) {
			out.add(LabelOccupancyIdentifier, t.raw, t.up)
			j++
			continue
		}
		out.add(LabelNotAddress, joinRaw(ts[j:]), joinUp(ts[j:]))
		return
	}
}

func (p *parser) parseUrbanization(ts []token, out *Parsed) {
	name := ts
	if len(ts) > 0 && isUrb(ts[0].up) {
		name = ts[1:]
	}
	if len(name) == 0 {
		return
	}
	out.add(LabelUrbanization, joinRaw(ts), joinUp(name))
}

// addNames labels name lines: a segment with a business word is the Firm,
// otherwise the Recipient. Commas separate segments.
func (p *parser) addNames(ts []token, out *Parsed) {
	start := 0
	for i := range ts {
		if ts[i].comma || i == len(ts)-1 {
			seg := ts[start : i+1]
			start = i + 1
			if p.isUnitStart(seg, 0) {
				p.parseUnits(seg, out)
				continue
			}
			label := LabelRecipient
			for _, t := range seg {
				if p.t.firmWords[t.up] {
					label = LabelFirm
					break
				}
			}
			out.add(label, joinRaw(seg), joinUp(seg))
		}
	}
}
