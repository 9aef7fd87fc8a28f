package labels

import (
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Independent decoders: dmtxread (libdmtx) reads every whole label or page.
// ZXingReader is given the indicium block, as a handheld scanner is aimed at
// the code: zxing-cpp 1.4 as Debian builds it only scans the image's centre
// line for Data Matrix (its off-centre search needs C++20 coroutines), so on a
// whole 4x6 label its scan line crosses the address, not the barcode.

// pxRect converts a rectangle in points to pixels at 300 dpi.
func pxRect(x, y, w, h float64) image.Rectangle {
	s := 300 / pt
	return image.Rect(int(x*s), int(y*s), int((x+w)*s), int((y+h)*s))
}

// indiciumBlock4x6 and indiciumBlockEnv are the barcode and its human-
// readable block on each layout (points from the label's corner).
var (
	indiciumBlock4x6 = [4]float64{0, 0, labelW, 12 + barcodeB + 12}
	indiciumBlockEnv = [4]float64{envW / 2, 0, envW / 2, 18 + barcodeB + 12}
)

// scanLabelImage checks one rendered label (a PNG on disk, 300 dpi) with both
// decoders. whole is the label's rectangle in the image, block the indicium
// block within it.
func scanLabelImage(t *testing.T, path string, whole image.Rectangle, block [4]float64, l Label, key *ecdsa.PrivateKey) {
	t.Helper()
	dmtx := needTool(t, "dmtxread")
	zx := needTool(t, "ZXingReader")
	g := readGray(t, path)
	dir := t.TempDir()

	label := filepath.Join(dir, "label.png")
	writePNG(t, label, g.SubImage(whole))
	checkScanned(t, "dmtxread "+filepath.Base(path), runDecoder(t, dmtx, "-N1", label), l, key)

	r := pxRect(block[0], block[1], block[2], block[3]).Add(whole.Min).Intersect(whole)
	crop := filepath.Join(dir, "block.png")
	writePNG(t, crop, g.SubImage(r))
	checkScanned(t, "ZXingReader "+filepath.Base(path), zxingText(runDecoder(t, zx, "-1", "-format", "DataMatrix", crop)), l, key)
}

func readGray(t *testing.T, path string) *image.Gray {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return toGray(img)
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestPNGLabelsDecodeWithIndependentDecoders(t *testing.T) {
	ls, _, key := testBatch(t)
	dir := t.TempDir()
	for _, l := range ls {
		p := filepath.Join(dir, l.ID+".png")
		var b bytes.Buffer
		if err := PNG(&b, l, 300); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		scanLabelImage(t, p, image.Rect(0, 0, 1200, 1800), indiciumBlock4x6, l, key)
	}
}

func TestPDFLabelsDecodeWithIndependentDecoders(t *testing.T) {
	ls, _, key := testBatch(t)
	pdftoppm := needTool(t, "pdftoppm")
	full4x6 := pxRect(0, 0, labelW, labelH)
	for _, tc := range []struct {
		name   string
		render func(*bytes.Buffer, []Label) error
		// where label i lies: its page and rectangle on that page
		place func(i int) (page int, whole image.Rectangle)
		block [4]float64
	}{
		{"PDF4x6", func(b *bytes.Buffer, ls []Label) error { return PDF4x6(b, ls) },
			func(i int) (int, image.Rectangle) { return i + 1, full4x6 }, indiciumBlock4x6},
		{"PDFLetter2Up", func(b *bytes.Buffer, ls []Label) error { return PDFLetter2Up(b, ls) },
			func(i int) (int, image.Rectangle) {
				ox, oy := (letterW-2*labelW)/2+float64(i%2)*labelW, (letterH-labelH)/2
				return i/2 + 1, pxRect(ox, oy, labelW, labelH)
			}, indiciumBlock4x6},
		{"PDFEnvelope10", func(b *bytes.Buffer, ls []Label) error { return PDFEnvelope10(b, ls) },
			func(i int) (int, image.Rectangle) { return i + 1, pxRect(0, 0, envW, envH) }, indiciumBlockEnv},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var b bytes.Buffer
			if err := tc.render(&b, ls); err != nil {
				t.Fatal(err)
			}
			in := filepath.Join(dir, "labels.pdf")
			if err := os.WriteFile(in, b.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(pdftoppm, "-r", "300", "-png", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
				t.Fatalf("pdftoppm: %v %s", err, out)
			}
			pages := sortedGlob(t, filepath.Join(dir, "page-*.png"))
			for i, l := range ls {
				page, whole := tc.place(i)
				if page > len(pages) {
					t.Fatalf("label %d should be on page %d of %d", i, page, len(pages))
				}
				t.Run(fmt.Sprint(l.ID), func(t *testing.T) {
					scanLabelImage(t, pages[page-1], whole, tc.block, l, key)
				})
			}
		})
	}
}
