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
	kid, err := indicium.KeyID(&key.PublicKey)
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
		KeyID:         kid,
		MailingDate:   time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
		Postage:       78 + int64(n)*105,
		AR:            100_000 + int64(n)*78,
		PieceCount:    4000 + int64(n),
		OriginZIP:     "20001",
		DestZIP:       zip,
		MailClass:     "FCM",
		Services:      uint32(n % 4),
		RecipientHash: indicium.RecipientHash(strings.Join(to, "\n")),
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
