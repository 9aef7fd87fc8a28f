package indicium_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"indicia/metering/indicium"
	"indicia/metering/rating"
	"indicia/postage"
)

// The test vectors, class codes and service bits of docs/INDICIUM.md are
// checked against the implementation, so the document cannot drift from
// what is printed. INDICIUM_VECTORS=print prints a fresh vector block
// (signatures are randomized; any low-S signature verifies).

const docPath = "../../docs/INDICIUM.md"

// vectorKey is the published test meter key: d = SHA-256("indicia test vector meter key").
func vectorKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	d := sha256.Sum256([]byte("indicia test vector meter key"))
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// docBlock returns the lines of the fenced block that follows the marker
// line "<!-- name -->" in the document.
func docBlock(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "<!-- "+name+" -->")
	if !ok {
		t.Fatalf("%s has no <!-- %s --> block", docPath, name)
	}
	var lines []string
	in := false
	sc := bufio.NewScanner(strings.NewReader(rest))
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "```") {
			if in {
				return lines
			}
			in = true
			continue
		}
		if in {
			lines = append(lines, l)
		}
	}
	t.Fatalf("block %s not closed", name)
	return nil
}

// docTable returns the first two cells of the rows of the markdown table
// that follows "<!-- name -->".
func docTable(t *testing.T, name string) [][2]string {
	t.Helper()
	data, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "<!-- "+name+" -->")
	if !ok {
		t.Fatalf("%s has no <!-- %s --> table", docPath, name)
	}
	var rows [][2]string
	for _, l := range strings.Split(strings.TrimLeft(rest, "\n"), "\n") {
		if !strings.HasPrefix(l, "|") {
			break
		}
		cells := strings.Split(strings.Trim(l, "|"), "|")
		a, b := strings.Trim(strings.TrimSpace(cells[0]), "`"), strings.Trim(strings.TrimSpace(cells[1]), "`")
		if strings.HasPrefix(a, "-") || a == "code" || a == "bit" {
			continue
		}
		rows = append(rows, [2]string{a, b})
	}
	return rows
}

func TestDocClassCodes(t *testing.T) {
	rows := docTable(t, "class-codes")
	got := map[byte]string{}
	for _, r := range rows {
		n, err := strconv.Atoi(r[0])
		if err != nil {
			t.Fatalf("class code row %v", r)
		}
		got[byte(n)] = r[1]
	}
	if fmt.Sprint(got) != fmt.Sprint(indicium.ClassCodes()) {
		t.Errorf("docs class codes %v, implementation %v", got, indicium.ClassCodes())
	}
	for _, c := range rating.Classes() {
		if indicium.ClassCode(c) == 0 {
			t.Errorf("rated class %s has no indicium class code", c)
		}
	}
}

func TestDocServiceBits(t *testing.T) {
	rows := docTable(t, "service-bits")
	var doc []string
	for i, r := range rows {
		if r[0] != strconv.Itoa(i) {
			t.Fatalf("service bit row %d is %v", i, r)
		}
		doc = append(doc, r[1])
		if got := postage.ServiceCodes(1 << i); len(got) != 1 || got[0] != r[1] {
			t.Errorf("bit %d: docs %s, implementation %v", i, r[1], got)
		}
	}
	if !slices.Equal(doc, postage.ServiceCodes(1<<len(doc)-1)) || len(postage.ServiceCodes(1<<len(doc))) != 0 {
		t.Errorf("docs list service bits %v, implementation %v", doc, postage.ServiceCodes(^uint32(0)))
	}
	for _, s := range rating.Services() {
		if !postage.KnownService(s) {
			t.Errorf("rated service %s has no bit", s)
		}
	}
}

type vector map[string]string

var quoted = regexp.MustCompile(`^"(.*)"$`)

// vectors reads "name value" lines; a blank line ends a vector.
func vectors(t *testing.T) []vector {
	var out []vector
	cur := vector{}
	for _, l := range append(docBlock(t, "test-vectors"), "") {
		l = strings.TrimSpace(l)
		if l == "" {
			if len(cur) > 0 {
				out = append(out, cur)
				cur = vector{}
			}
			continue
		}
		k, v, _ := strings.Cut(l, " ")
		v = strings.TrimSpace(v)
		if m := quoted.FindStringSubmatch(v); m != nil {
			v = m[1]
		}
		cur[k] += v // long values continue on the next line under the same name
	}
	return out
}

func (v vector) int(t *testing.T, k string) int64 {
	n, err := strconv.ParseInt(v[k], 10, 64)
	if err != nil {
		t.Fatalf("vector %s: %s: %v", v["vector"], k, err)
	}
	return n
}

func (v vector) hex(t *testing.T, k string) []byte {
	b, err := hex.DecodeString(v[k])
	if err != nil {
		t.Fatalf("vector %s: %s: %v", v["vector"], k, err)
	}
	return b
}

func (v vector) fields(t *testing.T) indicium.Fields {
	date, err := time.Parse(time.DateOnly, v["mailing-date"])
	if err != nil {
		t.Fatal(err)
	}
	f := indicium.Fields{MeterSerial: v["meter-serial"], MailingDate: date, Postage: v.int(t, "postage"), AR: v.int(t, "ascending-register"),
		PieceCount: v.int(t, "piece-count"), OriginZIP: v["origin-zip"], DestZIP: v["dest-zip"], MailClass: v["mail-class"],
		Services: uint32(v.int(t, "services")), RecipientHash: indicium.RecipientHash(v["recipient"])}
	if v["version"] == "1" {
		copy(f.KeyID[:], v.hex(t, "key-id"))
	} else {
		f.CertSerial, f.DR, f.Software = v.hex(t, "cert-serial"), v.int(t, "descending-register"), v["software"]
	}
	f.Country = v["dest-country"] // version 3 only
	return f
}

func TestDocVectors(t *testing.T) {
	key := vectorKey(t)
	vs := vectors(t)
	if len(vs) < 4 {
		t.Fatalf("%d vectors in the doc", len(vs))
	}
	if got := hex.EncodeToString(mustBytes(key.PublicKey.Bytes())); vs[0]["public-key"] != got {
		t.Errorf("public key: docs %s, implementation %s", vs[0]["public-key"], got)
	}
	seen := map[string]bool{}
	for _, v := range vs {
		name := v["vector"]
		seen[strings.SplitN(name, "-v", 2)[0]] = true
		switch {
		case strings.HasPrefix(name, "recipient-hash"):
			h := indicium.RecipientHash(v["input"])
			if got := hex.EncodeToString(h[:]); got != v["hash"] {
				t.Errorf("%s: RecipientHash(%q) = %s, docs say %s", name, v["input"], got, v["hash"])
			}
		case strings.HasPrefix(name, "indicium"):
			checkIndiciumVector(t, key, v)
		}
	}
	if !seen["recipient-hash"] || !seen["indicium"] {
		t.Errorf("vectors %v: want recipient-hash and indicium ones", seen)
	}
}

func mustBytes(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func checkIndiciumVector(t *testing.T, key *ecdsa.PrivateKey, v vector) {
	name := v["vector"]
	f := v.fields(t)
	enc := indicium.Encode
	if v["version"] == "1" {
		enc = indicium.EncodeV1
		id, _ := indicium.KeyID(&key.PublicKey)
		if hex.EncodeToString(id[:]) != v["key-id"] {
			t.Errorf("%s: key id of the test key is %x", name, id)
		}
	} else if serial, _ := indicium.CertSerial(&key.PublicKey); hex.EncodeToString(serial) != v["cert-serial"] {
		t.Errorf("%s: certificate serial of the test key is %x", name, serial)
	}
	signed, err := enc(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if got := hex.EncodeToString(signed); got != v["signed-part"] {
		t.Errorf("%s: signed part\n got %s\ndocs %s", name, got, v["signed-part"])
	}
	in, err := indicium.ParseText(v["text"])
	if err != nil {
		t.Fatalf("%s: text: %v", name, err)
	}
	if len(v["text"]) != int(v.int(t, "text-length")) || len(in.Bytes()) != int(v.int(t, "length")) {
		t.Errorf("%s: %d bytes, %d characters; docs say %s and %s", name, len(in.Bytes()), len(v["text"]), v["length"], v["text-length"])
	}
	if hex.EncodeToString(in.Signed) != v["signed-part"] || hex.EncodeToString(in.Signature[:]) != v["signature"] {
		t.Errorf("%s: the text's signed part or signature differs from signed-part and signature", name)
	}
	err = in.Verify(&key.PublicKey)
	switch v["expect"] {
	case "valid":
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	case "high-s":
		if !errors.Is(err, indicium.ErrHighS) {
			t.Errorf("%s: got %v, want the high-S refusal", name, err)
		}
	default:
		t.Errorf("%s: expect %q", name, v["expect"])
	}
}

// The longest indicium the box prints, as the document states it: a
// 32-character meter serial (the box's limit), a 16-byte certificate serial
// (certificates made before serials were derived), ZIP+4.
func TestDocLongestIndicium(t *testing.T) {
	key := vectorKey(t)
	serial := make([]byte, 16)
	serial[0] = 0x7f
	f := indicium.Fields{MeterSerial: strings.Repeat("M", 32), CertSerial: serial, MailingDate: time.Now(), Postage: 1<<32 - 1,
		AR: 1 << 62, DR: 1 << 62, PieceCount: 1 << 62, OriginZIP: "99999", DestZIP: "999999999", MailClass: "PRIORITY_EXPRESS",
		Services: ^uint32(0), Software: "INDICIA/1.0"}
	in, err := indicium.Sign(f, key)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("is %d bytes, **%d characters**", len(in.Bytes()), len(in.Text())); !strings.Contains(string(data), want) {
		t.Errorf("the document does not say the longest indicium %q", want)
	}
}

// TestPrintVectors prints a vector block for the document.
func TestPrintVectors(t *testing.T) {
	if os.Getenv("INDICIUM_VECTORS") != "print" {
		t.Skip("INDICIUM_VECTORS=print prints fresh vectors")
	}
	key := vectorKey(t)
	fmt.Printf("vector             key\npublic-key         %x\n\n", mustBytes(key.PublicKey.Bytes()))
	for _, r := range []string{"1600 PENNSYLVANIA AVE NW, WASHINGTON DC 20500-0003", "350 5TH AVE STE 4200, NEW YORK NY 10118-0110", "URB LAS GLADIOLAS, 150 CALLE A, SAN JUAN PR 00926-3232"} {
		h := indicium.RecipientHash(r)
		fmt.Printf("vector             recipient-hash\ninput              %q\nhash               %x\n\n", r, h)
	}
	serial, _ := indicium.CertSerial(&key.PublicKey)
	id, _ := indicium.KeyID(&key.PublicKey)
	base := indicium.Fields{MeterSerial: "IN000010001", CertSerial: serial, MailingDate: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC),
		Postage: 78, AR: 1078, DR: 8922, PieceCount: 12, OriginZIP: "06901", DestZIP: "205000003", MailClass: "FCM_LETTER",
		Services: 0b1, RecipientHash: indicium.RecipientHash("1600 PENNSYLVANIA AVE NW, WASHINGTON DC 20500-0003"), Software: "INDICIA/1.0"}
	recipient := "1600 PENNSYLVANIA AVE NW, WASHINGTON DC 20500-0003"
	print := func(name, expect string, in indicium.Indicium, f indicium.Fields) {
		fmt.Printf("vector             %s\nversion            %d\n", name, in.Version)
		fmt.Printf("meter-serial       %s\n", f.MeterSerial)
		if in.Version == 1 {
			fmt.Printf("key-id             %x\n", f.KeyID)
		} else {
			fmt.Printf("cert-serial        %x\n", f.CertSerial)
		}
		fmt.Printf("mailing-date       %s\npostage            %d\nascending-register %d\n", f.MailingDate.Format(time.DateOnly), f.Postage, f.AR)
		if in.Version != 1 {
			fmt.Printf("descending-register %d\n", f.DR)
		}
		fmt.Printf("piece-count        %d\norigin-zip         %s\ndest-zip           %s\n", f.PieceCount, f.OriginZIP, f.DestZIP)
		if in.Version == 3 {
			fmt.Printf("dest-country       %s\n", f.Country)
		}
		fmt.Printf("mail-class         %s\nservices           %d\n", f.MailClass, f.Services)
		fmt.Printf("recipient          %q\n", recipient)
		if in.Version != 1 {
			fmt.Printf("software           %s\n", f.Software)
		}
		s := hex.EncodeToString(in.Signed)
		for len(s) > 64 {
			fmt.Printf("signed-part        %s\n", s[:64])
			s = s[64:]
		}
		fmt.Printf("signed-part        %s\n", s)
		fmt.Printf("signature          %x\n", in.Signature)
		fmt.Printf("length             %d\ntext-length        %d\n", len(in.Bytes()), len(in.Text()))
		tx := in.Text()
		for len(tx) > 64 {
			fmt.Printf("text               %s\n", tx[:64])
			tx = tx[64:]
		}
		fmt.Printf("text               %s\nexpect             %s\n\n", tx, expect)
	}
	in, err := indicium.Sign(base, key)
	if err != nil {
		t.Fatal(err)
	}
	print("indicium-v2", "valid", in, base)
	twin := in
	new(big.Int).Sub(elliptic.P256().Params().N, new(big.Int).SetBytes(in.Signature[32:])).FillBytes(twin.Signature[32:])
	print("indicium-v2-high-s", "high-s", twin, base)
	ga := base
	ga.MailClass, ga.Services, ga.Postage, ga.AR, ga.DR, ga.PieceCount = "PRIORITY_EXPRESS", 0b100100, 3165, 4243, 5757, 13
	in2, err := indicium.Sign(ga, key)
	if err != nil {
		t.Fatal(err)
	}
	print("indicium-v2-express", "valid", in2, ga)
	v1 := base
	v1.KeyID, v1.CertSerial, v1.DR, v1.Software = id, nil, 0, ""
	in1, err := indicium.SignV1(v1, key)
	if err != nil {
		t.Fatal(err)
	}
	print("indicium-v1", "valid", in1, v1)
	recipient = "24 SUSSEX DR, OTTAWA ON K1M 1M4, CANADA"
	v3 := base
	v3.DestZIP, v3.Country, v3.MailClass, v3.Services, v3.Postage = "K1M 1M4", "CA", "FCMI_LETTER", 0, 170
	v3.RecipientHash = indicium.RecipientHash(recipient)
	in3, err := indicium.Sign(v3, key)
	if err != nil {
		t.Fatal(err)
	}
	print("indicium-v3", "valid", in3, v3)
}
