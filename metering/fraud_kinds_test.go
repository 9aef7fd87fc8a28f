package metering_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/metering"
	"indicia/metering/meteringtest"
	"indicia/metering/rating"
)

// storedSignal is a fraud signal as the tests read it back.
type storedSignal struct {
	Kind     string
	MeterID  int64
	Detail   string
	Evidence map[string]any
}

func signalsOf(t *testing.T, pool *pgxpool.Pool, kind string) []storedSignal {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT kind, COALESCE(meter_id, 0), detail, COALESCE(evidence, '{}') FROM fraud_signals WHERE kind = $1 ORDER BY id`, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []storedSignal
	for rows.Next() {
		var s storedSignal
		var raw []byte
		if err := rows.Scan(&s.Kind, &s.MeterID, &s.Detail, &raw); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &s.Evidence); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func allSignals(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM fraud_signals`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// buyPieces buys n pieces in one purchase, the i-th with postage(i).
func buyPieces(t *testing.T, svc *metering.Service, owner accounts.User, n int, postage func(i int) int64) []metering.Label {
	t.Helper()
	req := metering.PurchaseRequest{}
	for i := range n {
		req.Pieces = append(req.Pieces, piece(postage(i)))
	}
	p, err := svc.Purchase(context.Background(), owner, req)
	if err != nil {
		t.Fatal(err)
	}
	return p.Labels
}

// issuedOn moves labels to another day of issue, as if bought then.
func issuedOn(t *testing.T, pool *pgxpool.Pool, labels []metering.Label, at time.Time) {
	t.Helper()
	ids := make([]string, len(labels))
	for i, l := range labels {
		ids[i] = l.PublicID
	}
	if _, err := pool.Exec(context.Background(), `UPDATE indicia SET created_at = $1 WHERE public_id = ANY($2)`, at, ids); err != nil {
		t.Fatal(err)
	}
}

func sweep(t *testing.T, svc *metering.Service, now time.Time) metering.SweepResult {
	t.Helper()
	res, err := svc.SweepFraud(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestVoidedLabelScannedIsASignal(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m, pool := setupPool(t, b, 1000)
	ctx := context.Background()
	voided, honest := buyOne(t, svc, owner, 78), buyOne(t, svc, owner, 78)
	if _, err := svc.Void(ctx, owner, voided.PublicID); err != nil {
		t.Fatal(err)
	}

	// Honest mail: a paid label accepted at its own post office raises nothing.
	if v := verify(t, svc, metering.VerifyRequest{Text: textOf(t, honest), Location: "06901"}); v.Result != metering.ResultValid {
		t.Fatalf("honest label: %s %s", v.Result, v.Reason)
	}
	if n := allSignals(t, pool); n != 0 {
		t.Fatalf("an honest scan raised %d signals", n)
	}

	v := verify(t, svc, metering.VerifyRequest{Text: textOf(t, voided), PieceRef: "P-9", Location: "06901"})
	if v.Result != metering.ResultVoid {
		t.Fatalf("voided label: %s", v.Result)
	}
	got := signalsOf(t, pool, metering.FraudVoidedScanned)
	if len(got) != 1 || got[0].MeterID != m.ID || got[0].Evidence["voided_at"] == nil || got[0].Evidence["postage"] != float64(78) {
		t.Fatalf("voided scan signals %+v", got)
	}
	if scan, _ := got[0].Evidence["scan"].(map[string]any); scan["piece_ref"] != "P-9" {
		t.Errorf("evidence scan %+v, want piece P-9", got[0].Evidence["scan"])
	}
	// Postal staff see it with its meter, as any signal.
	list, err := svc.FraudSignals(ctx, staff, 10)
	if err != nil || len(list) != 1 || list[0].Kind != metering.FraudVoidedScanned || list[0].MeterID != m.ID || list[0].Serial != m.Record.Serial {
		t.Fatalf("listed %+v %v", list, err)
	}
}

func TestFirstScanFarFromOriginIsASignal(t *testing.T) {
	b := meteringtest.Start(t)
	_, owner, m, pool := setupPool(t, b, 1000)
	pub, err := rating.DevPublicKey()
	if err != nil {
		t.Fatal(err)
	}
	rater, err := rating.LoadEmbedded(pub)
	if err != nil {
		t.Fatal(err)
	}
	svc := metering.New(pool, b.Client, metering.Options{Zone: rater.Zone, FarZone: 2})
	labels := buyPieces(t, svc, owner, 5, func(int) int64 { return 10 })

	// Honest: the origin's ZIP3, a plant 40 miles away (zone 1), a place
	// named without a ZIP, and a piece scanned far away on its way after its
	// acceptance at home.
	for i, loc := range []string{"06902", "New Haven CT 06510 P&DC", "Stamford plant"} {
		if v := verify(t, svc, metering.VerifyRequest{Text: textOf(t, labels[i]), PieceRef: fmt.Sprint("P", i), Location: loc}); v.Result != metering.ResultValid {
			t.Fatalf("%s: %s", loc, v.Result)
		}
	}
	if v := verify(t, svc, metering.VerifyRequest{Text: textOf(t, labels[0]), PieceRef: "P0", Location: "90210"}); v.Result != metering.ResultValid {
		t.Fatalf("the same piece on its way: %s %s", v.Result, v.Reason)
	}
	if n := allSignals(t, pool); n != 0 {
		t.Fatalf("honest scans raised %d signals: %+v", n, signalsOf(t, pool, metering.FraudFarFromOrigin))
	}

	// Accepted across the country: the label was bought for Stamford.
	verify(t, svc, metering.VerifyRequest{Text: textOf(t, labels[3]), PieceRef: "P3", Location: "Los Angeles 90012"})
	got := signalsOf(t, pool, metering.FraudFarFromOrigin)
	if len(got) != 1 || got[0].MeterID != m.ID || got[0].Evidence["origin_zip"] != "06901" || got[0].Evidence["scan_zip"] != "90012" ||
		got[0].Evidence["zone"] != float64(8) || got[0].Evidence["allowed_zone"] != float64(2) {
		t.Fatalf("far scan signals %+v", got)
	}
}

func TestScansBeyondPaidPiecesIsASignal(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m, pool := setupPool(t, b, 1000)
	labels := buyPieces(t, svc, owner, 2, func(int) int64 { return 50 })
	tomorrow := time.Now().AddDate(0, 0, 1)

	// Honest: both paid pieces mailed.
	for i, l := range labels {
		verify(t, svc, metering.VerifyRequest{Text: textOf(t, l), PieceRef: fmt.Sprint("A", i), Location: "06901"})
	}
	if res := sweep(t, svc, tomorrow); res[metering.FraudScansExceedPay] != 0 || allSignals(t, pool) != 0 {
		t.Fatalf("honest mail: %v, %d signals", res, allSignals(t, pool))
	}

	// The first label copied onto two more pieces: four pieces, two paid.
	verify(t, svc, metering.VerifyRequest{Text: textOf(t, labels[0]), PieceRef: "COPY-1", Location: "06901"})
	verify(t, svc, metering.VerifyRequest{Text: textOf(t, labels[0]), PieceRef: "COPY-2", Location: "06901"})
	sweep(t, svc, tomorrow)
	sweep(t, svc, tomorrow) // a second run raises nothing new
	got := signalsOf(t, pool, metering.FraudScansExceedPay)
	if len(got) != 1 || got[0].MeterID != m.ID || got[0].Evidence["first_uses"] != float64(2) ||
		got[0].Evidence["duplicate_void_or_invalid_scans"] != float64(2) || got[0].Evidence["paid_pieces_mailable"] != float64(2) {
		t.Fatalf("scans beyond paid: %+v", got)
	}
}

func TestDailyVolumeJumpIsASignal(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m, pool := setupPool(t, b, 100_000)
	now := time.Now().UTC()
	today := now.Truncate(24 * time.Hour)
	// Fifteen days of 20 to 26 pieces, then a day of 24: an ordinary day.
	for d := 15; d >= 1; d-- {
		issuedOn(t, pool, buyPieces(t, svc, owner, 20+d%7, func(int) int64 { return 1 }), today.AddDate(0, 0, -d).Add(10*time.Hour))
	}
	day := buyPieces(t, svc, owner, 24, func(int) int64 { return 1 })
	issuedOn(t, pool, day, today.Add(time.Hour))
	tomorrow := today.AddDate(0, 0, 1).Add(time.Hour)
	if res := sweep(t, svc, tomorrow); res[metering.FraudVolumeJump] != 0 {
		t.Fatalf("an ordinary day: %v %+v", res, signalsOf(t, pool, metering.FraudVolumeJump))
	}
	// The same day grows to 90 pieces.
	issuedOn(t, pool, buyPieces(t, svc, owner, 66, func(int) int64 { return 1 }), today.Add(2*time.Hour))
	sweep(t, svc, tomorrow)
	got := signalsOf(t, pool, metering.FraudVolumeJump)
	if len(got) != 1 || got[0].MeterID != m.ID || got[0].Evidence["pieces"] != float64(90) || got[0].Evidence["history_days"] != float64(15) {
		t.Fatalf("volume jump: %+v", got)
	}
	if z, _ := got[0].Evidence["robust_z"].(float64); z <= metering.JumpZ {
		t.Errorf("robust z %v", got[0].Evidence["robust_z"])
	}
}

func TestHighVoidRateIsASignal(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m, pool := setupPool(t, b, 100_000)
	ctx := context.Background()
	// Different postage per piece: these are not the same piece voided again.
	labels := buyPieces(t, svc, owner, 20, func(i int) int64 { return int64(40 + i) })
	for _, l := range labels[:4] {
		if _, err := svc.Void(ctx, owner, l.PublicID); err != nil {
			t.Fatal(err)
		}
	}
	tomorrow := time.Now().AddDate(0, 0, 1)
	if sweep(t, svc, tomorrow); allSignals(t, pool) != 0 {
		t.Fatalf("4 voids in 20 raised %d signals", allSignals(t, pool))
	}
	for _, l := range labels[4:6] {
		if _, err := svc.Void(ctx, owner, l.PublicID); err != nil {
			t.Fatal(err)
		}
	}
	sweep(t, svc, tomorrow)
	got := signalsOf(t, pool, metering.FraudHighVoidRate)
	if len(got) != 1 || got[0].MeterID != m.ID || got[0].Evidence["voided"] != float64(6) || got[0].Evidence["pieces"] != float64(20) {
		t.Fatalf("void rate: %+v", got)
	}
	if n := len(signalsOf(t, pool, metering.FraudRepeatedVoids)); n != 0 {
		t.Errorf("different pieces counted as repeated voids: %d", n)
	}
}

func TestSamePieceBoughtAndVoidedRepeatedlyIsASignal(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m, pool := setupPool(t, b, 100_000)
	ctx := context.Background()
	// Enough other pieces that the void rate stays ordinary.
	buyPieces(t, svc, owner, 30, func(i int) int64 { return int64(100 + i) })
	same := []metering.Label{buyOne(t, svc, owner, 78), buyOne(t, svc, owner, 78), buyOne(t, svc, owner, 78)}
	tomorrow := time.Now().AddDate(0, 0, 1)
	// Honest: a misprint voided and bought again, twice.
	for _, l := range same[:2] {
		if _, err := svc.Void(ctx, owner, l.PublicID); err != nil {
			t.Fatal(err)
		}
	}
	if sweep(t, svc, tomorrow); allSignals(t, pool) != 0 {
		t.Fatalf("two voids raised %d signals", allSignals(t, pool))
	}
	if _, err := svc.Void(ctx, owner, same[2].PublicID); err != nil {
		t.Fatal(err)
	}
	sweep(t, svc, tomorrow)
	got := signalsOf(t, pool, metering.FraudRepeatedVoids)
	if len(got) != 1 || got[0].MeterID != m.ID || got[0].Evidence["voided"] != float64(3) || got[0].Evidence["postage"] != float64(78) {
		t.Fatalf("repeated voids: %+v", got)
	}
	// A postal clerk's view of it names no recipient.
	raw, _ := json.Marshal(got[0])
	if s := strings.ToUpper(string(raw)); strings.Contains(s, "ANN LEE") || strings.Contains(s, "ELM ST") {
		t.Errorf("the signal shows the recipient: %s", raw)
	}
}
