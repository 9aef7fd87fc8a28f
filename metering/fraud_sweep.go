package metering

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Thresholds of the sweep's other kinds.
const (
	// ScanWindowDays is the period whose scans are set against the pieces
	// paid for that could be mailed in it.
	ScanWindowDays = 7
	// A meter's void rate over VoidRateDays is unusual from VoidRateMin of
	// at least VoidRateMinPieces pieces: honest mailers void a misprint now
	// and then, not a quarter of what they buy.
	VoidRateDays      = 28
	VoidRateMin       = 0.25
	VoidRateMinPieces = 20
	// RepeatVoids same-recipient, same-postage labels voided within
	// RepeatVoidDays is buying and voiding in a loop.
	RepeatVoids    = 3
	RepeatVoidDays = 28
)

// SweepResult counts the signals one sweep raised, by kind.
type SweepResult map[string]int

// SweepFraud raises the fraud signals that need history rather than one
// scan, for the last complete UTC day before now: scans beyond the pieces
// paid for, a day's volume far beyond the meter's history, a high void
// rate, and the same piece bought and voided again and again. Every signal
// names what it is about (DedupKey), so the sweep may run any number of
// times, on any number of workers.
func (s *Service) SweepFraud(ctx context.Context, now time.Time) (SweepResult, error) {
	day := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -1)
	res := SweepResult{}
	steps := []struct {
		kind string
		run  func(context.Context, time.Time, time.Time) (int, error)
	}{
		{FraudScansExceedPay, s.sweepScansExceedPaid},
		{FraudVolumeJump, s.sweepVolumeJumps},
		{FraudHighVoidRate, s.sweepVoidRates},
		{FraudRepeatedVoids, s.sweepRepeatedVoids},
	}
	var errs []error
	for _, st := range steps {
		n, err := st.run(ctx, day, now.UTC())
		if err != nil {
			errs = append(errs, err)
		}
		res[st.kind] = n
	}
	return res, errors.Join(errs...)
}

// ScanExcessEvidence is what a scans_exceed_paid signal holds.
type ScanExcessEvidence struct {
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	FirstUses    int64     `json:"first_uses"`
	OtherScans   int64     `json:"duplicate_void_or_invalid_scans"`
	PaidMailable int64     `json:"paid_pieces_mailable"`
}

// sweepScansExceedPaid compares, per meter, the pieces scanned in the last
// ScanWindowDays (first uses, plus scans that were another piece: duplicate,
// voided or invalid indicia naming the meter) with the paid pieces that could
// have been mailed then (issued before the window ended and not used before
// it began). Honest mail can never scan more pieces than were paid for.
func (s *Service) sweepScansExceedPaid(ctx context.Context, day, now time.Time) (int, error) {
	from, to := day.AddDate(0, 0, 1-ScanWindowDays), day.AddDate(0, 0, 1)
	rows, err := s.pool.Query(ctx, `WITH extra AS (
			SELECT serial, count(*) AS n FROM verifications
			WHERE created_at >= $1 AND created_at < $2 AND serial <> '' AND result IN ('duplicate', 'void', 'invalid')
			GROUP BY serial)
		SELECT m.id, m.serial, e.n,
			(SELECT count(*) FROM indicia i WHERE i.meter_id = m.id AND i.used_at >= $1 AND i.used_at < $2),
			(SELECT count(*) FROM indicia i WHERE i.meter_id = m.id AND i.status = 'issued' AND i.created_at < $2 AND (i.used_at IS NULL OR i.used_at >= $1))
		FROM extra e JOIN meters m ON m.serial = e.serial`, from, to)
	if err != nil {
		return 0, fmt.Errorf("metering: scans against paid pieces: %w", err)
	}
	type row struct {
		meter       int64
		serial      string
		extra, used int64
		paid        int64
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		err := r.Scan(&x.meter, &x.serial, &x.extra, &x.used, &x.paid)
		return x, err
	})
	if err != nil {
		return 0, fmt.Errorf("metering: scans against paid pieces: %w", err)
	}
	n := 0
	for _, x := range list {
		scanned := x.used + x.extra
		if scanned <= x.paid {
			continue
		}
		ev := ScanExcessEvidence{From: from, To: to, FirstUses: x.used, OtherScans: x.extra, PaidMailable: x.paid}
		detail := fmt.Sprintf("meter %s: %d pieces scanned %s to %s (%d first uses, %d duplicate, voided or invalid) against %d paid pieces that could be mailed",
			x.serial, scanned, from.Format(time.DateOnly), day.Format(time.DateOnly), x.used, x.extra, x.paid)
		ok, err := raiseSignal(ctx, s.pool, newSignal{Kind: FraudScansExceedPay, MeterID: x.meter,
			DedupKey: fmt.Sprintf("meter:%d:%s", x.meter, day.Format(time.DateOnly)), Detail: detail, Evidence: ev, At: now})
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// VolumeJumpEvidence is what a volume_jump signal holds.
type VolumeJumpEvidence struct {
	Day         string  `json:"day"`
	Pieces      int64   `json:"pieces"`
	HistoryDays int     `json:"history_days"`
	Median      float64 `json:"history_median"`
	RobustZ     float64 `json:"robust_z"`
	Threshold   float64 `json:"threshold"`
}

// sweepVolumeJumps judges each meter's pieces issued on day against its
// daily pieces over the JumpHistoryDays before it (from its first piece in
// that period; days without pieces count as zero).
func (s *Service) sweepVolumeJumps(ctx context.Context, day, now time.Time) (int, error) {
	from, to := day.AddDate(0, 0, -JumpHistoryDays), day.AddDate(0, 0, 1)
	rows, err := s.pool.Query(ctx, `SELECT i.meter_id, m.serial, (i.created_at AT TIME ZONE 'UTC')::date, count(*)
		FROM indicia i JOIN meters m ON m.id = i.meter_id
		WHERE i.created_at >= $1 AND i.created_at < $2
		GROUP BY 1, 2, 3 ORDER BY 1, 3`, from, to)
	if err != nil {
		return 0, fmt.Errorf("metering: daily volumes: %w", err)
	}
	type series struct {
		serial string
		first  time.Time
		days   map[time.Time]int64
	}
	meters := map[int64]*series{}
	var order []int64
	var (
		id     int64
		serial string
		d      time.Time
		cnt    int64
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &serial, &d, &cnt}, func() error {
		m := meters[id]
		if m == nil {
			m = &series{serial: serial, first: d, days: map[time.Time]int64{}}
			meters[id] = m
			order = append(order, id)
		}
		m.days[d.UTC()] = cnt
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("metering: daily volumes: %w", err)
	}
	n := 0
	for _, id := range order {
		m := meters[id]
		x := m.days[day]
		if x < JumpMinPieces {
			continue
		}
		var hist []float64
		for d := m.first.UTC(); d.Before(day); d = d.AddDate(0, 0, 1) {
			hist = append(hist, float64(m.days[d]))
		}
		z, jump := volumeJump(hist, float64(x))
		if !jump {
			continue
		}
		ev := VolumeJumpEvidence{Day: day.Format(time.DateOnly), Pieces: x, HistoryDays: len(hist), Median: median(hist), RobustZ: z, Threshold: JumpZ}
		detail := fmt.Sprintf("meter %s: %d pieces on %s against a median of %.0f a day over %d days (robust z %.1f > %.1f)",
			m.serial, x, ev.Day, ev.Median, len(hist), z, JumpZ)
		ok, err := raiseSignal(ctx, s.pool, newSignal{Kind: FraudVolumeJump, MeterID: id,
			DedupKey: fmt.Sprintf("meter:%d:%s", id, ev.Day), Detail: detail, Evidence: ev, At: now})
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// VoidRateEvidence is what a high_void_rate signal holds.
type VoidRateEvidence struct {
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Pieces    int64     `json:"pieces"`
	Voided    int64     `json:"voided"`
	Rate      float64   `json:"rate"`
	Threshold float64   `json:"threshold"`
}

// isoWeek names the week of day, so a meter's standing condition is raised
// at most once a week.
func isoWeek(day time.Time) string {
	y, w := day.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// sweepVoidRates finds meters that voided an unusual share of the pieces
// they bought in the last VoidRateDays.
func (s *Service) sweepVoidRates(ctx context.Context, day, now time.Time) (int, error) {
	from, to := day.AddDate(0, 0, 1-VoidRateDays), day.AddDate(0, 0, 1)
	rows, err := s.pool.Query(ctx, `SELECT i.meter_id, m.serial, count(*), count(*) FILTER (WHERE i.status = 'voided')
		FROM indicia i JOIN meters m ON m.id = i.meter_id
		WHERE i.created_at >= $1 AND i.created_at < $2
		GROUP BY 1, 2
		HAVING count(*) >= $3 AND count(*) FILTER (WHERE i.status = 'voided') >= $4::float8 * count(*)`, from, to, VoidRateMinPieces, VoidRateMin)
	if err != nil {
		return 0, fmt.Errorf("metering: void rates: %w", err)
	}
	type row struct {
		meter          int64
		serial         string
		pieces, voided int64
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		err := r.Scan(&x.meter, &x.serial, &x.pieces, &x.voided)
		return x, err
	})
	if err != nil {
		return 0, fmt.Errorf("metering: void rates: %w", err)
	}
	n := 0
	for _, x := range list {
		rate := float64(x.voided) / float64(x.pieces)
		ev := VoidRateEvidence{From: from, To: to, Pieces: x.pieces, Voided: x.voided, Rate: rate, Threshold: VoidRateMin}
		detail := fmt.Sprintf("meter %s: %d of %d pieces bought %s to %s voided (%.0f%%, unusual from %.0f%%)",
			x.serial, x.voided, x.pieces, from.Format(time.DateOnly), day.Format(time.DateOnly), rate*100, VoidRateMin*100)
		ok, err := raiseSignal(ctx, s.pool, newSignal{Kind: FraudHighVoidRate, MeterID: x.meter,
			DedupKey: fmt.Sprintf("meter:%d:%s", x.meter, isoWeek(day)), Detail: detail, Evidence: ev, At: now})
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// RepeatedVoidEvidence is what a repeated_voids signal holds: the labels,
// never the recipient (a hash of the standardized address stands for it).
type RepeatedVoidEvidence struct {
	RecipientHash string   `json:"recipient_hash"`
	DestZIP       string   `json:"dest_zip"`
	MailClass     string   `json:"mail_class"`
	Postage       int64    `json:"postage"`
	Voided        int64    `json:"voided"`
	Labels        []string `json:"labels"`
}

// sweepRepeatedVoids finds the same piece — one recipient, class and
// postage — bought and voided RepeatVoids times or more in the last
// RepeatVoidDays on one meter. The weight is not kept with a label; for one
// recipient, origin and class the postage stands for it.
func (s *Service) sweepRepeatedVoids(ctx context.Context, day, now time.Time) (int, error) {
	from, to := day.AddDate(0, 0, 1-RepeatVoidDays), day.AddDate(0, 0, 1)
	rows, err := s.pool.Query(ctx, `SELECT i.meter_id, m.serial, COALESCE(NULLIF(i.recipient->>'standardized', ''), i.recipient->>'lines', ''),
			i.dest_zip, i.mail_class, i.postage, count(*), array_agg(i.public_id ORDER BY i.id)
		FROM indicia i JOIN meters m ON m.id = i.meter_id
		WHERE i.status = 'voided' AND i.created_at >= $1 AND i.created_at < $2
		GROUP BY 1, 2, 3, 4, 5, 6 HAVING count(*) >= $3`, from, to, RepeatVoids)
	if err != nil {
		return 0, fmt.Errorf("metering: repeated voids: %w", err)
	}
	type row struct {
		meter     int64
		serial    string
		recipient string
		ev        RepeatedVoidEvidence
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		err := r.Scan(&x.meter, &x.serial, &x.recipient, &x.ev.DestZIP, &x.ev.MailClass, &x.ev.Postage, &x.ev.Voided, &x.ev.Labels)
		return x, err
	})
	if err != nil {
		return 0, fmt.Errorf("metering: repeated voids: %w", err)
	}
	n := 0
	for _, x := range list {
		h := sha256.Sum256([]byte(x.recipient))
		x.ev.RecipientHash = hex.EncodeToString(h[:8])
		detail := fmt.Sprintf("meter %s: %d labels to one recipient in %s (%s, %d¢) bought and voided %s to %s",
			x.serial, x.ev.Voided, x.ev.DestZIP, x.ev.MailClass, x.ev.Postage, from.Format(time.DateOnly), day.Format(time.DateOnly))
		key := fmt.Sprintf("meter:%d:%s:%s:%d:%s", x.meter, x.ev.RecipientHash, x.ev.MailClass, x.ev.Postage, isoWeek(day))
		ok, err := raiseSignal(ctx, s.pool, newSignal{Kind: FraudRepeatedVoids, MeterID: x.meter, DedupKey: key, Detail: detail, Evidence: x.ev, At: now})
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}
