package metering_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"indicia/accounts"
	"indicia/metering"
	"indicia/metering/meteringtest"
)

// TestVerifyConcurrentScansManyLabels scans several labels at once, each on
// several pieces, with the scans of different labels sharing commits: every
// label has exactly one first use (VALID), every other piece is a DUPLICATE
// with its fraud signal, a voided label is VOID on every scan with its
// signal, and each scan is logged once. A re-scan of a first use's piece
// afterwards is still VALID.
func TestVerifyConcurrentScansManyLabels(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, pool, _ := clockSetup(t, b)
	sam := storedUser(t, pool, accounts.RoleStaff, "sam@usps.example", "Sam Staff")
	ctx := context.Background()
	const labels, pieces = 6, 5
	p, err := svc.Purchase(ctx, owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(60), piece(60), piece(60), piece(60), piece(60), piece(60), piece(60)}})
	if err != nil {
		t.Fatal(err)
	}
	voided := p.Labels[labels]
	if _, err := svc.Void(ctx, owner, voided.PublicID); err != nil {
		t.Fatal(err)
	}
	texts := make([]string, labels+1)
	for i, l := range p.Labels {
		texts[i] = textOf(t, l)
	}
	type scan struct {
		label, piece int
		v            metering.Verification
		err          error
	}
	var scans []*scan
	for l := range labels + 1 {
		for k := range pieces {
			scans = append(scans, &scan{label: l, piece: k})
		}
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, sc := range scans {
		wg.Go(func() {
			<-start
			sc.v, sc.err = svc.Verify(ctx, sam, metering.VerifyRequest{Text: texts[sc.label], PieceRef: fmt.Sprintf("L%d-P%d", sc.label, sc.piece), Location: "06901"})
		})
	}
	close(start)
	wg.Wait()

	first := make([]string, labels)
	dups := 0
	for _, sc := range scans {
		if sc.err != nil {
			t.Fatalf("label %d piece %d: %v", sc.label, sc.piece, sc.err)
		}
		ref := fmt.Sprintf("L%d-P%d", sc.label, sc.piece)
		switch {
		case sc.label == labels:
			if sc.v.Result != metering.ResultVoid {
				t.Errorf("voided label, piece %d: %s %q", sc.piece, sc.v.Result, sc.v.Reason)
			}
		case sc.v.Result == metering.ResultValid:
			if first[sc.label] != "" {
				t.Errorf("label %d: two first uses, %s and %s", sc.label, first[sc.label], ref)
			}
			first[sc.label] = ref
		case sc.v.Result == metering.ResultDuplicate:
			dups++
		default:
			t.Errorf("label %d piece %d: %s %q", sc.label, sc.piece, sc.v.Result, sc.v.Reason)
		}
	}
	if dups != labels*(pieces-1) {
		t.Errorf("%d duplicates, want %d", dups, labels*(pieces-1))
	}
	for l := range labels {
		if first[l] == "" {
			t.Fatalf("label %d: no first use", l)
		}
		var usedRef string
		if err := pool.QueryRow(ctx, `SELECT used_piece_ref FROM indicia WHERE public_id = $1`, p.Labels[l].PublicID).Scan(&usedRef); err != nil {
			t.Fatal(err)
		}
		if usedRef != first[l] {
			t.Errorf("label %d used by %q, but %s was answered as its first use", l, usedRef, first[l])
		}
		signals := fraudSignalsOf(t, pool, p.Labels[l].PublicID)
		if len(signals) != pieces-1 {
			t.Errorf("label %d: %d duplicate signals, want %d", l, len(signals), pieces-1)
		}
		for _, s := range signals {
			if s.Evidence.FirstScan.PieceRef != first[l] || s.Evidence.ThisScan.PieceRef == first[l] {
				t.Errorf("label %d: signal evidence %+v", l, s.Evidence)
			}
		}
	}
	var logged, voidSignals, distinctIDs int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT id) FROM verifications`).Scan(&logged, &distinctIDs); err != nil {
		t.Fatal(err)
	}
	if logged != len(scans) || distinctIDs != len(scans) {
		t.Errorf("%d verifications logged (%d ids), want %d", logged, distinctIDs, len(scans))
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM fraud_signals f JOIN indicia i ON i.id = f.indicium_id
		WHERE i.public_id = $1 AND f.kind = $2`, voided.PublicID, metering.FraudVoidedScanned).Scan(&voidSignals); err != nil {
		t.Fatal(err)
	}
	if voidSignals != pieces {
		t.Errorf("%d voided-scan signals, want %d", voidSignals, pieces)
	}
	for l := range labels {
		v := verify(t, svc, metering.VerifyRequest{Text: texts[l], PieceRef: first[l], Location: "06901"})
		if v.Result != metering.ResultValid {
			t.Errorf("label %d: re-scan of its first piece: %s %q", l, v.Result, v.Reason)
		}
	}
}
