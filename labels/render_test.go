package labels

import (
	"bytes"
	"errors"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"indicia/metering/indicium"
)

// pageObject matches the type of a page object ("/Type /Page", whatever
// follows) but not of the page tree ("/Type /Pages").
var pageObject = regexp.MustCompile(`/Type\s*/Page\b`)

// pageCount counts page objects; gopdf leaves object dictionaries uncompressed.
func pageCount(pdf []byte) int {
	return len(pageObject.FindAll(pdf, -1))
}

func TestEveryFormatRendersABatch(t *testing.T) {
	ls, _, _ := testBatch(t)
	for _, tc := range []struct {
		name   string
		render func(*bytes.Buffer, []Label) error
		pages  int
	}{
		{"PDF4x6", func(b *bytes.Buffer, ls []Label) error { return PDF4x6(b, ls) }, 3},
		{"PDFLetter2Up", func(b *bytes.Buffer, ls []Label) error { return PDFLetter2Up(b, ls) }, 2},
		{"PDFEnvelope10", func(b *bytes.Buffer, ls []Label) error { return PDFEnvelope10(b, ls) }, 3},
	} {
		var b bytes.Buffer
		if err := tc.render(&b, ls); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-")) {
			t.Errorf("%s: not a PDF", tc.name)
		}
		if n := pdfPages(t, b.Bytes()); n != tc.pages {
			t.Errorf("%s: %d pages for 3 labels, want %d", tc.name, n, tc.pages)
		}
		if n := pageCount(b.Bytes()); n != tc.pages {
			t.Errorf("%s: %d page objects for 3 labels, want %d (the count used without pdftoppm)", tc.name, n, tc.pages)
		}
	}
	for _, l := range ls {
		var b bytes.Buffer
		if err := PNG(&b, l, 0); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(&b)
		if err != nil {
			t.Fatal(err)
		}
		if got := img.Bounds().Size(); got != image.Pt(1200, 1800) {
			t.Errorf("PNG is %v pixels, want 1200x1800 (4x6 in at 300 dpi)", got)
		}
	}
	var z bytes.Buffer
	if err := ZPL(&z, ls); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(z.String(), "^XA"); n != 3 || strings.Count(z.String(), "^XZ") != 3 {
		t.Errorf("ZPL has %d ^XA formats, want one per label", n)
	}
}

// pdfPages asks pdfinfo-free poppler for the page count by rasterising at a
// tiny resolution when pdftoppm exists, else counts page objects.
func pdfPages(t *testing.T, pdf []byte) int {
	t.Helper()
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		return pageCount(pdf)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-r", "10", "-png", in, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "p-*.png"))
	return len(pages)
}

func TestBadInputIsRefused(t *testing.T) {
	ls, _, _ := testBatch(t)
	wrong := ls[0]
	wrong.Postage++
	var b bytes.Buffer
	if err := PDF4x6(&b, []Label{ls[1], wrong}); err == nil || !strings.Contains(err.Error(), "postage") {
		t.Errorf("a label printing a postage its indicium does not sign: err %v, want one naming postage", err)
	}
	wrong = ls[0]
	wrong.Piece = 1
	if err := ZPL(&b, []Label{wrong}); err == nil || !strings.Contains(err.Error(), "piece") {
		t.Errorf("wrong piece number: err %v", err)
	}
	if err := PNG(&b, Label{ID: "x"}, 0); err == nil {
		t.Error("a label without an indicium rendered")
	}
	broken := ls[0]
	broken.Indicium = broken.Indicium[:40]
	if err := PNG(&b, broken, 0); !errors.Is(err, indicium.ErrMalformed) {
		t.Errorf("truncated indicium: err %v, want ErrMalformed", err)
	}
	if err := PDFEnvelope10(&b, nil); err == nil {
		t.Error("an empty batch rendered")
	}
}

func TestZPLCarriesBarcodeAndHumanReadableBlock(t *testing.T) {
	ls, _, _ := testBatch(t)
	var b bytes.Buffer
	if err := ZPL(&b, ls); err != nil {
		t.Fatal(err)
	}
	formats := strings.SplitAfter(b.String(), "^XZ\n")
	for i, l := range ls {
		f := formats[i]
		if !strings.Contains(f, "^BXN,") || !strings.Contains(f, ",200,") {
			t.Errorf("label %d: no ECC 200 Data Matrix (^BX) in %q", i, f)
		}
		if !strings.Contains(f, "^FD"+l.Indicium+"^FS") {
			t.Errorf("label %d: ^BX payload is not the indicium text", i)
		}
		for _, want := range []string{postageText(l.Postage), "FIRST-CLASS MAIL", "MAILED 11/30/2026 FROM 20001", "METER IND-000123", "PIECE " + strconv.FormatInt(l.Piece, 10), l.To[0], "LABEL " + l.ID} {
			if !strings.Contains(f, want) {
				t.Errorf("label %d: ZPL lacks %q", i, want)
			}
		}
		if l.Reference != "" && !strings.Contains(f, "_5F_5E_7E") {
			t.Errorf("label %d: reference with _^~ not escaped for ^FH", i)
		}
	}
	// Field data must never contain a raw ^ or ~ outside commands: every
	// caret starts a known command.
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.Contains(line, "^FD") && strings.Count(line, "~") > 0 {
			t.Errorf("raw ~ in field data: %q", line)
		}
	}
}

func TestReprintIsIdentical(t *testing.T) {
	ls, ins, _ := testBatch(t)
	// A reprint rebuilds the label from the stored indicium text.
	reprint := make([]Label, len(ls))
	for i, l := range ls {
		in, err := indicium.ParseText(l.Indicium)
		if err != nil {
			t.Fatal(err)
		}
		r := FromIndicium(in)
		r.ID, r.MailClass, r.Services, r.From, r.To, r.Reference = l.ID, l.MailClass, l.Services, l.From, l.To, l.Reference
		reprint[i] = r
		if r.Indicium != ins[i].Text() {
			t.Fatal("stored text does not round-trip")
		}
	}
	for _, tc := range []struct {
		name   string
		render func(*bytes.Buffer, []Label) error
	}{
		{"PDF4x6", func(b *bytes.Buffer, ls []Label) error { return PDF4x6(b, ls) }},
		{"PDFLetter2Up", func(b *bytes.Buffer, ls []Label) error { return PDFLetter2Up(b, ls) }},
		{"PDFEnvelope10", func(b *bytes.Buffer, ls []Label) error { return PDFEnvelope10(b, ls) }},
		{"ZPL", func(b *bytes.Buffer, ls []Label) error { return ZPL(b, ls) }},
		{"PNG", func(b *bytes.Buffer, ls []Label) error { return PNG(b, ls[0], 0) }},
	} {
		var a, b bytes.Buffer
		if err := tc.render(&a, ls); err != nil {
			t.Fatal(err)
		}
		if err := tc.render(&b, reprint); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: reprint differs from the first print (%d vs %d bytes)", tc.name, a.Len(), b.Len())
		}
	}
}

func TestDecodeImageReadsOurLabels(t *testing.T) {
	ls, _, key := testBatch(t)
	for _, l := range ls {
		img, err := Image(l, 0)
		if err != nil {
			t.Fatal(err)
		}
		var p, j bytes.Buffer
		if err := png.Encode(&p, img); err != nil {
			t.Fatal(err)
		}
		got, err := DecodeImage(&p)
		if err != nil {
			t.Fatalf("PNG label %s: %v", l.ID, err)
		}
		checkScanned(t, "DecodeImage(PNG)", got, l, key)

		if err := jpeg.Encode(&j, img, &jpeg.Options{Quality: 85}); err != nil {
			t.Fatal(err)
		}
		got, err = DecodeImage(&j)
		if err != nil {
			t.Fatalf("JPEG label %s: %v", l.ID, err)
		}
		checkScanned(t, "DecodeImage(JPEG)", got, l, key)
	}

	blank := image.NewGray(image.Rect(0, 0, 600, 900))
	draw.Draw(blank, blank.Bounds(), image.White, image.Point{}, draw.Src)
	var b bytes.Buffer
	if err := png.Encode(&b, blank); err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeImage(&b); !errors.Is(err, ErrNoBarcode) {
		t.Errorf("blank image: err %v, want ErrNoBarcode", err)
	}
	if _, err := DecodeImage(strings.NewReader("not an image")); err == nil || errors.Is(err, ErrNoBarcode) {
		t.Errorf("garbage upload: err %v, want an image-format error", err)
	}
}

func TestAFlippedBitOrAnotherRecipientFails(t *testing.T) {
	ls, ins, key := testBatch(t)
	l, in := ls[0], ins[0]
	raw := in.Bytes()
	for bit := 0; bit < len(raw)*8; bit++ {
		b := bytes.Clone(raw)
		b[bit/8] ^= 1 << (bit % 8)
		flipped, err := indicium.Parse(b)
		if err != nil {
			continue // unreadable is a failure too
		}
		if flipped.Verify(&key.PublicKey) == nil {
			t.Fatalf("bit %d flipped still verifies", bit)
		}
	}
	// The indicium binds the recipient: the address printed on the label
	// matches, another one does not.
	if indicium.RecipientHash(strings.Join(l.To, "\n")) != in.RecipientHash {
		t.Error("the printed recipient does not match the indicium's hash")
	}
	if indicium.RecipientHash(strings.Join(ls[1].To, "\n")) == in.RecipientHash {
		t.Error("another recipient matches the indicium's hash")
	}
}

// sortedGlob lists rasterised pages in page order.
func sortedGlob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(m)
	return m
}
