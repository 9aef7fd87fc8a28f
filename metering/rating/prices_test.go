package rating

import (
	"testing"
)

// TestPublishedPrices rates real pieces and compares with prices read from
// USPS Notice 123 (effective July 12, 2026) as cited in the table file; the
// expected numbers are typed from the published list, not from the engine.
func TestPublishedPrices(t *testing.T) {
	r := embeddedRater(t)
	cases := []struct {
		name  string
		piece Piece
		want  int64 // cents
		row   string
	}{
		{"metered letter 1 oz", Piece{Class: ClassFirstClassLetter, WeightOz: 0.6}, 78, "FCM letters metered, 1 oz: $0.78"},
		{"metered letter 2 oz", Piece{Class: ClassFirstClassLetter, WeightOz: 1.5}, 107, "FCM letters metered, 2 oz: $1.07"},
		{"metered letter 3 oz", Piece{Class: ClassFirstClassLetter, WeightOz: 3}, 136, "FCM letters metered, 3 oz: $1.36"},
		{"metered letter 3.5 oz", Piece{Class: ClassFirstClassLetter, WeightOz: 3.2}, 165, "FCM letters metered, 3.5 oz: $1.65"},
		{"large envelope 1 oz", Piece{Class: ClassFirstClassFlat, WeightOz: 1}, 169, "FCM large envelopes, 1 oz: $1.69"},
		{"large envelope 4 oz", Piece{Class: ClassFirstClassFlat, WeightOz: 3.4}, 256, "FCM large envelopes, 4 oz: $2.56"},
		{"Ground Advantage 6 oz local", Piece{Class: ClassGroundAdvantage, WeightOz: 6, DestZIP: "10002"}, 790, "GA retail, 8 oz, zone 1: $7.90"},
		{"Ground Advantage 8 oz coast to coast", Piece{Class: ClassGroundAdvantage, WeightOz: 8, DestZIP: "90001"}, 945, "GA retail, 8 oz, zone 8: $9.45"},
		{"Ground Advantage 8 oz to Chicago", Piece{Class: ClassGroundAdvantage, WeightOz: 7.1, DestZIP: "60601"}, 860, "GA retail, 8 oz, zone 5: $8.60"},
		{"Ground Advantage 1 lb to Columbus", Piece{Class: ClassGroundAdvantage, WeightOz: 16, DestZIP: "43215"}, 1060, "GA retail, 1 lb, zone 4: $10.60"},
		{"Ground Advantage 2.5 lb to Columbus", Piece{Class: ClassGroundAdvantage, WeightOz: 40, DestZIP: "43215"}, 1370, "GA retail, 3 lb, zone 4: $13.70"},
		{"Ground Advantage 10 lb to Columbus", Piece{Class: ClassGroundAdvantage, WeightOz: 150, DestZIP: "43215"}, 1940, "GA retail, 10 lb, zone 4: $19.40"},
		{"letter to Canada", Piece{Class: ClassIntlLetter, WeightOz: 1, Country: "CA"}, 175, "FCMI letter, 1 oz, price group 1 (Canada): $1.75"},
		{"certified letter with return receipt", Piece{Class: ClassFirstClassLetter, WeightOz: 1, Services: []string{ServiceCertified, ServiceReturnReceipt}},
			78 + 555 + 465, "metered 1 oz $0.78 + Certified Mail $5.55 + Return Receipt (hardcopy) $4.65"},
		{"certified letter with electronic return receipt", Piece{Class: ClassFirstClassLetter, WeightOz: 1, Services: []string{ServiceCertified, ServiceReturnReceiptElectronic}},
			78 + 555 + 291, "metered 1 oz $0.78 + Certified Mail $5.55 + electronic Return Receipt $2.91"},
		{"insured parcel with signature", Piece{Class: ClassGroundAdvantage, WeightOz: 8, DestZIP: "90001", DeclaredValueCents: 4500,
			Services: []string{ServiceInsurance, ServiceSignatureConfirmation}}, 945 + 280 + 415, "GA 8 oz zone 8 $9.45 + insurance to $50 $2.80 + Signature Confirmation $4.15"},
		{"insured parcel $150", Piece{Class: ClassGroundAdvantage, WeightOz: 8, DestZIP: "90001", DeclaredValueCents: 15000,
			Services: []string{ServiceInsurance}}, 945 + 450, "GA 8 oz zone 8 $9.45 + insurance $100.01-$200 $4.50"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := c.piece
			p.Date = mailDate
			if p.Country == "" {
				p.OriginZIP = "10001"
				if p.DestZIP == "" {
					p.DestZIP = "90001"
				}
			}
			q, err := r.Rate(p)
			if err != nil {
				t.Fatalf("Rate: %v", err)
			}
			if q.TotalCents != c.want {
				t.Errorf("total = %d cents, want %d (%s); lines %+v", q.TotalCents, c.want, c.row, q.Lines)
			}
			var sum int64
			for _, l := range q.Lines {
				sum += l.Cents
			}
			if sum != q.TotalCents {
				t.Errorf("lines sum to %d, total says %d", sum, q.TotalCents)
			}
			if q.TableVersion != "usps-2026-07-12" {
				t.Errorf("table version %q", q.TableVersion)
			}
		})
	}
}

func TestNonmachinableSurcharge(t *testing.T) {
	r := embeddedRater(t)
	// A square 6 x 6 inch card: aspect ratio 1.0 < 1.3 (DMM 101.1.2).
	q, err := r.Rate(Piece{Class: ClassFirstClassLetter, WeightOz: 1, LengthIn: 6, WidthIn: 6, HeightIn: 0.1,
		OriginZIP: "10001", DestZIP: "10002", Date: mailDate})
	if err != nil {
		t.Fatal(err)
	}
	if q.TotalCents != 78+49 || len(q.Lines) != 2 || q.Lines[1].Code != LineNonmachinable {
		t.Fatalf("want $0.78 + $0.49 nonmachinable surcharge (Notice 123), got %+v", q)
	}
}

func TestCompare(t *testing.T) {
	r := embeddedRater(t)
	qs := r.Compare(Piece{WeightOz: 6, OriginZIP: "10001", DestZIP: "60601", Date: mailDate})
	if len(qs) != len(domesticClasses) {
		t.Fatalf("got %d quotes, want one per domestic class", len(qs))
	}
	got := map[string]Quote{}
	for _, q := range qs {
		got[q.Class] = q
		if !q.OK && q.Reason == "" {
			t.Errorf("%s refused without a reason", q.Class)
		}
	}
	if q := got[ClassFirstClassLetter]; q.OK || q.Reason != "First-Class Mail letters weigh at most 3.5 oz" {
		t.Errorf("letter: %+v", q)
	}
	if q := got[ClassFirstClassFlat]; !q.OK || q.TotalCents != 169+5*29 {
		// 6 oz large envelope: derived row $1.69 + 5 x $0.29 = $3.14
		t.Errorf("flat: %+v", q)
	}
	if q := got[ClassGroundAdvantage]; !q.OK || q.TotalCents != 860 || q.Zone != 5 {
		t.Errorf("ground advantage: %+v", q)
	}
	if q := got[ClassPriority]; q.OK {
		t.Errorf("priority should be refused (no prices loaded): %+v", q)
	}
	intl := r.Compare(Piece{WeightOz: 1, Country: "CA", Date: mailDate})
	if len(intl) != 2 || !intl[0].OK || intl[0].TotalCents != 175 || intl[1].OK {
		t.Errorf("international compare: %+v", intl)
	}
}
