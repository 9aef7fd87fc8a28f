package metering

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
)

// A piece is "processed" once scanned, or once its date of mailing is
// further back than any verifier accepts (MaxAgeDays); until then an issued
// piece is "in process". Voided pieces are neither.
// Both take the parameter holding processedBefore, e.g. "$3".
func processedSQL(p string) string {
	return `(i.status = 'issued' AND (i.used_at IS NOT NULL OR i.mailing_date < ` + p + `::date))`
}

func inProcessSQL(p string) string {
	return `(i.status = 'issued' AND i.used_at IS NULL AND i.mailing_date >= ` + p + `::date)`
}

// processedBefore is the oldest date of mailing still in process at now.
func processedBefore(now time.Time) time.Time {
	return now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -MaxAgeDays)
}

// OriginMeter is one meter's mail from one origin post office.
type OriginMeter struct {
	MeterID   int64  `json:"-"`
	Serial    string `json:"meter_serial"`
	Status    string `json:"status"`
	Pieces    int64  `json:"pieces"`
	Postage   int64  `json:"postage"`
	InProcess int64  `json:"in_process"`
	Processed int64  `json:"processed"`
	Voided    int64  `json:"voided"`
}

// OriginMeters lists the meters that issued pieces from one origin ZIP in
// the last days, busiest first (postal staff and vendor admins).
func (s *Service) OriginMeters(ctx context.Context, actor accounts.User, zip string, days int) ([]OriginMeter, error) {
	if err := requirePostal(actor); err != nil {
		return nil, err
	}
	if !isZIP(zip) {
		return nil, apperr.NotFound("No origin ZIP " + zip + ".")
	}
	if days < 1 || days > 366 {
		return nil, apperr.Invalid("days", "Choose between 1 and 366 days.")
	}
	now := s.now()
	rows, err := s.reads().Query(ctx, `SELECT m.id, m.serial, m.status,
			count(*) FILTER (WHERE i.status = 'issued'), COALESCE(sum(i.postage) FILTER (WHERE i.status = 'issued'), 0),
			count(*) FILTER (WHERE `+inProcessSQL("$3")+`), count(*) FILTER (WHERE `+processedSQL("$3")+`), count(*) FILTER (WHERE i.status = 'voided')
		FROM indicia i JOIN meters m ON m.id = i.meter_id
		WHERE i.origin_zip = $1 AND i.created_at >= $2
		GROUP BY m.id, m.serial, m.status ORDER BY 5 DESC, 2`, zip, now.AddDate(0, 0, -days), processedBefore(now))
	if err != nil {
		return nil, fmt.Errorf("metering: meters at origin %s: %w", zip, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (OriginMeter, error) {
		var m OriginMeter
		err := r.Scan(&m.MeterID, &m.Serial, &m.Status, &m.Pieces, &m.Postage, &m.InProcess, &m.Processed, &m.Voided)
		return m, err
	})
}

func isZIP(s string) bool {
	if len(s) != 5 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// PostalPiece is one piece as a postal clerk may see it: what the indicium
// says and what became of it, never the recipient.
type PostalPiece struct {
	PieceNumber  int64      `json:"piece_number"`
	IssuedAt     time.Time  `json:"issued_at"`
	MailingDate  string     `json:"mailing_date"`
	Postage      int64      `json:"postage"`
	MailClass    string     `json:"mail_class"`
	OriginZIP    string     `json:"origin_zip"`
	DestZIP      string     `json:"dest_zip"`
	State        string     `json:"state"` // in_process, processed or voided
	ScannedAt    *time.Time `json:"scanned_at,omitempty"`
	ScanLocation string     `json:"scan_location,omitempty"`
}

// PostalMeter is one meter for postal staff: its record's public part, its
// newest pieces and its fraud signals.
type PostalMeter struct {
	ID        int64         `json:"-"`
	Serial    string        `json:"meter_serial"`
	Status    string        `json:"status"`
	Suspended string        `json:"suspend_reason,omitempty"`
	OriginZIP string        `json:"origin_zip"`
	Pieces    []PostalPiece `json:"pieces"`
	Signals   []FraudSignal `json:"-"`
}

// PostalMeterView returns a meter with its newest limit pieces and every
// fraud signal about it, open ones first (postal staff and vendor admins).
func (s *Service) PostalMeterView(ctx context.Context, actor accounts.User, serial string, limit int) (PostalMeter, error) {
	if err := requirePostal(actor); err != nil {
		return PostalMeter{}, err
	}
	m, err := s.MeterBySerial(ctx, actor, serial)
	if err != nil {
		return PostalMeter{}, err
	}
	out := PostalMeter{ID: m.ID, Serial: m.Record.Serial, Status: m.Record.Status, Suspended: m.Record.SuspendReason, OriginZIP: m.Record.OriginZIP}
	rows, err := s.reads().Query(ctx, `SELECT i.piece_number, i.created_at, i.mailing_date::text, i.postage, i.mail_class, i.origin_zip, i.dest_zip,
			CASE WHEN i.status = 'voided' THEN 'voided' WHEN `+processedSQL("$3")+` THEN 'processed' ELSE 'in_process' END,
			i.used_at, i.used_location
		FROM indicia i WHERE i.meter_id = $1 ORDER BY i.piece_number DESC LIMIT $2`, m.ID, limit, processedBefore(s.now()))
	if err != nil {
		return PostalMeter{}, fmt.Errorf("metering: pieces of %s: %w", serial, err)
	}
	out.Pieces, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (PostalPiece, error) {
		var p PostalPiece
		err := r.Scan(&p.PieceNumber, &p.IssuedAt, &p.MailingDate, &p.Postage, &p.MailClass, &p.OriginZIP, &p.DestZIP, &p.State, &p.ScannedAt, &p.ScanLocation)
		return p, err
	})
	if err != nil {
		return PostalMeter{}, fmt.Errorf("metering: pieces of %s: %w", serial, err)
	}
	out.Signals, err = s.fraudSignals(ctx, m.ID, 100)
	return out, err
}
