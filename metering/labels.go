package metering

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
)

const labelColumns = `i.public_id, i.meter_id, m.serial, i.piece_number, i.mailing_date, i.postage, i.origin_zip, i.dest_zip, i.mail_class,
	i.services, i.recipient, i.data, i.status, i.created_at, COALESCE(i.cost_code_id, 0), i.reference, coalesce(i.tracking_number, ''), i.dest_country, i.weight_oz::float8, i.ship_from`

func scanLabel(r pgx.Row) (Label, error) {
	var l Label
	var services int32
	var rj, from []byte
	err := r.Scan(&l.PublicID, &l.MeterID, &l.Serial, &l.PieceNumber, &l.MailingDate, &l.Postage, &l.OriginZIP, &l.DestZIP, &l.MailClass,
		&services, &rj, &l.Indicium, &l.Status, &l.CreatedAt, &l.CostCodeID, &l.Reference, &l.TrackingNumber, &l.DestCountry, &l.WeightOz, &from)
	l.Services = uint32(services)
	if err == nil {
		err = json.Unmarshal(rj, &l.Recipient)
	}
	if err == nil {
		l.ShipFrom, err = shipFromOf(from)
	}
	return l, err
}

func (s *Service) loadPurchase(ctx context.Context, id int64) (Purchase, error) {
	var p Purchase
	err := s.pool.QueryRow(ctx, `SELECT p.public_id, p.meter_id, m.serial, p.pieces, p.postage, p.created_at FROM purchases p JOIN meters m ON m.id = p.meter_id WHERE p.id = $1`, id).
		Scan(&p.PublicID, &p.MeterID, &p.Serial, &p.Pieces, &p.Postage, &p.CreatedAt)
	if err != nil {
		return Purchase{}, fmt.Errorf("metering: load purchase %d: %w", id, err)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+labelColumns+` FROM indicia i JOIN meters m ON m.id = i.meter_id WHERE i.purchase_id = $1 ORDER BY i.piece_number`, id)
	if err != nil {
		return Purchase{}, fmt.Errorf("metering: load labels: %w", err)
	}
	p.Labels, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Label, error) { return scanLabel(r) })
	return p, err
}

// canReadLabels reports whether the actor may read an account's labels and
// purchases: they carry the recipients' names and addresses and print as
// postage. Their mailer account, vendor admins and the system may; postal
// staff may not — they verify indicia (Verify answers what a verifier needs)
// and never need a recipient or a printable copy.
func canReadLabels(actor accounts.User, accountID int64) bool {
	return actor.Role != accounts.RoleStaff && canSee(actor, accountID)
}

// PurchaseByID returns a purchase of the actor's account by its public ID.
func (s *Service) PurchaseByID(ctx context.Context, actor accounts.User, publicID string) (Purchase, error) {
	var id, acct int64
	err := s.pool.QueryRow(ctx, `SELECT id, account_id FROM purchases WHERE public_id = $1`, publicID).Scan(&id, &acct)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !canReadLabels(actor, acct)) {
		return Purchase{}, apperr.NotFound("No such purchase.")
	}
	if err != nil {
		return Purchase{}, fmt.Errorf("metering: find purchase: %w", err)
	}
	return s.loadPurchase(ctx, id)
}

// LabelByID returns one label of the actor's account by its public ID.
func (s *Service) LabelByID(ctx context.Context, actor accounts.User, publicID string) (Label, error) {
	var acct int64
	err := s.pool.QueryRow(ctx, `SELECT account_id FROM indicia WHERE public_id = $1`, publicID).Scan(&acct)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !canReadLabels(actor, acct)) {
		return Label{}, apperr.NotFound("No such label.")
	}
	if err != nil {
		return Label{}, fmt.Errorf("metering: find label: %w", err)
	}
	return scanLabel(s.pool.QueryRow(ctx, `SELECT `+labelColumns+` FROM indicia i JOIN meters m ON m.id = i.meter_id WHERE i.public_id = $1`, publicID))
}

// RecentLabels lists the newest labels of the actor's account.
func (s *Service) RecentLabels(ctx context.Context, actor accounts.User, limit int) ([]Label, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+labelColumns+` FROM indicia i JOIN meters m ON m.id = i.meter_id
		WHERE i.account_id = $1 ORDER BY i.created_at DESC, i.id DESC LIMIT $2`, actor.AccountID, limit)
	if err != nil {
		return nil, fmt.Errorf("metering: recent labels: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Label, error) { return scanLabel(r) })
}

// LabelState is what became of a label after its sale, beyond its status:
// why it was voided, and when and where postal staff first scanned it. The
// label lists show it, and offer files and voiding by it.
type LabelState struct {
	VoidReason   string     // VoidByMailer or VoidSubmittedForRefund; "" unless voided
	UsedAt       *time.Time // the first valid scan; nil while unused
	UsedLocation string     // where that scan was made, if the verifier said
}

// LabelStates returns the states of labels by public ID; labels the actor
// may not see are left out.
func (s *Service) LabelStates(ctx context.Context, actor accounts.User, publicIDs []string) (map[string]LabelState, error) {
	out := make(map[string]LabelState, len(publicIDs))
	if len(publicIDs) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT public_id, account_id, void_reason, used_at, used_location FROM indicia WHERE public_id = ANY($1)`, publicIDs)
	if err != nil {
		return nil, fmt.Errorf("metering: label states: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var acct int64
		var st LabelState
		if err := rows.Scan(&id, &acct, &st.VoidReason, &st.UsedAt, &st.UsedLocation); err != nil {
			return nil, fmt.Errorf("metering: label states: %w", err)
		}
		if canReadLabels(actor, acct) {
			out[id] = st
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("metering: label states: %w", err)
	}
	return out, nil
}
