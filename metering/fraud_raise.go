package metering

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"indicia/db"
)

// The kinds of fraud signal. Duplicate use is raised by verification
// (verify_evidence.go), the scan-time kinds by fraud_scan.go, the rest by the
// nightly sweep (fraud_sweep.go).
const (
	FraudDuplicateUse   = "duplicate_use"
	FraudVoidedScanned  = "voided_scanned"
	FraudFarFromOrigin  = "far_from_origin"
	FraudScansExceedPay = "scans_exceed_paid"
	FraudVolumeJump     = "volume_jump"
	FraudHighVoidRate   = "high_void_rate"
	FraudRepeatedVoids  = "repeated_voids"
)

// newSignal is one fraud signal to store. DedupKey, when set, names what
// the signal is about so the same finding is raised once however often the
// sweep runs.
type newSignal struct {
	Kind           string
	IndiciumID     int64 // 0: none
	MeterID        int64 // 0: none
	VerificationID int64 // 0: none
	DedupKey       string
	Detail         string
	Evidence       any
	At             time.Time
}

// raiseSignal stores a fraud signal; it reports false when a signal with
// the same kind and key already exists.
func raiseSignal(ctx context.Context, q db.Querier, sig newSignal) (bool, error) {
	raw, err := json.Marshal(sig.Evidence)
	if err != nil {
		return false, fmt.Errorf("metering: fraud evidence: %w", err)
	}
	tag, err := q.Exec(ctx, `INSERT INTO fraud_signals (kind, indicium_id, meter_id, verification_id, dedup_key, detail, evidence, created_at)
		VALUES ($1, NULLIF($2, 0::bigint), NULLIF($3, 0::bigint), NULLIF($4, 0::bigint), NULLIF($5, ''), $6, $7, $8)
		ON CONFLICT (kind, dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING`,
		sig.Kind, sig.IndiciumID, sig.MeterID, sig.VerificationID, sig.DedupKey, sig.Detail, raw, sig.At)
	if err != nil {
		return false, fmt.Errorf("metering: record %s signal: %w", sig.Kind, err)
	}
	return tag.RowsAffected() == 1, nil
}
