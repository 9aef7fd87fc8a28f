package labels

import (
	"fmt"
	"time"

	"indicia/metering/indicium"
)

// SpecimenSerial is the meter serial a specimen's indicium carries: no
// meter has it, so a verifier answers that no meter issued it.
const SpecimenSerial = "SPECIMEN"

// SpecimenNotice is printed across a specimen label.
const SpecimenNotice = "VOID - SPECIMEN - NOT VALID POSTAGE"

// SpecimenPiece is what a preview knows of a piece before it is bought.
type SpecimenPiece struct {
	Postage     int64
	MailingDate time.Time
	OriginZIP   string
	DestZIP     string // 5 or 9 digits; abroad, the postal code as printed
	Country     string // "" or US: domestic
	MailClass   string // class code
	Services    uint32
	// Standardized is the recipient's one-line address, hashed as a real
	// indicium would hash it.
	Standardized string
}

// Specimen is a label that looks like the one a purchase would print but
// whose indicium is not postage: the meter serial is SpecimenSerial, the
// registers and piece count are zero and the signature is all zeros, so no
// verifier accepts it. Callers add the class name, services, addresses
// and reference as for a bought label.
func Specimen(p SpecimenPiece) (Label, error) {
	f := indicium.Fields{MeterSerial: SpecimenSerial, CertSerial: []byte{0x01}, MailingDate: p.MailingDate, Postage: p.Postage,
		OriginZIP: p.OriginZIP, DestZIP: p.DestZIP, Country: p.Country, MailClass: p.MailClass, Services: p.Services,
		RecipientHash: indicium.RecipientHash(p.Standardized), Software: "INDICIA/SPECIMEN"}
	if f.Country == "US" {
		f.Country = ""
	}
	signed, err := indicium.Encode(f)
	if err != nil {
		return Label{}, fmt.Errorf("labels: specimen: %w", err)
	}
	in, err := indicium.Parse(indicium.Indicium{Signed: signed}.Bytes())
	if err != nil {
		return Label{}, fmt.Errorf("labels: specimen: %w", err)
	}
	l := FromIndicium(in)
	l.ID, l.Specimen = "SPECIMEN", true
	return l, nil
}
