package tracking

import (
	"strings"
	"testing"
)

// The check digit is the GS1 mod-10 rule, on numbers worked by hand.
func TestCheckDigit(t *testing.T) {
	for _, c := range []struct {
		data string
		want int
	}{
		{"0", 0},
		{"1", 7},            // 3 -> 7
		{"19", 2},           // 9*3 + 1 = 28 -> 2
		{"123", 6},          // 3*3 + 2 + 1*3 = 14 -> 6
		{"400638133393", 1}, // the EAN-13 4006381333931
		// 92 055 123456789 0000001: 3*(9+0+5+2+4+6+8+0+0+0+1) + (2+5+1+3+5+7+9+0+0+0) = 137 -> 3
		{"920551234567890000001", 3},
	} {
		if got := CheckDigit(c.data); got != c.want {
			t.Errorf("CheckDigit(%s) = %d, want %d", c.data, got, c.want)
		}
	}
}

// A 9-digit Mailer ID gives 92 + code + MID + 7-digit serial + check; a
// 6-digit one 93 + code + MID + 10-digit serial + check; both 22 digits.
func TestNumber(t *testing.T) {
	m, err := ParseMailerID("123456789")
	if err != nil {
		t.Fatal(err)
	}
	n, err := m.Number("055", 1)
	if err != nil || n != "9205512345678900000013" {
		t.Errorf("Number = %q, %v", n, err)
	}
	if !Valid(n) || Valid("9205512345678900000012") {
		t.Errorf("Valid does not check the check digit")
	}
	// The serial wraps at its width rather than spilling into the check digit.
	if w, _ := m.Number("055", 10_000_001); w != n {
		t.Errorf("serial 10,000,001 gives %s, want %s", w, n)
	}
	six, _ := ParseMailerID("654321")
	n6, _ := six.Number("701", 42)
	if len(n6) != 22 || !strings.HasPrefix(n6, "93701654321000000004") || !Valid(n6) {
		t.Errorf("6-digit Mailer ID: %s", n6)
	}
	for _, bad := range []string{"12345", "1234567890", "12345678x"} {
		if _, err := ParseMailerID(bad); err == nil {
			t.Errorf("ParseMailerID(%q) accepted", bad)
		}
	}
	if m, err := ParseMailerID(""); err != nil || m != "" {
		t.Errorf("empty Mailer ID should turn tracking off")
	}
}

// Packages are always tracked; a letter or flat only with Certified Mail or a signature.
func TestServiceType(t *testing.T) {
	for _, c := range []struct {
		class    string
		services uint32
		want     string
		tracked  bool
	}{
		{"GROUND_ADVANTAGE", 0, "001", true},
		{"PRIORITY", 0, "055", true},
		{"PRIORITY_EXPRESS", 0, "701", true},
		{"PRIORITY", SignatureBit, "108", true},
		{"FCM_LETTER", 0, "", false},
		{"FCM_FLAT", 1 << 1, "", false}, // return receipt alone is not tracked
		{"FCM_LETTER", CertifiedBit, "071", true},
		{"FCM_LETTER", SignatureBit, "021", true},
	} {
		got, ok := ServiceType(c.class, c.services)
		if got != c.want || ok != c.tracked {
			t.Errorf("ServiceType(%s, %b) = %q, %v; want %q, %v", c.class, c.services, got, ok, c.want, c.tracked)
		}
	}
}

func TestBarcodeAndHumanReadable(t *testing.T) {
	d, err := Barcode("90210-1234", "9205512345678900000013")
	if err != nil || d != "\u00f142090210\u00f19205512345678900000013" {
		t.Errorf("Barcode = %q, %v", d, err)
	}
	if _, err := Barcode("9021", "9205512345678900000013"); err == nil {
		t.Errorf("a short ZIP was accepted")
	}
	if h := HumanReadable("9205512345678900000013"); h != "9205 5123 4567 8900 0000 13" {
		t.Errorf("HumanReadable = %q", h)
	}
}
