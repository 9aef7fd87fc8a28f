package metering

import (
	"context"
	"errors"
	"fmt"
	"time"

	"indicia/metering/indicium"
)

// The mailing-date window a verifier accepts without a warning. The box
// dates pieces from yesterday to MaxAdvanceDays ahead; a piece should be
// mailed on its date, and one scanned more than MaxAgeDays after it is old
// postage, perhaps reused.
const (
	MaxAdvanceDays = 30
	MaxAgeDays     = 30
	// earlyGraceDays lets a piece dated tomorrow (UTC) through: the date is
	// a calendar date and mailers live west of Greenwich.
	earlyGraceDays = 1
)

// MailingDateWarning says what is wrong with an indicium's date of mailing
// at the time now, or "" when it lies in the window.
func MailingDateWarning(date, now time.Time) string {
	y, m, d := now.UTC().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	date = date.UTC()
	day := date.Format(time.DateOnly)
	switch {
	case date.After(today.AddDate(0, 0, MaxAdvanceDays)):
		return fmt.Sprintf("The date of mailing %s is more than %d days ahead: no meter prints such a date, so the indicium is suspect.", day, MaxAdvanceDays)
	case date.After(today.AddDate(0, 0, earlyGraceDays)):
		return fmt.Sprintf("The date of mailing %s is in the future: the piece may not be mailed before that date.", day)
	case date.Before(today.AddDate(0, 0, -MaxAgeDays)):
		return fmt.Sprintf("The date of mailing %s is more than %d days ago: the postage is old and may be reused.", day, MaxAgeDays)
	}
	return ""
}

// signatureFailure turns a failed signature check into the verifier's
// reason. A version 1 indicium printed before the box signed in low-S form
// may carry a high-S signature: it is accepted when it is exactly the
// issued bytes, never as the twin of an issued one.
func (s *Service) signatureFailure(ctx context.Context, in indicium.Indicium, err error) (string, error) {
	if !errors.Is(err, indicium.ErrHighS) {
		return "The signature does not verify: the indicium was altered or forged.", nil
	}
	if in.Version == indicium.Version1 {
		var issued bool
		if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM indicia i JOIN meters m ON m.id = i.meter_id
			WHERE m.serial = $1 AND i.piece_number = $2 AND i.data = $3)`, in.MeterSerial, in.PieceCount, in.Bytes()).Scan(&issued); err != nil {
			return "", fmt.Errorf("metering: find issued indicium: %w", err)
		}
		if issued {
			return "", nil
		}
	}
	return "The signature is in its high-S form (s > n/2), a second encoding Indicia never prints: the indicium was altered.", nil
}
