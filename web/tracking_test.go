package web_test

import (
	"bytes"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"

	"indicia/metering/tracking"
	"indicia/web/webtest"
)

// readGS1128 decodes the label image's linear barcode with ZXing's Code 128
// reader (gozxing). Told to expect GS1, it reports an FNC1 in first position
// as the symbology identifier ]C1 (GS1-128) and a later FNC1 as GS.
func readGS1128(t *testing.T, png []byte) string {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := oned.NewCode128Reader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true, gozxing.DecodeHintType_ASSUME_GS1: true})
	if err != nil {
		t.Fatalf("no Code 128 symbol found on the label: %v", err)
	}
	return res.GetText()
}

// A package gets an Intelligent Mail package barcode: the tracking number is
// built from the Mailer ID, stored, returned by the API, listed, printed under
// the bars, and the bars read back (by a decoder we did not write) as AI 420
// with the ZIP and the tracking number. A plain letter gets none, and a
// Certified Mail letter gets its article number the same way.
func TestPackagesAndCertifiedMailCarryATrackingBarcode(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	var purchase string
	buy := func(piece string) map[string]any {
		t.Helper()
		code, out := apiCall(t, e, k, "POST", "/api/v1/labels", `{"pieces":[`+piece+`]}`)
		if code != 201 {
			t.Fatalf("buy %s: %d %v", piece, code, out)
		}
		purchase = out["id"].(string)
		return out["labels"].([]any)[0].(map[string]any)
	}
	const to = `"recipient":{"name":"Ann Lee","address":"9 elm street, beverly hills ca 90210"}`
	pkg := buy(`{"mail_class":"PRIORITY","weight_oz":20,"length":10,"width":8,"height":4,` + to + `}`)
	number, _ := pkg["tracking_number"].(string)
	if !tracking.Valid(number) || !strings.HasPrefix(number, "92055"+webtest.TrackingMailerID) {
		t.Fatalf("Priority Mail tracking number %q: want 92, service type 055, Mailer ID %s, serial, check digit", number, webtest.TrackingMailerID)
	}
	id := pkg["id"].(string)
	var stored string
	if err := e.Pool.QueryRow(t.Context(), `SELECT coalesce(tracking_number, '') FROM indicia WHERE public_id = $1`, id).Scan(&stored); err != nil || stored != number {
		t.Errorf("stored tracking number %q (%v), want %q", stored, err, number)
	}
	if _, out := apiCall(t, e, k, "GET", "/api/v1/labels/"+id, ""); out["tracking_number"] != number {
		t.Errorf("GET /api/v1/labels/%s: tracking_number %v", id, out["tracking_number"])
	}
	if _, page := get(t, e, "owner", "/labels"); !strings.Contains(page, tracking.HumanReadable(number)) {
		t.Errorf("the label list does not show %s", tracking.HumanReadable(number))
	}
	status, png, _ := getFile(t, e, "owner", "/labels/"+purchase+"/label.png?piece=1")
	if status != 200 {
		t.Fatalf("label PNG: %d", status)
	}
	if got, want := readGS1128(t, png), "]C142090210\x1d"+number; got != want {
		t.Errorf("the label's GS1-128 barcode reads %q, want %q", got, want)
	}

	// The PDF prints the number under the bars, and its bars read back too.
	status, pdf, _ := getFile(t, e, "owner", "/labels/"+purchase+"/label.pdf")
	if status != 200 {
		t.Fatalf("label PDF: %d", status)
	}
	if text := pdfText(t, pdf); !strings.Contains(text, tracking.HumanReadable(number)) || !strings.Contains(text, "USPS TRACKING #") {
		t.Errorf("the PDF label does not print the tracking number %s:\n%s", tracking.HumanReadable(number), text)
	}
	if got := readGS1128(t, pdfPagePNG(t, pdf)); got != "]C142090210\x1d"+number {
		t.Errorf("the PDF label's barcode reads %q", got)
	}

	letter := buy(`{"mail_class":"FCM_LETTER","weight_oz":1,` + to + `}`)
	if letter["tracking_number"] != "" {
		t.Errorf("a plain letter got tracking number %v", letter["tracking_number"])
	}
	certified := buy(`{"mail_class":"FCM_LETTER","weight_oz":1,"services":["CERTIFIED"],` + to + `}`)
	article, _ := certified["tracking_number"].(string)
	if !tracking.Valid(article) || !strings.HasPrefix(article, "92071"+webtest.TrackingMailerID) || article == number {
		t.Errorf("Certified Mail article number %q", article)
	}
}

// pdfText extracts a PDF's text with poppler's pdftotext.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// pdfPagePNG rasterises a PDF's first page at 300 dpi with poppler's pdftoppm.
func pdfPagePNG(t *testing.T, pdf []byte) []byte {
	t.Helper()
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Skip("pdftoppm not installed (apt-get install poppler-utils)")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "l.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-r", "300", "-gray", "-png", "-f", "1", "-l", "1", "-singlefile", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	out, err := os.ReadFile(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	return out
}
