package labels

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"indicia/metering/indicium"
)

// testKey is a throwaway meter key made per test run.
func testKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var testRecipients = [][]string{
	{"JANE Q PUBLIC", "1600 PENNSYLVANIA AVE NW", "WASHINGTON DC 20500-0003"},
	{"ACME WIDGETS INC", "ATTN RECEIVING DEPT", "350 FIFTH AVE STE 4200", "NEW YORK NY 10118-0110"},
	{"JOSÉ ÑUÑEZ", "123 MAIN ST APT 4B", "A VERY LONG LINE THAT WOULD NOT FIT ON ANY LABEL AT ALL EVEN SMALL", "SPRINGFIELD IL 62701"},
}

// testLabel signs an indicium for piece n and builds its label as the
// purchase flow would.
func testLabel(t testing.TB, key *ecdsa.PrivateKey, n int) (Label, indicium.Indicium) {
	t.Helper()
	certSerial, err := indicium.CertSerial(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	to := testRecipients[n%len(testRecipients)]
	zip := strings.ReplaceAll(to[len(to)-1][len(to[len(to)-1])-10:], "-", "")
	if strings.Contains(to[len(to)-1], "62701") {
		zip = "62701"
	}
	f := indicium.Fields{
		MeterSerial:   "IND-000123",
		CertSerial:    certSerial,
		MailingDate:   time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
		Postage:       78 + int64(n)*105,
		AR:            100_000 + int64(n)*78,
		PieceCount:    4000 + int64(n),
		OriginZIP:     "20001",
		DestZIP:       zip,
		DR:            500_000 - int64(n%5000)*78,
		MailClass:     "FCM_LETTER",
		Services:      uint32(n % 4),
		RecipientHash: indicium.RecipientHash(strings.Join(to, "\n")),
		Software:      "INDICIA/1.0",
	}
	in, err := indicium.Sign(f, key)
	if err != nil {
		t.Fatal(err)
	}
	l := FromIndicium(in)
	l.ID = fmt.Sprintf("LBL-%06d", n)
	l.MailClass = "First-Class Mail"
	if n%2 == 1 {
		l.Services = []string{"Certified Mail", "Return Receipt"}
	}
	l.From = []string{"INDICIA TEST MAILER", "100 F ST NE", "WASHINGTON DC 20001-1234"}
	l.To = to
	if n%3 != 2 {
		l.Reference = fmt.Sprintf("ORDER %d_^~", 9000+n)
	}
	return l, in
}

// needTool returns the path of an external decoder; without it the test is
// skipped on a developer machine and fails under CI.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required under CI: %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

// testBatch is three labels of one meter, with their indicia and key.
func testBatch(t testing.TB) ([]Label, []indicium.Indicium, *ecdsa.PrivateKey) {
	t.Helper()
	key := testKey(t)
	var ls []Label
	var ins []indicium.Indicium
	for i := 0; i < 3; i++ {
		l, in := testLabel(t, key, i)
		ls = append(ls, l)
		ins = append(ins, in)
	}
	return ls, ins, key
}

// checkScanned asserts what a postal verifier checks: the scanned text is the
// label's indicium, it parses, and it verifies with the meter's public key.
func checkScanned(t *testing.T, who, got string, want Label, key *ecdsa.PrivateKey) {
	t.Helper()
	got = strings.TrimSpace(got)
	if got != want.Indicium {
		t.Errorf("%s read %q, want the indicium text %q", who, got, want.Indicium)
		return
	}
	in, err := indicium.ParseText(got)
	if err != nil {
		t.Errorf("%s: ParseText: %v", who, err)
		return
	}
	if err := in.Verify(&key.PublicKey); err != nil {
		t.Errorf("%s: Verify: %v", who, err)
	}
	if in.Postage != want.Postage || in.PieceCount != want.Piece || in.MeterSerial != want.MeterSerial {
		t.Errorf("%s: decoded postage %d piece %d meter %q, label prints %d %d %q", who, in.Postage, in.PieceCount, in.MeterSerial, want.Postage, want.Piece, want.MeterSerial)
	}
}

// runDecoder runs an external decoder on file and returns its stdout.
func runDecoder(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Logf("%s %v: %v", name, args, err)
	}
	return string(out)
}

// zxingText extracts the text from `ZXingReader -1` output: FILE FORMAT "TEXT".
func zxingText(out string) string {
	i := strings.Index(out, "DataMatrix \"")
	if i < 0 {
		return ""
	}
	s := out[i+len("DataMatrix \""):]
	if j := strings.LastIndex(s, "\""); j >= 0 {
		s = s[:j]
	}
	return s
}
