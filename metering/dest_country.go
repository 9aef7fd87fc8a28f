package metering

import (
	"github.com/jackc/pgx/v5"

	"indicia/metering/indicium"
)

// abroadRows are the pieces of a dispense mailed to another country. The
// column defaults to US, so only these are written, after the labels' rows
// in the same batch and transaction.
type abroadRows struct {
	publicID, country []string
}

func (a *abroadRows) add(l Label) {
	if l.DestCountry != "" && l.DestCountry != "US" {
		a.publicID = append(a.publicID, l.PublicID)
		a.country = append(a.country, l.DestCountry)
	}
}

func (a *abroadRows) queue(b *pgx.Batch) {
	if len(a.publicID) == 0 {
		return
	}
	b.Queue(`UPDATE indicia SET dest_country = u.c FROM unnest($1::text[], $2::text[]) AS u(pub, c) WHERE indicia.public_id = u.pub`,
		a.publicID, a.country)
}

// Abroad reports whether the piece goes to another country.
func (p PieceRequest) Abroad() bool { return p.DestCountry != "" && p.DestCountry != "US" }

// destCountry is the country a label row stores for a piece.
func destCountry(p PieceRequest) string {
	if p.Abroad() {
		return p.DestCountry
	}
	return "US"
}

// foreignDest checks what the indicium of a piece mailed abroad carries:
// an upper-case two-letter country and a printable postal code that fits.
func foreignDest(p PieceRequest) bool {
	c := p.DestCountry
	if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' || len(p.DestZIP) > indicium.MaxForeignPostcode {
		return false
	}
	for i := 0; i < len(p.DestZIP); i++ {
		if p.DestZIP[i] < 0x20 || p.DestZIP[i] > 0x7e {
			return false
		}
	}
	return true
}
