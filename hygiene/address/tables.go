package address

import (
	"strings"
	"sync"
)

// suffixInfo is one Appendix C1 entry.
type suffixInfo struct {
	Primary  string // e.g. AVENUE
	Standard string // e.g. AVE
}

// unitInfo is one Appendix C2 entry.
type unitInfo struct {
	Standard   string
	NeedsRange bool
}

// tables holds every lookup the parser and standardizer use. It is built once
// from the Publication 28 text tables and never written afterwards.
type tables struct {
	suffix     map[string]suffixInfo // any C1 spelling → entry
	unit       map[string]unitInfo   // any C2 spelling → entry
	dir        map[string]string     // N, NORTH, N.E. … → standard
	stateCode  map[string]string     // code → full name (Appendix B)
	stateName  map[string]string     // full name or common abbreviation → code
	stateWords int                   // longest state name in words
	preType    map[string]string     // word(s) that precede a street name → standard
	firmWords  map[string]bool
	numWords   map[string]bool
	cityAbbrev map[string]string // ST → SAINT … inside city names
	// stateLastWord holds the last words of the state names of several
	// words (CAROLINA, COLUMBIA, VA): only a line ending in one can end in
	// such a name.
	stateLastWord map[string]bool
}

var loadTables = sync.OnceValue(buildTables)

func buildTables() *tables {
	t := &tables{
		suffix:     map[string]suffixInfo{},
		unit:       map[string]unitInfo{},
		dir:        map[string]string{},
		stateCode:  map[string]string{},
		stateName:  map[string]string{},
		preType:    map[string]string{},
		firmWords:  map[string]bool{},
		numWords:   map[string]bool{},
		cityAbbrev: map[string]string{},
	}
	for _, line := range tableRows(pub28C1) {
		f := strings.Fields(line)
		info := suffixInfo{Primary: f[0], Standard: f[1]}
		for _, w := range append([]string{f[0], f[1]}, f[2:]...) {
			if _, ok := t.suffix[w]; !ok {
				t.suffix[w] = info
			}
		}
	}
	for _, line := range tableRows(pub28C2) {
		f := strings.Fields(line)
		u := unitInfo{Standard: f[1], NeedsRange: f[2] == "Y"}
		t.unit[f[0]] = u
		t.unit[f[1]] = u
	}
	// Common spellings Appendix C2 does not list but mailers write.
	for k, v := range map[string]string{"APPT": "APT", "APTS": "APT", "STES": "STE", "SUIT": "STE", "SUTE": "STE", "BLD": "BLDG", "BLG": "BLDG", "FLR": "FL", "RMS": "RM", "SP": "SPC", "OFFC": "OFC", "PENT": "PH", "UNT": "UNIT"} {
		t.unit[k] = t.unit[v]
	}
	// PMB (private mailbox) is Publication 28 §235, written like a unit.
	t.unit["PMB"] = unitInfo{Standard: "PMB", NeedsRange: true}
	// Mail stops of campuses and lockboxes, often written before a PO box
	// ("MSC 1234, PO Box 5000"); they follow the box on the delivery line.
	// MAIL CODE and MAIL STOP are joined into one token by the tokenizer.
	for k, v := range map[string]string{"MSC": "MSC", "BIN": "BIN", "FILE": "FILE", "MAIL CODE": "MAIL CODE", "MAILCODE": "MAIL CODE",
		"MAIL STOP": "MAIL STOP", "MAILSTOP": "MAIL STOP"} {
		t.unit[k] = unitInfo{Standard: v, NeedsRange: true}
	}
	for _, line := range tableRows(pub28Directionals) {
		f := strings.Fields(line)
		t.dir[f[0]] = f[1]
		t.dir[f[1]] = f[1]
	}
	for _, line := range tableRows(pub28B) {
		name, code, _ := strings.Cut(line, "|")
		t.stateCode[code] = name
		t.stateName[name] = code
		if n := len(strings.Fields(name)); n > t.stateWords {
			t.stateWords = n
		}
	}
	// Older GPO-style abbreviations people still write; not Publication 28.
	for k, v := range map[string]string{
		"ALA": "AL", "ARIZ": "AZ", "ARK": "AR", "CALIF": "CA", "CAL": "CA", "COLO": "CO", "CONN": "CT",
		"DEL": "DE", "FLA": "FL", "ILL": "IL", "IND": "IN", "KANS": "KS", "KAN": "KS", "MASS": "MA",
		"MICH": "MI", "MINN": "MN", "MISS": "MS", "MONT": "MT", "NEBR": "NE", "NEB": "NE", "NEV": "NV",
		"OKLA": "OK", "ORE": "OR", "OREG": "OR", "PENN": "PA", "PENNA": "PA", "TENN": "TN", "TEX": "TX",
		"VERM": "VT", "WASH": "WA", "WISC": "WI", "WIS": "WI", "WYO": "WY", "WVA": "WV", "W VA": "WV",
		"N CAROLINA": "NC", "S CAROLINA": "SC", "N DAKOTA": "ND", "S DAKOTA": "SD", "N MEX": "NM",
		"D C": "DC", "P R": "PR",
	} {
		t.stateName[k] = v
	}
	// Words that precede a street name (FGDC StreetNamePreType). English C1
	// words used this way are written out in full (AVENUE B, HIGHWAY 101);
	// Spanish types follow Publication 28 §29 practice for Puerto Rico.
	for k, v := range map[string]string{
		"AVENUE": "AVENUE", "AVE": "AVENUE", "AV": "AVENUE", "HIGHWAY": "HIGHWAY", "HWY": "HIGHWAY",
		"ROUTE": "ROUTE", "RTE": "ROUTE", "RT": "ROUTE", "ROAD": "ROAD", "RD": "ROAD",
		"COUNTY ROAD": "COUNTY ROAD", "CO RD": "COUNTY ROAD", "CR": "COUNTY ROAD", "COUNTY RD": "COUNTY ROAD",
		"COUNTY HIGHWAY": "COUNTY HIGHWAY", "CO HWY": "COUNTY HIGHWAY", "COUNTY HWY": "COUNTY HIGHWAY",
		"STATE ROUTE": "STATE ROUTE", "STATE RTE": "STATE ROUTE", "SR": "STATE ROUTE",
		"STATE HIGHWAY": "STATE HIGHWAY", "STATE HWY": "STATE HIGHWAY", "SH": "STATE HIGHWAY",
		"STATE ROAD": "STATE ROAD", "STATE RD": "STATE ROAD",
		"US HIGHWAY": "US HIGHWAY", "US HWY": "US HIGHWAY", "US": "US HIGHWAY", "US ROUTE": "US HIGHWAY",
		"INTERSTATE": "INTERSTATE", "I": "INTERSTATE", "FARM TO MARKET ROAD": "FM", "FM": "FM",
		"RANCH ROAD": "RANCH ROAD", "CALLE": "CALLE", "AVENIDA": "AVE", "CARRETERA": "CARR", "CARR": "CARR",
		"CAMINO": "CAM", "PASEO": "PASEO",
	} {
		t.preType[k] = v
	}
	t.stateLastWord = map[string]bool{}
	for name := range t.stateName {
		if i := strings.LastIndexByte(name, ' '); i >= 0 {
			t.stateLastWord[name[i+1:]] = true
		}
	}
	for _, w := range strings.Fields("INC INCORPORATED LLC LLP LP LTD CORP CORPORATION CO COMPANY GROUP BANK ASSOCIATES ASSOC PC PLLC PA DEPT DEPARTMENT UNIVERSITY COLLEGE SCHOOL HOSPITAL CLINIC CHURCH FOUNDATION TRUST SERVICES SERVICE INDUSTRIES ENTERPRISES INTERNATIONAL SYSTEMS SOLUTIONS PARTNERS HOLDINGS & AND ATTN ATTENTION C/O CITY COUNTY OFFICE") {
		t.firmWords[w] = true
	}
	for _, w := range strings.Fields("ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE TEN ELEVEN TWELVE") {
		t.numWords[w] = true
	}
	for k, v := range map[string]string{"ST": "SAINT", "STE": "SAINTE", "FT": "FORT", "MT": "MOUNT", "PT": "POINT", "N": "NORTH", "S": "SOUTH", "E": "EAST", "W": "WEST", "HTS": "HEIGHTS", "SPGS": "SPRINGS", "SPG": "SPRINGS", "BCH": "BEACH", "CTY": "CITY", "JCT": "JUNCTION", "LK": "LAKE", "VLG": "VILLAGE", "PK": "PARK"} {
		t.cityAbbrev[k] = v
	}
	return t
}

func tableRows(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
