package metering

import (
	"indicia/metering/indicium"
)

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
