package rating

import "time"

// Class codes: the mail classes (and shapes) the rater prices.
const (
	ClassFirstClassLetter  = "FCM_LETTER" // First-Class Mail letter, metered price
	ClassFirstClassFlat    = "FCM_FLAT"   // First-Class Mail large envelope (flat)
	ClassGroundAdvantage   = "GROUND_ADVANTAGE"
	ClassPriority          = "PRIORITY"
	ClassPriorityExpress   = "PRIORITY_EXPRESS"
	ClassIntlLetter        = "FCMI_LETTER" // First-Class Mail International letter
	ClassIntlLargeEnvelope = "FCMI_FLAT"   // First-Class Mail International large envelope
)

// Service codes: extra services that can be added to a piece.
const (
	ServiceCertified               = "CERTIFIED"
	ServiceReturnReceipt           = "RETURN_RECEIPT"            // hardcopy (PS Form 3811)
	ServiceReturnReceiptElectronic = "RETURN_RECEIPT_ELECTRONIC" // emailed PDF
	ServiceRegistered              = "REGISTERED"
	ServiceInsurance               = "INSURANCE"
	ServiceSignatureConfirmation   = "SIGNATURE_CONFIRMATION"
)

// Line codes that are not classes or services.
const (
	LineNonmachinable = "NONMACHINABLE"
)

// ClassNames gives each class code its human name.
var classNames = map[string]string{
	ClassFirstClassLetter:  "First-Class Mail Letter (metered)",
	ClassFirstClassFlat:    "First-Class Mail Large Envelope",
	ClassGroundAdvantage:   "USPS Ground Advantage",
	ClassPriority:          "Priority Mail",
	ClassPriorityExpress:   "Priority Mail Express",
	ClassIntlLetter:        "First-Class Mail International Letter",
	ClassIntlLargeEnvelope: "First-Class Mail International Large Envelope",
}

var serviceNames = map[string]string{
	ServiceCertified:               "Certified Mail",
	ServiceReturnReceipt:           "Return Receipt (hardcopy)",
	ServiceReturnReceiptElectronic: "Return Receipt (electronic)",
	ServiceRegistered:              "Registered Mail",
	ServiceInsurance:               "Insurance",
	ServiceSignatureConfirmation:   "Signature Confirmation",
	LineNonmachinable:              "Nonmachinable surcharge",
}

// domesticClasses and intlClasses are the order Compare presents classes in.
var (
	domesticClasses = []string{ClassFirstClassLetter, ClassFirstClassFlat, ClassGroundAdvantage, ClassPriority, ClassPriorityExpress}
	intlClasses     = []string{ClassIntlLetter, ClassIntlLargeEnvelope}
)

// Classes returns every class code, domestic first.
func Classes() []string {
	return append(append([]string{}, domesticClasses...), intlClasses...)
}

// Services returns every extra-service code.
func Services() []string {
	return []string{ServiceCertified, ServiceReturnReceipt, ServiceReturnReceiptElectronic,
		ServiceRegistered, ServiceInsurance, ServiceSignatureConfirmation}
}

// ClassName returns the human name of a class code ("" if unknown).
func ClassName(code string) string { return classNames[code] }

// ServiceName returns the human name of a service code ("" if unknown).
func ServiceName(code string) string { return serviceNames[code] }

// Piece is one mail piece to rate.
//
// Dimensions are optional for envelopes and required only where a rule needs
// them. For letters and large envelopes LengthIn is the side parallel to the
// address, WidthIn the other side and HeightIn the thickness.
type Piece struct {
	Class                       string
	WeightOz                    float64
	LengthIn, WidthIn, HeightIn float64
	OriginZIP, DestZIP          string
	Country                     string // ISO 3166 alpha-2; "" or "US" means domestic
	Services                    []string
	DeclaredValueCents          int64
	Date                        time.Time // date of mailing; picks the price list in effect
}

// International reports whether the piece goes abroad.
func (p Piece) International() bool {
	return p.Country != "" && p.Country != "US"
}

// Line is one priced item of a quote.
type Line struct {
	Code        string
	Description string
	Cents       int64
}

// Quote is the itemised price of a piece in one class.
//
// From Compare, a class that does not accept the piece has OK false and a
// Reason a person understands; its Lines and TotalCents are empty.
type Quote struct {
	Class            string
	ClassName        string
	Zone             int // domestic zone 1-9; 0 when not zoned
	PriceGroup       int // international price group; 0 when domestic
	BillableWeightOz float64
	Lines            []Line
	TotalCents       int64
	TableVersion     string
	OK               bool
	Reason           string
}
