package intl

import "regexp"

// postcodes are the postal-code formats of the countries US mailers write
// to most (each country's postal operator's published format, as the UPU's
// Postal Addressing Systems pages describe it). A country listed here needs
// its code in the address; for any other country a code is optional and
// taken as written.
var postcodes = map[string]*regexp.Regexp{
	"AT": regexp.MustCompile(`\d{4}`),
	"AU": regexp.MustCompile(`\d{4}`),
	"BE": regexp.MustCompile(`\d{4}`),
	"BR": regexp.MustCompile(`\d{5}-?\d{3}`),
	"CA": regexp.MustCompile(`[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d`),
	"CH": regexp.MustCompile(`\d{4}`),
	"CN": regexp.MustCompile(`\d{6}`),
	"DE": regexp.MustCompile(`\d{5}`),
	"DK": regexp.MustCompile(`\d{4}`),
	"ES": regexp.MustCompile(`\d{5}`),
	"FI": regexp.MustCompile(`\d{5}`),
	"FR": regexp.MustCompile(`\d{5}`),
	"GB": regexp.MustCompile(`[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}`),
	"IL": regexp.MustCompile(`\d{7}`),
	"IN": regexp.MustCompile(`\d{6}`),
	"IT": regexp.MustCompile(`\d{5}`),
	"JP": regexp.MustCompile(`\d{3}-?\d{4}`),
	"KR": regexp.MustCompile(`\d{5}`),
	"MX": regexp.MustCompile(`\d{5}`),
	"NL": regexp.MustCompile(`\d{4} ?[A-Z]{2}`),
	"NO": regexp.MustCompile(`\d{4}`),
	"NZ": regexp.MustCompile(`\d{4}`),
	"PH": regexp.MustCompile(`\d{4}`),
	"PL": regexp.MustCompile(`\d{2}-\d{3}`),
	"PT": regexp.MustCompile(`\d{4}-\d{3}`),
	"SE": regexp.MustCompile(`\d{3} ?\d{2}`),
}

// postcodeExample is what the message asking for a missing code shows.
var postcodeExample = map[string]string{
	"AT": "1010", "AU": "2000", "BE": "1000", "BR": "01310-100", "CA": "K1A 0B1", "CH": "8001", "CN": "100000", "DE": "10117",
	"DK": "1050", "ES": "28013", "FI": "00100", "FR": "75008", "GB": "SW1A 2AA", "IL": "9100001", "IN": "110001", "IT": "00186",
	"JP": "100-0001", "KR": "03051", "MX": "06000", "NL": "1012 JS", "NO": "0150", "NZ": "6011", "PH": "1000", "PL": "00-001",
	"PT": "1100-148", "SE": "111 22",
}

// word finds a pattern as a whole word of an upper-case line.
func word(re *regexp.Regexp) *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[\s,])(` + re.String() + `)(?:$|[\s,])`)
}

var postcodeWords = func() map[string]*regexp.Regexp {
	m := make(map[string]*regexp.Regexp, len(postcodes))
	for c, re := range postcodes {
		m[c] = word(re)
	}
	return m
}()
