package metering

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"indicia/db"
	"indicia/metering/box"
	"indicia/metering/indicium"
)

// DefaultFarZone is the largest USPS zone between a label's origin and the
// post office of its first scan that is still taken as the origin of deposit
// (zone 2: up to 150 miles between the ZIP3 centres), when Options.FarZone
// is not set. Mail is often carried to a neighbouring plant.
const DefaultFarZone = 2

// ZoneFunc is the USPS zone (1-8) between two ZIP codes (rating.Rater.Zone).
type ZoneFunc func(originZIP, destZIP string) (int, error)

// scannedLabel is what the scan-time signals know of the scanned label.
type scannedLabel struct {
	IndiciumID int64
	MeterID    int64
	In         indicium.Indicium
	VoidedAt   *time.Time
	VoidReason string
}

// VoidedScanEvidence is what a voided_scanned signal holds: a label whose
// postage went back to the meter was presented as postage.
type VoidedScanEvidence struct {
	VoidedAt   *time.Time   `json:"voided_at"`
	VoidReason string       `json:"void_reason"`
	Postage    int64        `json:"postage"`
	Scan       scanEvidence `json:"scan"`
}

// recordVoidedScan raises the signal of a voided (and refunded) label scanned.
func (s *Service) recordVoidedScan(ctx context.Context, tx db.Querier, l scannedLabel, this Scan, ip string) error {
	ev := VoidedScanEvidence{VoidedAt: l.VoidedAt, VoidReason: l.VoidReason, Postage: l.In.Postage, Scan: evidenceOf(this)}
	ev.Scan.IP = ip
	voided := "at an unknown time"
	if l.VoidedAt != nil {
		voided = l.VoidedAt.UTC().Format("2006-01-02 15:04 MST")
	}
	detail := fmt.Sprintf("meter %s piece %d: voided %s and its postage refunded, scanned %s", l.In.MeterSerial, l.In.PieceCount, voided, describeScan(this))
	_, err := raiseSignal(ctx, tx, newSignal{Kind: FraudVoidedScanned, IndiciumID: l.IndiciumID, MeterID: l.MeterID,
		VerificationID: this.VerificationID, Detail: detail, Evidence: ev, At: this.At})
	return err
}

// FarScanEvidence is what a far_from_origin signal holds.
type FarScanEvidence struct {
	OriginZIP string       `json:"origin_zip"`
	ScanZIP   string       `json:"scan_zip"`
	Zone      int          `json:"zone,omitempty"` // 0 when zones were not known
	Allowance int          `json:"allowed_zone"`
	Scan      scanEvidence `json:"scan"`
}

// zipInLocation finds the ZIP of a scan location ("06901", "Stamford CT
// 06901-1234 plant"); "" when it names none.
var zipInLocation = regexp.MustCompile(`(?:^|[^0-9])([0-9]{5})(?:-[0-9]{4})?(?:[^0-9]|$)`)

func scanZIP(location string) string {
	m := zipInLocation.FindStringSubmatch(location)
	if m == nil {
		return ""
	}
	return m[1]
}

// farFromOrigin decides whether a first scan at scanZIP is too far from the
// label's origin: another ZIP3, and beyond the allowed zone. A floating
// meter's label carries the origin its mailer chose, so it is judged
// against that origin; a label carrying no origin is never judged.
func farFromOrigin(origin, scan string, zone ZoneFunc, allowed int) (far bool, z int) {
	if scan == "" || len(origin) < 5 || origin == box.FloatingOrigin || origin[:3] == scan[:3] {
		return false, 0
	}
	if zone == nil {
		return true, 0
	}
	z, err := zone(origin, scan)
	if err != nil {
		// An unknown ZIP3 is no evidence of distance.
		return false, 0
	}
	return z > allowed, z
}

// checkFarFromOrigin raises the far_from_origin signal when a label's first
// scan (its acceptance into the mail) happens far from its origin of deposit.
// Later scans are the piece travelling and are not judged.
func (s *Service) checkFarFromOrigin(ctx context.Context, tx db.Querier, l scannedLabel, this Scan, ip string) error {
	far, ev := s.farScan(l, this)
	if !far {
		return nil
	}
	ev.Scan.IP = ip
	detail := fmt.Sprintf("meter %s piece %d: origin %s, first scanned at %s (zone %d, allowed up to zone %d) %s",
		l.In.MeterSerial, l.In.PieceCount, l.In.OriginZIP, ev.ScanZIP, ev.Zone, ev.Allowance, describeScan(this))
	_, err := raiseSignal(ctx, tx, newSignal{Kind: FraudFarFromOrigin, IndiciumID: l.IndiciumID, MeterID: l.MeterID,
		VerificationID: this.VerificationID, DedupKey: fmt.Sprintf("label:%d", l.IndiciumID), Detail: detail, Evidence: ev, At: this.At})
	return err
}

// farScan decides, without the database, whether a first scan is far from
// the label's origin, with the signal's evidence.
func (s *Service) farScan(l scannedLabel, this Scan) (bool, FarScanEvidence) {
	allowed := s.opt.FarZone
	if allowed <= 0 {
		allowed = DefaultFarZone
	}
	at := scanZIP(this.Location)
	far, zone := farFromOrigin(l.In.OriginZIP, at, s.opt.Zone, allowed)
	return far, FarScanEvidence{OriginZIP: l.In.OriginZIP, ScanZIP: at, Zone: zone, Allowance: allowed, Scan: evidenceOf(this)}
}
