package metering

import (
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// shipFromRows are the pieces of a dispense that print a chosen return
// address. The column is NULL for the others (the account's address), so
// only these are written, after the labels' rows in the same batch and
// transaction.
type shipFromRows struct {
	publicID, lines []string
}

func (f *shipFromRows) add(l Label) {
	if len(l.ShipFrom) == 0 {
		return
	}
	j, _ := json.Marshal(l.ShipFrom)
	f.publicID = append(f.publicID, l.PublicID)
	f.lines = append(f.lines, string(j))
}

func (f *shipFromRows) queue(b *pgx.Batch) {
	if len(f.publicID) == 0 {
		return
	}
	b.Queue(`UPDATE indicia SET ship_from = u.f FROM unnest($1::text[], $2::jsonb[]) AS u(pub, f) WHERE indicia.public_id = u.pub`,
		f.publicID, f.lines)
}

// shipFromOf reads the stored return address lines (NULL: none).
func shipFromOf(j []byte) ([]string, error) {
	if len(j) == 0 {
		return nil, nil
	}
	var out []string
	if err := json.Unmarshal(j, &out); err != nil {
		return nil, fmt.Errorf("metering: stored ship-from lines: %w", err)
	}
	return out, nil
}
