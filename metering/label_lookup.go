package metering

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"indicia/db"
)

// LabelSale is what payments needs of a label to refund it to a card: the
// purchase it came from and its postage.
type LabelSale struct {
	PurchasePublicID string
	MeterID          int64
	Postage          int64
	// Status is the indicium's: "issued" or "voided".
	Status string
}

// LabelSaleOf reads a label (an indicium by its public id) and its purchase;
// found is false when there is no such label. It takes the caller's querier,
// so a void's transaction can ask it.
func LabelSaleOf(ctx context.Context, q db.RowQuerier, labelPublicID string) (sale LabelSale, found bool, err error) {
	err = q.QueryRow(ctx, `SELECT p.public_id, i.meter_id, i.postage, i.status
		FROM indicia i JOIN purchases p ON p.id = i.purchase_id WHERE i.public_id = $1`, labelPublicID).
		Scan(&sale.PurchasePublicID, &sale.MeterID, &sale.Postage, &sale.Status)
	if errors.Is(err, pgx.ErrNoRows) {
		return LabelSale{}, false, nil
	}
	if err != nil {
		return LabelSale{}, false, fmt.Errorf("metering: label %s: %w", labelPublicID, err)
	}
	return sale, true, nil
}

// TransferExists reports whether a funds transfer with this id credited a
// meter (a void credit's id is VoidTransferID of its label).
func TransferExists(ctx context.Context, q db.RowQuerier, transferID string) (bool, error) {
	var ok bool
	if err := q.QueryRow(ctx, `SELECT EXISTS(SELECT 1 FROM funds_transfers WHERE transfer_id = $1)`, transferID).Scan(&ok); err != nil {
		return false, fmt.Errorf("metering: funds transfer %s: %w", transferID, err)
	}
	return ok, nil
}
