package address

import "testing"

// benchInputs is the labelled set's inputs: the mix of forms the parser
// meets (units, boxes, routes, several lines, typos, missing ZIPs).
func benchInputs(b *testing.B) []string {
	cases := loadLabelled(b)
	in := make([]string, len(cases))
	for i, c := range cases {
		in[i] = c.Input
	}
	return in
}

// BenchmarkCleanse is parse + standardize + validate of one address on one
// goroutine (run with -cpu 1 for the one-core figure).
func BenchmarkCleanse(b *testing.B) {
	in := benchInputs(b)
	c := newTestCleanser(b, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_ = c.Cleanse(in[i%len(in)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "addresses/s")
}

// BenchmarkCleanseWithReference adds the reference-file lookup.
func BenchmarkCleanseWithReference(b *testing.B) {
	in := benchInputs(b)
	ref, err := LoadReference(stringsReader(refCSV))
	if err != nil {
		b.Fatal(err)
	}
	c := newTestCleanser(b, ref)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_ = c.Cleanse(in[i%len(in)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "addresses/s")
}

func BenchmarkParse(b *testing.B) {
	in := benchInputs(b)
	p, err := newParser()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_, _ = p.parse(in[i%len(in)])
	}
}

// BenchmarkCleanseWorstCase is a 1 KB line of words with no comma whose
// city must be found by fuzzy search over a large state's cities.
func BenchmarkCleanseWorstCase(b *testing.B) {
	c := newTestCleanser(b, nil)
	in := ""
	for len(in)+34+12 < MaxInputLen {
		in += "12 Apt Lot Box Calle Main St Rear "
	}
	in += "Xqzville TX"
	b.ReportAllocs()
	for b.Loop() {
		_ = c.Cleanse(in)
	}
}

// BenchmarkBuildZipIndex is the one-time start-up cost of the embedded ZIP
// list (paid by the first New or Parse in a process).
func BenchmarkBuildZipIndex(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := buildZipIndex(zipsGz); err != nil {
			b.Fatal(err)
		}
	}
}
