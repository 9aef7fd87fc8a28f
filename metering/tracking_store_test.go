package metering_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"indicia/metering"
	"indicia/metering/meteringtest"
	"indicia/metering/tracking"
)

func trackedPiece(class string, services uint32) metering.PieceRequest {
	p := piece(900)
	p.MailClass, p.Services = class, services
	return p
}

// Purchases on many meters at once (group commit), pipelined on one busy
// meter, and a big batch (COPY) from two services sharing one database all
// get tracking numbers: valid, unique, the ones stored, and only on tracked
// pieces.
func TestTrackingNumbersOnEveryDispensePath(t *testing.T) {
	b := meteringtest.Start(t)
	mid, _ := tracking.ParseMailerID("901234567")
	opt := metering.Options{MailerID: mid}
	svc, ms, pool := setupMany(t, b, 4, 5_000_000, opt)
	other := metering.New(pool, b.Client, opt)
	ctx := context.Background()
	var mu sync.Mutex
	got := map[string]string{} // label -> tracking number returned
	record := func(p metering.Purchase) {
		mu.Lock()
		defer mu.Unlock()
		for _, l := range p.Labels {
			got[l.PublicID] = l.TrackingNumber
		}
	}
	var wg sync.WaitGroup
	for i := range 32 {
		s, m := svc, ms[i%len(ms)]
		if i%2 == 1 {
			s = other
		}
		wg.Go(func() {
			for k := range 6 {
				req := metering.PurchaseRequest{Pieces: []metering.PieceRequest{trackedPiece("PRIORITY", 0), trackedPiece("FCM_LETTER", uint32(k%2)*tracking.CertifiedBit)}}
				p, err := s.Purchase(ctx, m.owner, req)
				if err != nil {
					t.Error(err)
					return
				}
				record(p)
			}
		})
	}
	// One batch big enough to be stored with COPY.
	big := metering.PurchaseRequest{}
	for range 300 {
		big.Pieces = append(big.Pieces, trackedPiece("GROUND_ADVANTAGE", 0))
	}
	p, err := svc.Purchase(ctx, ms[0].owner, big)
	if err != nil {
		t.Fatal(err)
	}
	record(p)
	wg.Wait()

	seen := map[string]bool{}
	rows, err := pool.Query(ctx, `SELECT public_id, mail_class, services, coalesce(tracking_number, '') FROM indicia`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var id, class, number string
		var services int32
		if err := rows.Scan(&id, &class, &services, &number); err != nil {
			t.Fatal(err)
		}
		n++
		if got[id] != number {
			t.Errorf("label %s: stored %q, answered %q", id, number, got[id])
		}
		stc, tracked := tracking.ServiceType(class, uint32(services))
		if !tracked {
			if number != "" {
				t.Errorf("untracked %s piece got %s", class, number)
			}
			continue
		}
		if !tracking.Valid(number) || !strings.HasPrefix(number, "92"+stc+"901234567") {
			t.Errorf("%s piece: tracking number %q", class, number)
		}
		if seen[number] {
			t.Errorf("tracking number %s given twice", number)
		}
		seen[number] = true
	}
	if want := 32*6*2 + 300; n != want || len(got) != want {
		t.Errorf("%d indicia stored, %d answered; want %d", n, len(got), want)
	}
}
