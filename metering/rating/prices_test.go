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
			Services: []string{ServiceInsurance, ServiceSignatureConfirmation}}, 945 + 280 + 515, "GA 8 oz zone 8 $9.45 + insurance to $50 $2.80 + Signature Confirmation (retail) $5.15"},
		{"insured parcel $150", Piece{Class: ClassGroundAdvantage, WeightOz: 8, DestZIP: "90001", DeclaredValueCents: 15000,
			Services: []string{ServiceInsurance}}, 945 + 450, "GA 8 oz zone 8 $9.45 + insurance $100.01-$200 $4.50"},
		{"large envelope 10 oz", Piece{Class: ClassFirstClassFlat, WeightOz: 9.5}, 432, "FCM large envelopes, 10 oz: $4.32 (published; not 1 oz + 9 x $0.29)"},
		{"large envelope 13 oz", Piece{Class: ClassFirstClassFlat, WeightOz: 13}, 524, "FCM large envelopes, 13 oz: $5.24"},
		{"Priority Mail 2 lb to Chicago", Piece{Class: ClassPriority, WeightOz: 32, DestZIP: "60601"}, 1685, "Priority Mail retail, 2 lb, zone 5: $16.85"},
		{"Priority Mail 1.2 lb local", Piece{Class: ClassPriority, WeightOz: 19, DestZIP: "10002"}, 1195, "Priority Mail retail, 2 lb, zone 1: $11.95"},
		{"Priority Mail 10 lb coast to coast", Piece{Class: ClassPriority, WeightOz: 160, DestZIP: "90001"}, 6130, "Priority Mail retail, 10 lb, zone 8: $61.30"},
		{"Priority Mail 70 lb coast to coast", Piece{Class: ClassPriority, WeightOz: 1120, DestZIP: "90001"}, 24540, "Priority Mail retail, 70 lb, zone 8: $245.40"},
		{"Priority Mail Express 1/2 lb to Washington", Piece{Class: ClassPriorityExpress, WeightOz: 8, DestZIP: "20001"}, 3600, "Priority Mail Express retail, 1/2 lb, zone 3: $36.00"},
		{"Priority Mail Express 3 lb coast to coast", Piece{Class: ClassPriorityExpress, WeightOz: 40, DestZIP: "90001"}, 8215, "Priority Mail Express retail, 3 lb, zone 8: $82.15"},
		{"Ground Advantage 12 oz coast to coast", Piece{Class: ClassGroundAdvantage, WeightOz: 11, DestZIP: "90001"}, 1290, "GA retail, 12 oz, zone 8: $12.90"},
		{"Ground Advantage 15 lb coast to coast", Piece{Class: ClassGroundAdvantage, WeightOz: 15 * 16, DestZIP: "90001"}, 5735, "GA retail, 15 lb, zone 8: $57.35"},
		{"letter to the UK", Piece{Class: ClassIntlLetter, WeightOz: 2, Country: "GB"}, 350, "FCMI letter, 2 oz, price group 5 (United Kingdom): $3.50"},
		{"letter to Mexico 3.5 oz", Piece{Class: ClassIntlLetter, WeightOz: 3.5, Country: "MX"}, 415, "FCMI letter, 3.5 oz, price group 2 (Mexico): $4.15"},
		{"large envelope to Mexico", Piece{Class: ClassIntlLargeEnvelope, WeightOz: 4, Country: "MX"}, 645, "FCMI large envelope, 4 oz, price group 2 (Mexico): $6.45"},
		{"large envelope to Canada 15 oz", Piece{Class: ClassIntlLargeEnvelope, WeightOz: 15, Country: "CA"}, 855, "FCMI large envelope, 15.994 oz, price group 1 (Canada): $8.55"},
		{"registered letter, no declared value", Piece{Class: ClassFirstClassLetter, WeightOz: 1, Services: []string{ServiceRegistered}},
			78 + 2090, "metered 1 oz $0.78 + Registered Mail, $0.00 declared $20.90"},
		{"registered letter $750 with return receipt", Piece{Class: ClassFirstClassLetter, WeightOz: 1, DeclaredValueCents: 75000,
			Services: []string{ServiceRegistered, ServiceReturnReceipt}}, 78 + 2810 + 465, "metered 1 oz $0.78 + Registered Mail $500.01-$1,000 $28.10 + Return Receipt $4.65"},
		{"insured Priority parcel $550 with return receipt", Piece{Class: ClassPriority, WeightOz: 32, DestZIP: "60601", DeclaredValueCents: 55000,
			Services: []string{ServiceInsurance, ServiceReturnReceipt}}, 1685 + 905 + 465, "Priority 2 lb zone 5 $16.85 + insurance $500.01-$600 $9.05 + Return Receipt $4.65"},
		{"insured parcel $250", Piece{Class: ClassGroundAdvantage, WeightOz: 8, DestZIP: "90001", DeclaredValueCents: 25000,
			Services: []string{ServiceInsurance}}, 945 + 455, "GA 8 oz zone 8 $9.45 + insurance $200.01-$300 $4.55"},
		{"Ground Advantage 35 lb to Denver", Piece{Class: ClassGroundAdvantage, WeightOz: 35 * 16, DestZIP: "80202"}, 11005, "GA retail, 35 lb, zone 7: $110.05"},
		{"Ground Advantage 19.2 lb local", Piece{Class: ClassGroundAdvantage, WeightOz: 19*16 + 3, DestZIP: "10002"}, 2275, "GA retail, 20 lb, zone 1: $22.75"},
		{"Ground Advantage 70 lb coast to coast", Piece{Class: ClassGroundAdvantage, WeightOz: 70 * 16, DestZIP: "90001"}, 19680, "GA retail, 70 lb, zone 8: $196.80"},
		{"Priority Mail Express 25 lb to Columbus", Piece{Class: ClassPriorityExpress, WeightOz: 25 * 16, DestZIP: "43215"}, 19250, "Priority Mail Express retail, 25 lb, zone 4: $192.50"},
		{"Priority Mail Express 44.5 lb to Columbus", Piece{Class: ClassPriorityExpress, WeightOz: 44*16 + 8, DestZIP: "43215"}, 33005, "Priority Mail Express retail, 45 lb, zone 4: $330.05"},
		{"Priority Mail Express 70 lb coast to coast", Piece{Class: ClassPriorityExpress, WeightOz: 70 * 16, DestZIP: "90001"}, 64435, "Priority Mail Express retail, 70 lb, zone 8: $644.35"},
		{"letter to France", Piece{Class: ClassIntlLetter, WeightOz: 3, Country: "FR"}, 525, "FCMI letter, 3 oz, price group 5 (France): $5.25"},
		{"letter to Japan", Piece{Class: ClassIntlLetter, WeightOz: 1, Country: "JP"}, 175, "FCMI letter, 1 oz, price group 3 (Japan): $1.75"},
		{"large envelope to Brazil", Piece{Class: ClassIntlLargeEnvelope, WeightOz: 7.5, Country: "BR"}, 1295, "FCMI large envelope, 8 oz, price group 9 (Brazil): $12.95"},
		{"large envelope to Germany", Piece{Class: ClassIntlLargeEnvelope, WeightOz: 2, Country: "DE"}, 465, "FCMI large envelope, 2 oz, price group 5 (Germany): $4.65"},
		{"Priority parcel with signature", Piece{Class: ClassPriority, WeightOz: 32, DestZIP: "60601", Services: []string{ServiceSignatureConfirmation}},
			1685 + 515, "Priority 2 lb zone 5 $16.85 + Signature Confirmation (retail; Priority Mail) $5.15"},
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
	if q := got[ClassPriority]; !q.OK || q.TotalCents != 1305 || q.Zone != 5 {
		// 6 oz Priority Mail pays the 1 lb row: zone 5 $13.05 (Notice 123)
		t.Errorf("priority: %+v", q)
	}
	if q := got[ClassPriorityExpress]; !q.OK || q.TotalCents != 4365 {
		// 6 oz Priority Mail Express pays the 1/2 lb row: zone 5 $43.65 (Notice 123)
		t.Errorf("priority express: %+v", q)
	}
	intl := r.Compare(Piece{WeightOz: 1, Country: "CA", Date: mailDate})
	if len(intl) != 2 || !intl[0].OK || intl[0].TotalCents != 175 || !intl[1].OK || intl[1].TotalCents != 330 {
		// FCMI letter 1 oz $1.75, large envelope 1 oz $3.30, Canada (price group 1)
		t.Errorf("international compare: %+v", intl)
	}
}
