package metering

import (
	"bytes"
	"context"
	"time"

	"indicia/db"
)

// scannedRow is the locked label a scan presents.
type scannedRow struct {
	id, meterID                          int64
	status, usedRef, usedLoc, voidReason string
	data                                 []byte
	usedAt, voidedAt                     *time.Time
}

// scanSignal is the fraud signal a scan raises, if any.
type scanSignal int

const (
	signalNone scanSignal = iota
	signalDuplicate
	signalVoided
	signalFar
	signalRevoked
)

// scanVerdict is one scan judged: its answer and what it writes.
type scanVerdict struct {
	out        Verification
	indiciumID *int64 // the label, when it is ours
	markUsed   bool   // the first valid scan: the label becomes used
	this       Scan
	use        UseDecision
	signal     scanSignal
	lbl        scannedLabel
}

// judgeScan decides a scan of the label row (nil when no such label was
// sold) locked in the scan's transaction, and of its meter's revocation
// read there: revoked, valid, invalid, void or duplicate.
// The first valid scan marks the label used (it can no longer be voided);
// every later scan is a duplicate and a fraud signal unless it is provably
// the same piece (judgeUse). q runs the look-up of earlier scans a re-scan
// may need, in that transaction.
func (s *Service) judgeScan(ctx context.Context, q db.Querier, j *scanJob, row *scannedRow) (scanVerdict, error) {
	w := j.v
	if j.in == nil {
		return scanVerdict{out: w}, nil
	}
	in := *j.in
	if d, revoked := revokedVerdict(w, in, j.rev, row); revoked {
		return d, nil
	}
	if row == nil || !bytes.Equal(row.data, in.Bytes()) {
		// Signed by the box but never stored: a dispense that rolled back.
		w.Result, w.Reason = ResultInvalid, "The signature is genuine but this indicium was never issued (no record of its sale)."
		return scanVerdict{out: w}, nil
	}
	w.LabelStatus = row.status
	this := Scan{PieceRef: j.req.PieceRef, Location: j.req.Location, At: w.At.Truncate(time.Microsecond), VerifierID: j.actor.ID, Verifier: j.actor.Email}
	d := scanVerdict{indiciumID: &row.id, lbl: scannedLabel{IndiciumID: row.id, MeterID: row.meterID, In: in, VoidedAt: row.voidedAt, VoidReason: row.voidReason}}
	switch {
	case row.status == "voided":
		w.Result, w.Reason = ResultVoid, "This label was voided and its postage refunded."
	case w.RecipientMatch != nil && !*w.RecipientMatch:
		// Not this piece's postage, but a label already scanned is still
		// the used one: say when and where.
		w.Result, w.Reason, w.UsedAt, w.UsedLocation = ResultInvalid, "The recipient address on the piece is not the address this postage was bought for.", row.usedAt, row.usedLoc
	case row.usedAt == nil:
		// PostgreSQL keeps microseconds: this answer and a later rescan's
		// (read from the row) then say the same time. The row lock makes
		// exactly one of two simultaneous first scans the first use.
		w.Result, w.UsedAt, w.UsedLocation = ResultValid, &this.At, j.req.Location
		d.markUsed = true
	default:
		// The first use, kept on the label, settles most re-scans of the
		// same piece; the other accepted scans can only prove more, and
		// a duplicate's evidence needs their verifiers.
		firstUse := Scan{PieceRef: row.usedRef, Location: row.usedLoc, At: *row.usedAt}
		if d.use = judgeUse([]Scan{firstUse}, this); d.use.Duplicate {
			accepted, err := s.acceptedScans(ctx, q, row.id, this, firstUse)
			if err != nil {
				return scanVerdict{}, err
			}
			d.use = judgeUse(accepted, this)
		}
		w.FirstUsedAt, w.UsedAt, w.UsedLocation = row.usedAt, row.usedAt, row.usedLoc
		if w.Result = ResultValid; d.use.Duplicate {
			w.Result, w.Reason = ResultDuplicate, duplicateReason(d.use, this)
		}
	}
	// Every signal is written in the verification's transaction: an answer
	// is never given without its signal.
	switch {
	case w.Result == ResultDuplicate:
		d.signal = signalDuplicate
	case row.status == "voided":
		d.signal = signalVoided
	case d.markUsed:
		if far, _ := s.farScan(d.lbl, this); far {
			d.signal = signalFar
		}
	}
	d.this, d.out = this, w
	return d, nil
}

// raiseScanSignal writes a judged scan's fraud signal, after its
// verification row, in the same transaction.
func (s *Service) raiseScanSignal(ctx context.Context, q db.Querier, j *scanJob, d scanVerdict) error {
	this := d.this
	this.VerificationID = d.out.ID
	switch d.signal {
	case signalDuplicate:
		return s.recordDuplicate(ctx, q, d.lbl.IndiciumID, d.lbl.In, d.use, this, j.req.IP)
	case signalVoided:
		return s.recordVoidedScan(ctx, q, d.lbl, this, j.req.IP)
	case signalFar:
		return s.checkFarFromOrigin(ctx, q, d.lbl, this, j.req.IP)
	case signalRevoked:
		return recordRevokedUse(ctx, q, j, d)
	}
	return nil
}
