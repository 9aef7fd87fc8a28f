package labels

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"indicia/metering/indicium"
	"indicia/metering/tracking"
)

// Label is one printed piece, shaped like the label itself. Void status is
// deliberately absent: it is server state and never printed.
type Label struct {
	ID          string    // label id, printed small at the bottom
	Indicium    string    // barcode text: indicium.Indicium.Text()
	Postage     int64     // cents
	MailingDate time.Time // date of mailing; only the UTC calendar date is printed
	OriginZIP   string    // 5 digits
	MailClass   string    // as printed, e.g. "FIRST-CLASS MAIL"
	Services    []string  // special services as printed, e.g. "CERTIFIED MAIL"
	MeterSerial string
	Piece       int64    // the meter's piece count for this piece
	From        []string // sender (return address) lines
	To          []string // recipient lines, standardized
	Reference   string   // optional mailer's reference
	// TrackingNumber (22 digits) prints the Intelligent Mail package
	// barcode with DestZIP, the destination's ZIP; empty prints none.
	TrackingNumber string
	DestZIP        string
	// Specimen marks a preview: its indicium is not signed by any meter, and
	// the label says so where "postage paid" would be and across the bottom.
	Specimen bool
}

// FromIndicium fills the barcode text and the human-readable block from a
// signed or stored indicium, so the two cannot disagree. MailClass is the
// class code from the indicium; callers replace it with the display name and
// add Services, the addresses, ID and Reference.
func FromIndicium(in indicium.Indicium) Label {
	return Label{
		Indicium:    in.Text(),
		Postage:     in.Postage,
		MailingDate: in.MailingDate,
		OriginZIP:   in.OriginZIP,
		MailClass:   in.MailClass,
		MeterSerial: in.MeterSerial,
		Piece:       in.PieceCount,
	}
}

// Validate checks that the label can be printed and that its human-readable
// block says what the indicium says: a label must never show a postage,
// date, origin, meter or piece number its barcode does not sign.
func (l Label) Validate() error {
	if l.Indicium == "" {
		return errors.New("labels: label has no indicium")
	}
	in, err := indicium.ParseText(l.Indicium)
	if err != nil {
		return fmt.Errorf("labels: label %q: %w", l.ID, err)
	}
	switch {
	case in.Postage != l.Postage:
		return fmt.Errorf("labels: label %q: postage %d differs from the indicium's %d", l.ID, l.Postage, in.Postage)
	case ymd(in.MailingDate) != ymd(l.MailingDate):
		return fmt.Errorf("labels: label %q: date of mailing %s differs from the indicium's %s", l.ID, ymd(l.MailingDate), ymd(in.MailingDate))
	case in.OriginZIP != l.OriginZIP:
		return fmt.Errorf("labels: label %q: origin ZIP %q differs from the indicium's %q", l.ID, l.OriginZIP, in.OriginZIP)
	case in.MeterSerial != l.MeterSerial:
		return fmt.Errorf("labels: label %q: meter serial %q differs from the indicium's %q", l.ID, l.MeterSerial, in.MeterSerial)
	case in.PieceCount != l.Piece:
		return fmt.Errorf("labels: label %q: piece %d differs from the indicium's %d", l.ID, l.Piece, in.PieceCount)
	}
	if l.TrackingNumber != "" {
		if _, err := tracking.Barcode(l.DestZIP, l.TrackingNumber); err != nil {
			return fmt.Errorf("labels: label %q: %w", l.ID, err)
		}
	}
	return nil
}

func ymd(t time.Time) string { return t.UTC().Format("2006-01-02") }

// postageText formats cents as a clerk reads them: "$0.78", "$12.40".
func postageText(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s$%s.%02d", sign, strconv.FormatInt(cents/100, 10), cents%100)
}

// dateText is the US form of the date of mailing printed on the label.
func dateText(t time.Time) string { return t.UTC().Format("01/02/2006") }

// humanBlock is the indicium's human-readable block, line by line, as every
// layout prints it.
type humanBlock struct {
	paid     string
	postage  string
	class    string
	mailed   string
	meter    string
	services string
}

func (l Label) human() humanBlock {
	paid := "U.S. POSTAGE PAID"
	if l.Specimen {
		paid = "SPECIMEN - NOT POSTAGE"
	}
	return humanBlock{
		paid:     paid,
		postage:  postageText(l.Postage),
		class:    strings.ToUpper(l.MailClass),
		mailed:   "MAILED " + dateText(l.MailingDate) + " FROM " + l.OriginZIP,
		meter:    "METER " + l.MeterSerial + "  PIECE " + strconv.FormatInt(l.Piece, 10),
		services: strings.ToUpper(strings.Join(l.Services, ", ")),
	}
}
