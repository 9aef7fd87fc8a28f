// Package tracking builds the Intelligent Mail package barcode (IMpb) of a
// piece: its tracking number (package identification code) from the
// configured Mailer ID, a service type code and a serial, and the GS1-128
// data that carries it with the destination ZIP.
package tracking

import (
	"errors"
	"fmt"
	"strings"
)

// The services bits this package reads: the order postage fixes for the
// indicium's services field (postage.serviceBits; a test there keeps them equal).
const (
	CertifiedBit uint32 = 1 << 0
	SignatureBit uint32 = 1 << 5
)

// Mail classes that always travel tracked (rating's class codes).
const (
	classGroundAdvantage = "GROUND_ADVANTAGE"
	classPriority        = "PRIORITY"
	classPriorityExpress = "PRIORITY_EXPRESS"
)

// serviceTypes are the service type codes of the USPS service type code
// table, per class and the one extra service that decides the code.
var serviceTypes = map[string]struct{ plain, signature, certified string }{
	classGroundAdvantage: {plain: "001", signature: "021", certified: "071"},
	classPriority:        {plain: "055", signature: "108", certified: "089"},
	classPriorityExpress: {plain: "701", signature: "701", certified: "701"},
	// Letters and flats are tracked only with Certified Mail (the article
	// number) or a signature service.
	"": {signature: "021", certified: "071"},
}

// ServiceType gives the service type code of a piece, or false when the
// piece carries no package barcode (a letter or flat without Certified Mail
// or a signature).
func ServiceType(class string, services uint32) (string, bool) {
	st, ok := serviceTypes[class]
	if !ok {
		st = serviceTypes[""]
	}
	switch {
	case services&CertifiedBit != 0:
		return st.certified, true
	case services&SignatureBit != 0:
		return st.signature, true
	case st.plain != "":
		return st.plain, true
	}
	return "", false
}

// MailerID is a USPS Mailer ID: 9 digits (or 6 for a high-volume mailer).
type MailerID string

// ParseMailerID checks a configured Mailer ID; empty turns tracking off.
func ParseMailerID(s string) (MailerID, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if (len(s) != 9 && len(s) != 6) || !digits(s) {
		return "", fmt.Errorf("tracking: Mailer ID %q: want 9 digits (or 6)", s)
	}
	return MailerID(s), nil
}

// SerialDigits is how many digits the serial has with this Mailer ID: the
// tracking number is always 22 digits long.
func (m MailerID) SerialDigits() int {
	if len(m) == 6 {
		return 10
	}
	return 7
}

// Number builds the 22-digit tracking number: the channel application
// identifier (92 for a 9-digit Mailer ID, 93 for a 6-digit one), the service
// type code, the Mailer ID, the serial (taken modulo its width) and the
// mod-10 check digit.
func (m MailerID) Number(serviceType string, serial int64) (string, error) {
	if m == "" {
		return "", errors.New("tracking: no Mailer ID configured")
	}
	if len(serviceType) != 3 || !digits(serviceType) {
		return "", fmt.Errorf("tracking: service type code %q", serviceType)
	}
	ai := "92"
	if len(m) == 6 {
		ai = "93"
	}
	n := m.SerialDigits()
	mod := int64(1)
	for range n {
		mod *= 10
	}
	s := ai + serviceType + string(m) + fmt.Sprintf("%0*d", n, ((serial%mod)+mod)%mod)
	return s + string(rune('0'+CheckDigit(s))), nil
}

// CheckDigit is the mod-10 check digit of the USPS package identification
// code (the GS1 rule): from the rightmost digit, every other digit counts
// three times; the check digit brings the sum to a multiple of ten.
func CheckDigit(s string) int {
	sum := 0
	for i := 0; i < len(s); i++ {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return (10 - sum%10) % 10
}

// Valid reports whether number is a 22-digit tracking number whose check digit holds.
func Valid(number string) bool {
	return len(number) == 22 && digits(number) && CheckDigit(number[:21]) == int(number[21]-'0')
}

// FNC1 separates the GS1 element strings in the barcode data (the code set's
// function character; the encoder turns it into the symbol's FNC1).
const FNC1 = '\u00f1'

// Barcode is the data of the GS1-128 symbol: FNC1, AI 420 with the
// destination's 5-digit ZIP, FNC1, then the tracking number (which begins
// with its own application identifier, 92 or 93).
func Barcode(destZIP, number string) (string, error) {
	zip := destZIP
	if len(zip) > 5 {
		zip = zip[:5]
	}
	if len(zip) != 5 || !digits(zip) {
		return "", fmt.Errorf("tracking: destination ZIP %q", destZIP)
	}
	if !Valid(number) {
		return "", fmt.Errorf("tracking: tracking number %q", number)
	}
	return string(FNC1) + "420" + zip + string(FNC1) + number, nil
}

// HumanReadable groups the tracking number in fours, as printed under the barcode.
func HumanReadable(number string) string {
	var b strings.Builder
	for i := 0; i < len(number); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(number[i:min(i+4, len(number))])
	}
	return b.String()
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
