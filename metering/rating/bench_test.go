package rating

import "testing"

var benchPieces = []Piece{
	{Class: ClassFirstClassLetter, WeightOz: 1, OriginZIP: "10001", DestZIP: "90001", Date: mailDate},
	{Class: ClassFirstClassLetter, WeightOz: 2.5, OriginZIP: "60601", DestZIP: "02101", Date: mailDate,
		Services: []string{ServiceCertified, ServiceReturnReceiptElectronic}},
	{Class: ClassFirstClassFlat, WeightOz: 6, OriginZIP: "94102", DestZIP: "33101", Date: mailDate},
	{Class: ClassGroundAdvantage, WeightOz: 7, OriginZIP: "10001", DestZIP: "43215", Date: mailDate},
	{Class: ClassGroundAdvantage, WeightOz: 40, OriginZIP: "10001", DestZIP: "43215", Date: mailDate,
		LengthIn: 10, WidthIn: 8, HeightIn: 6, Services: []string{ServiceSignatureConfirmation}},
	{Class: ClassIntlLetter, WeightOz: 1, Country: "CA", Date: mailDate},
}

// BenchmarkRate rates a mix of real pieces on one goroutine; the target is
// at least 100,000 pieces/s (at most 10 µs/op).
func BenchmarkRate(b *testing.B) {
	r := embeddedRater(b)
	for _, p := range benchPieces {
		if _, err := r.Rate(p); err != nil {
			b.Fatalf("%+v: %v", p, err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := r.Rate(benchPieces[i%len(benchPieces)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pieces/s")
}

func BenchmarkCompare(b *testing.B) {
	r := embeddedRater(b)
	p := Piece{WeightOz: 6, OriginZIP: "10001", DestZIP: "60601", Date: mailDate}
	b.ReportAllocs()
	for b.Loop() {
		r.Compare(p)
	}
}

func BenchmarkLoadEmbedded(b *testing.B) {
	for b.Loop() {
		if _, err := LoadEmbedded(nil); err != nil {
			b.Fatal(err)
		}
	}
}
