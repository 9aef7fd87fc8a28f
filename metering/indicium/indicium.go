package indicium

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Layout constants. Version and algorithm are the first two bytes so a
// verifier can reject a layout it does not know before reading further.
const (
	Version1           byte = 1 // key id, class as text; still verified
	Version2           byte = 2 // certificate serial, descending register, class code, software id; what the box signs for a US destination
	Version3           byte = 3 // version 2 plus the destination country; what the box signs for a piece mailed abroad
	AlgECDSAP256       byte = 1 // ECDSA P-256 over SHA-256 of the signed part, signature r||s (64 bytes), s ≤ n/2
	KeyIDSize               = 8
	HashSize                = 16 // truncated SHA-256 of the standardized recipient address
	SignatureSize           = 64
	MaxCertSerial           = 20 // RFC 5280 §4.1.2.2: serial numbers are at most 20 octets
	MaxSoftware             = 32
	MaxForeignPostcode      = 10  // v3: the longest foreign postal code carried, as printed (the UPU's postcodes are at most 10)
	maxString               = 255 // strings carry a one-byte length prefix
)

// ErrMalformed is returned by Parse for bytes that are not an indicium.
var ErrMalformed = errors.New("indicium: malformed")

// ErrBadSignature is returned by Verify when the signature does not match.
var ErrBadSignature = errors.New("indicium: signature does not verify")

// Fields are the signed postal data of one piece. KeyID belongs to layout
// version 1 only; CertSerial, DR and Software to version 2 only.
type Fields struct {
	MeterSerial   string          // the meter (indicia) serial number
	KeyID         [KeyIDSize]byte // v1: first 8 bytes of SHA-256 of the meter key's SubjectPublicKeyInfo; see KeyID
	CertSerial    []byte          // v2: the meter certificate's serial number, unsigned big-endian, no leading zero
	MailingDate   time.Time       // date of mailing; only the UTC calendar date is encoded
	Postage       int64           // cents
	AR            int64           // ascending register after this piece, cents
	DR            int64           // v2: descending register after this piece, cents
	PieceCount    int64           // the meter's piece count after this piece (this piece's number)
	OriginZIP     string          // 5 digits
	DestZIP       string          // 5 or 9 digits, no hyphen; v3: the foreign postal code as printed, possibly empty
	Country       string          // v3: destination country, ISO 3166-1 alpha-2 other than US; "" (or "US") is domestic, signed as v2
	MailClass     string          // mail class code, e.g. "FCM_LETTER" (v2: one of ClassCodes)
	Services      uint32          // bitmask of special services
	RecipientHash [HashSize]byte  // RecipientHash of the standardized address
	Software      string          // v2: software identifier PRODUCT/VERSION, e.g. "INDICIA/1.0"
}

// Indicium is a parsed or freshly signed indicium.
type Indicium struct {
	Version   byte
	Algorithm byte
	Fields
	Signed    []byte              // the exact signed bytes (Encode of Fields)
	Signature [SignatureSize]byte // r||s, each 32 bytes big-endian
}

// Validate checks that the fields fit the layout Sign would use for them
// (version 3 for a foreign destination, else version 2).
func (f Fields) Validate() error { return f.validate(f.layout()) }

// Foreign reports whether the fields name a destination outside the US.
func (f Fields) Foreign() bool { return f.Country != "" && f.Country != "US" }

// layout is the version the box signs f in: a domestic piece keeps
// version 2 byte for byte, so verifiers that know only version 2 go on
// reading every domestic indicium.
func (f Fields) layout() byte {
	if f.Foreign() {
		return Version3
	}
	return Version2
}

func (f Fields) validate(version byte) error {
	switch {
	case f.MeterSerial == "" || len(f.MeterSerial) > maxString || !printable(f.MeterSerial):
		return fmt.Errorf("indicium: meter serial %q: want 1-255 printable ASCII characters", f.MeterSerial)
	case f.MailingDate.IsZero() || f.MailingDate.UTC().Year() < 2000 || f.MailingDate.UTC().Year() > 9999:
		return fmt.Errorf("indicium: mailing date %v out of range", f.MailingDate)
	case f.Postage < 0 || f.Postage > 1<<32-1:
		return fmt.Errorf("indicium: postage %d cents out of range", f.Postage)
	case f.AR < 0 || f.PieceCount < 0 || f.DR < 0:
		return errors.New("indicium: negative register or piece count")
	case !digits(f.OriginZIP, 5):
		return fmt.Errorf("indicium: origin ZIP %q: want 5 digits", f.OriginZIP)
	case version != Version3 && !digits(f.DestZIP, 5) && !digits(f.DestZIP, 9):
		return fmt.Errorf("indicium: destination ZIP %q: want 5 or 9 digits", f.DestZIP)
	case version == Version3 && (len(f.DestZIP) > MaxForeignPostcode || !printable(f.DestZIP)):
		return fmt.Errorf("indicium: foreign postal code %q: want 0-%d printable ASCII characters", f.DestZIP, MaxForeignPostcode)
	case version == Version3 && (!upper2(f.Country) || f.Country == "US"):
		return fmt.Errorf("indicium: destination country %q: want an ISO 3166-1 alpha-2 code other than US", f.Country)
	case version != Version3 && f.Foreign():
		return fmt.Errorf("indicium: layout version %d carries no destination country (%s)", version, f.Country)
	case f.MailClass == "" || len(f.MailClass) > maxString || !printable(f.MailClass):
		return fmt.Errorf("indicium: mail class %q: want 1-255 printable ASCII characters", f.MailClass)
	}
	if version == Version1 {
		return nil
	}
	switch {
	case len(f.CertSerial) == 0 || len(f.CertSerial) > MaxCertSerial || f.CertSerial[0] == 0:
		return fmt.Errorf("indicium: certificate serial %x: want 1-%d bytes without a leading zero", f.CertSerial, MaxCertSerial)
	case ClassCode(f.MailClass) == 0:
		return fmt.Errorf("indicium: mail class %q has no class code", f.MailClass)
	case !validSoftware(f.Software):
		return fmt.Errorf("indicium: software id %q: want PRODUCT/VERSION, 3-%d printable ASCII characters", f.Software, MaxSoftware)
	}
	return nil
}

func validSoftware(s string) bool {
	i := bytes.IndexByte([]byte(s), '/')
	return len(s) <= MaxSoftware && printable(s) && i > 0 && i < len(s)-1
}

// Encode returns the signed part of the indicium for f (algorithm ECDSA
// P-256): version 3 for a foreign destination, else version 2.
func Encode(f Fields) ([]byte, error) { return encode(f.layout(), f) }

// EncodeV1 returns the signed part of a version 1 indicium for f. The box
// no longer signs version 1; it is here so verifiers and tests can build
// the layout they still accept.
func EncodeV1(f Fields) ([]byte, error) { return encode(Version1, f) }

func encode(version byte, f Fields) ([]byte, error) {
	if err := f.validate(version); err != nil {
		return nil, err
	}
	d := f.MailingDate.UTC()
	b := make([]byte, 0, 160)
	b = append(b, version, AlgECDSAP256)
	b = appendString(b, f.MeterSerial)
	if version == Version1 {
		b = append(b, f.KeyID[:]...)
	} else {
		b = appendString(b, string(f.CertSerial))
	}
	b = binary.BigEndian.AppendUint32(b, uint32(d.Year()*10000+int(d.Month())*100+d.Day()))
	b = binary.BigEndian.AppendUint32(b, uint32(f.Postage))
	b = binary.BigEndian.AppendUint64(b, uint64(f.AR))
	if version != Version1 {
		b = binary.BigEndian.AppendUint64(b, uint64(f.DR))
	}
	b = binary.BigEndian.AppendUint64(b, uint64(f.PieceCount))
	b = append(b, f.OriginZIP...)
	b = appendString(b, f.DestZIP)
	if version == Version3 {
		b = append(b, f.Country...)
	}
	if version == Version1 {
		b = appendString(b, f.MailClass)
	} else {
		b = append(b, ClassCode(f.MailClass))
	}
	b = binary.BigEndian.AppendUint32(b, f.Services)
	b = append(b, f.RecipientHash[:]...)
	if version != Version1 {
		b = appendString(b, f.Software)
	}
	return b, nil
}

// Bytes returns the whole indicium: the signed part followed by the signature.
func (in Indicium) Bytes() []byte {
	return append(append(make([]byte, 0, len(in.Signed)+SignatureSize), in.Signed...), in.Signature[:]...)
}

// Parse decodes an indicium of any known version. It checks the layout
// only; call Verify (or VerifyWithCertificates) to check the signature.
func Parse(b []byte) (Indicium, error) {
	r := reader{b: b}
	var in Indicium
	in.Version, in.Algorithm = r.byte(), r.byte()
	if r.err == nil && ((in.Version != Version1 && in.Version != Version2 && in.Version != Version3) || in.Algorithm != AlgECDSAP256) {
		return Indicium{}, fmt.Errorf("%w: unknown version %d / algorithm %d", ErrMalformed, in.Version, in.Algorithm)
	}
	v2 := in.Version != Version1 // versions 2 and 3 share every field but the country
	in.MeterSerial = r.string()
	if v2 {
		in.CertSerial = []byte(r.string())
	} else {
		copy(in.KeyID[:], r.bytes(KeyIDSize))
	}
	date := r.uint32()
	in.Postage = int64(r.uint32())
	in.AR = int64(r.uint64())
	if v2 {
		in.DR = int64(r.uint64())
	}
	in.PieceCount = int64(r.uint64())
	in.OriginZIP = string(r.bytes(5))
	in.DestZIP = r.string()
	if in.Version == Version3 {
		in.Country = string(r.bytes(2))
	}
	if v2 {
		code := r.byte()
		if in.MailClass = ClassName(code); in.MailClass == "" && r.err == nil {
			return Indicium{}, fmt.Errorf("%w: unknown mail class code %d", ErrMalformed, code)
		}
	} else {
		in.MailClass = r.string()
	}
	in.Services = r.uint32()
	copy(in.RecipientHash[:], r.bytes(HashSize))
	if v2 {
		in.Software = r.string()
	}
	signedLen := r.off
	copy(in.Signature[:], r.bytes(SignatureSize))
	if r.err != nil {
		return Indicium{}, r.err
	}
	if r.off != len(b) {
		return Indicium{}, fmt.Errorf("%w: %d trailing bytes", ErrMalformed, len(b)-r.off)
	}
	y, m, d := int(date/10000), time.Month(date/100%100), int(date%100)
	in.MailingDate = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if in.MailingDate.Year() != y || in.MailingDate.Month() != m || in.MailingDate.Day() != d {
		return Indicium{}, fmt.Errorf("%w: invalid date %d", ErrMalformed, date)
	}
	if in.AR < 0 || in.PieceCount < 0 || in.DR < 0 {
		return Indicium{}, fmt.Errorf("%w: register out of range", ErrMalformed)
	}
	if err := in.Fields.validate(in.Version); err != nil {
		return Indicium{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	in.Signed = append([]byte(nil), b[:signedLen]...)
	return in, nil
}

func appendString(b []byte, s string) []byte {
	return append(append(b, byte(len(s))), s...)
}

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func upper2(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// reader reads big-endian fields and remembers the first error.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.b)-r.off {
		r.err = fmt.Errorf("%w: truncated at byte %d", ErrMalformed, r.off)
		return nil
	}
	p := r.b[r.off : r.off+n]
	r.off += n
	return p
}

func (r *reader) byte() byte {
	if p := r.bytes(1); p != nil {
		return p[0]
	}
	return 0
}

func (r *reader) uint32() uint32 {
	if p := r.bytes(4); p != nil {
		return binary.BigEndian.Uint32(p)
	}
	return 0
}

func (r *reader) uint64() uint64 {
	if p := r.bytes(8); p != nil {
		return binary.BigEndian.Uint64(p)
	}
	return 0
}

func (r *reader) string() string {
	return string(r.bytes(int(r.byte())))
}
