package labels

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"indicia/metering/indicium"
	"indicia/metering/rating"
	"indicia/postage"
)

// minModuleMil is the smallest module a label may print, in thousandths of
// an inch: below it postal scanners and libdmtx start to miss symbols.
const minModuleMil = 15.0

// headroomChars is how much longer than today's longest indicium text every
// layout must still print at minModuleMil: room for new indicium fields.
const headroomChars = 60

// serviceSets are the services masks each class is printed with: none, each
// service alone and all of them. The mask is a fixed-width field, so the
// barcode's length does not depend on it; the printed services line does.
func serviceSets() []uint32 {
	codes := rating.Services()
	sets := []uint32{0}
	for _, c := range codes {
		sets = append(sets, postage.ServicesMask([]string{c}))
	}
	return append(sets, postage.ServicesMask(codes))
}

// matrixLabels signs one label per mail class × services set, with the
// longest values each variable field takes today (an IN%09d meter serial, a
// 9-digit destination ZIP), and per class one with headroomChars more
// barcode text than today's longest: its meter serial is padded by the
// bytes that many base64 characters hold.
func matrixLabels(t testing.TB, key *ecdsa.PrivateKey) []Label {
	t.Helper()
	certSerial, err := indicium.CertSerial(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	to := []string{"ACME WIDGETS INC", "ATTN RECEIVING DEPT", "350 FIFTH AVE STE 4200", "NEW YORK NY 10118-0110"}
	sign := func(n int, class, serialPad string, services uint32) Label {
		f := indicium.Fields{
			MeterSerial: "IN000000123" + serialPad, CertSerial: certSerial, DR: 99_999_999, Software: "INDICIA/1.0",
			MailingDate: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
			Postage:     3150 + int64(n), AR: 99_999_999 + int64(n), PieceCount: 1_000_000 + int64(n),
			OriginZIP: "20001", DestZIP: "101180110", MailClass: class, Services: services,
			RecipientHash: indicium.RecipientHash(strings.Join(to, "\n")),
		}
		in, err := indicium.Sign(f, key)
		if err != nil {
			t.Fatal(err)
		}
		l := FromIndicium(in)
		l.ID = fmt.Sprintf("LBL-M%04d", n)
		l.MailClass = strings.ToUpper(rating.ClassName(class))
		for _, s := range postage.ServiceCodes(services) {
			l.Services = append(l.Services, strings.ToUpper(rating.ServiceName(s)))
		}
		l.From = []string{"INDICIA TEST MAILER", "100 F ST NE", "WASHINGTON DC 20001-1234"}
		l.To = to
		l.Reference = fmt.Sprintf("ORDER %d", 9000+n)
		return l
	}
	var ls []Label
	longest := 0
	for _, class := range rating.Classes() {
		for _, s := range serviceSets() {
			l := sign(len(ls), class, "", s)
			longest = max(longest, len(l.Indicium))
			ls = append(ls, l)
		}
	}
	all := slices.Max(serviceSets())
	for _, class := range rating.Classes() {
		l := sign(len(ls), class, strings.Repeat("9", headroomChars*3/4+2), all)
		if len(l.Indicium) < longest+headroomChars {
			t.Fatalf("synthetic indicium is %d characters, want at least %d", len(l.Indicium), longest+headroomChars)
		}
		ls = append(ls, l)
	}
	// The largest symbol the layouts keep room for, so its module is
	// measured too: a meter serial padded until the text needs maxSymbol.
	for pad := headroomChars; ; pad += 8 {
		l := sign(len(ls), rating.ClassPriorityExpress, strings.Repeat("9", pad), all)
		m, err := encodeDataMatrix(l.Indicium)
		if err != nil {
			t.Fatal(err)
		}
		if m.w == maxSymbol {
			return append(ls, l)
		}
		if m.w > maxSymbol {
			t.Fatalf("no padding gives a %dx%d symbol", maxSymbol, maxSymbol)
		}
	}
}

// longLabel signs a label whose barcode text is n characters or more.
func longLabel(t testing.TB, key *ecdsa.PrivateKey, n int) Label {
	t.Helper()
	l := matrixLabels(t, key)[0]
	in, err := indicium.ParseText(l.Indicium)
	if err != nil {
		t.Fatal(err)
	}
	f := in.Fields
	f.MeterSerial += strings.Repeat("9", min(n*3/4, 250-len(f.MeterSerial)))
	sig, err := indicium.Sign(f, key)
	if err != nil {
		t.Fatal(err)
	}
	long := FromIndicium(sig)
	long.ID, long.MailClass, long.To = l.ID, l.MailClass, l.To
	return long
}

func TestAnIndiciumTooLongForFifteenMilIsRefused(t *testing.T) {
	key := testKey(t)
	l := longLabel(t, key, 420) // needs more than a 72x72 symbol
	m, err := encodeDataMatrix(l.Indicium)
	if err != nil {
		t.Fatal(err)
	}
	if m.w <= maxSymbol {
		t.Fatalf("%d characters encode in %dx%d, want a symbol larger than the layouts keep room for", len(l.Indicium), m.w, m.h)
	}
	var b bytes.Buffer
	for name, err := range map[string]error{
		"PDF4x6":        PDF4x6(&b, []Label{l}),
		"PDFLetter2Up":  PDFLetter2Up(&b, []Label{l}),
		"PDFEnvelope10": PDFEnvelope10(&b, []Label{l}),
		"PNG":           PNG(&b, l, 0),
		"ZPL":           ZPL(&b, []Label{l}),
	} {
		if err == nil || !strings.Contains(err.Error(), "under the 15 mil minimum") {
			t.Errorf("%s of a %dx%d symbol: err %v, want a refusal naming the 15 mil minimum", name, m.w, m.h, err)
		}
	}
	// A resolution too coarse for whole-dot 15 mil modules is refused too.
	if err := PNG(&b, matrixLabels(t, key)[0], 72); err == nil || !strings.Contains(err.Error(), "at 72 dpi") {
		t.Errorf("PNG at 72 dpi: err %v, want a refusal naming the resolution", err)
	}
}

// scanJob is one label as printed: its pixels at 300 dpi and where its
// layout keeps the barcode.
type scanJob struct {
	format string
	l      Label
	load   func() (*image.Gray, error) // the label's own rectangle
	box    square                      // relative to the label's top left corner
}

type scanResult struct {
	format    string
	own, dmtx bool
	moduleMil float64
	problem   string
}

func TestEveryClassAndServiceDecodesAtFifteenMil(t *testing.T) {
	dmtx := needTool(t, "dmtxread")
	pdftoppm := needTool(t, "pdftoppm")
	key := testKey(t)
	ls := matrixLabels(t, key)
	dir := t.TempDir()

	var jobs []scanJob
	for _, tc := range []struct {
		name   string
		render func(*bytes.Buffer, []Label) error
		place  func(i int) (page int, whole image.Rectangle)
		box    square
	}{
		{"PDF4x6", func(b *bytes.Buffer, ls []Label) error { return PDF4x6(b, ls) },
			func(i int) (int, image.Rectangle) { return i + 1, pxRect(0, 0, labelW, labelH) }, shippingBarcode(0, 0)},
		{"PDFLetter2Up", func(b *bytes.Buffer, ls []Label) error { return PDFLetter2Up(b, ls) },
			func(i int) (int, image.Rectangle) {
				ox, oy := (letterW-2*labelW)/2+float64(i%2)*labelW, (letterH-labelH)/2
				return i/2 + 1, pxRect(ox, oy, labelW, labelH)
			}, shippingBarcode(0, 0)},
		{"PDFEnvelope10", func(b *bytes.Buffer, ls []Label) error { return PDFEnvelope10(b, ls) },
			func(i int) (int, image.Rectangle) { return i + 1, pxRect(0, 0, envW, envH) }, envelopeBarcode()},
	} {
		var b bytes.Buffer
		if err := tc.render(&b, ls); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		in := filepath.Join(dir, tc.name+".pdf")
		if err := os.WriteFile(in, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(pdftoppm, "-r", "300", "-gray", in, filepath.Join(dir, tc.name)).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm %s: %v %s", tc.name, err, out)
		}
		pages := sortedGlob(t, filepath.Join(dir, tc.name+"-*.pgm"))
		for i, l := range ls {
			page, whole := tc.place(i)
			if page > len(pages) {
				t.Fatalf("%s: label %d should be on page %d of %d", tc.name, i, page, len(pages))
			}
			path := pages[page-1]
			jobs = append(jobs, scanJob{tc.name, l, func() (*image.Gray, error) {
				return readPGMRect(path, whole)
			}, tc.box})
		}
	}
	for _, l := range ls {
		jobs = append(jobs, scanJob{"PNG", l, func() (*image.Gray, error) { return Image(l, DefaultDPI) }, shippingBarcode(0, 0)})
	}

	results := make([]scanResult, len(jobs))
	files := make([]string, len(jobs))
	parallel(len(jobs), 1, func(i, _ int) {
		files[i] = filepath.Join(dir, fmt.Sprintf("job%d.pgm", i))
		results[i] = scanOne(jobs[i], files[i], key)
	})
	// dmtxread's start-up costs more than a scan, so it reads a chunk of
	// labels per run; a chunk it does not read whole is read label by label
	// to name the one that failed.
	const chunk = 16
	parallel(len(jobs), chunk, func(lo, hi int) {
		lines := strings.Split(strings.TrimSuffix(runDmtx(dmtx, files[lo:hi]...), "\n"), "\n")
		for i := lo; i < hi; i++ {
			got := ""
			if len(lines) == hi-lo {
				got = lines[i-lo]
			}
			err := scannedIndicium(got, jobs[i].l, key)
			if err != nil && hi-lo > 1 {
				err = scannedIndicium(runDmtx(dmtx, files[i]), jobs[i].l, key)
			}
			if err != nil {
				results[i].problem = strings.TrimPrefix(results[i].problem+"; dmtxread: "+err.Error(), "; ")
				continue
			}
			results[i].dmtx = true
		}
	})

	type tally struct {
		n, own, dmtx int
		minMil       float64
	}
	byFormat := map[string]*tally{}
	var order []string
	for i, r := range results {
		tl := byFormat[r.format]
		if tl == nil {
			tl = &tally{minMil: 1e9}
			byFormat[r.format] = tl
			order = append(order, r.format)
		}
		tl.n++
		if r.own {
			tl.own++
		}
		if r.dmtx {
			tl.dmtx++
		}
		tl.minMil = min(tl.minMil, r.moduleMil)
		if r.problem != "" {
			t.Errorf("%s %s (%d characters): %s", r.format, jobs[i].l.ID, len(jobs[i].l.Indicium), r.problem)
		}
	}
	for _, f := range order {
		tl := byFormat[f]
		t.Logf("%-14s own decoder %d/%d, dmtxread %d/%d, smallest module %.1f mil", f, tl.own, tl.n, tl.dmtx, tl.n, tl.minMil)
	}

	// ZPL is printed, not rasterised here: its module is the ^BX height in
	// 203 dpi dots, and the symbol must fit the box the layout keeps for it.
	var z bytes.Buffer
	if err := ZPL(&z, ls); err != nil {
		t.Fatal(err)
	}
	minZ := 1e9
	for i, f := range strings.Split(strings.TrimSuffix(z.String(), "^XZ\n"), "^XZ\n") {
		mil, err := zplModuleMil(f, ls[i], shippingBarcode(0, 0))
		if err != nil {
			t.Errorf("ZPL %s: %v", ls[i].ID, err)
			continue
		}
		minZ = min(minZ, mil)
	}
	t.Logf("%-14s %d labels, smallest module %.1f mil", "ZPL", len(ls), minZ)
}

// scanOne decodes one printed label with the project's decoder, measures its
// barcode's module and writes it to tmp for dmtxread.
func scanOne(j scanJob, tmp string, key *ecdsa.PrivateKey) scanResult {
	r := scanResult{format: j.format}
	var problems []string
	g, err := j.load()
	if err != nil {
		r.problem = err.Error()
		return r
	}
	m, err := encodeDataMatrix(j.l.Indicium)
	if err != nil {
		r.problem = err.Error()
		return r
	}
	r.moduleMil, err = measuredModuleMil(g, j.box, m)
	if err != nil {
		problems = append(problems, err.Error())
	} else if r.moduleMil < minModuleMil {
		problems = append(problems, fmt.Sprintf("module %.1f mil for a %dx%d symbol, want at least %.0f", r.moduleMil, m.w, m.h, minModuleMil))
	}
	if got, err := decodeGray(g); err != nil {
		problems = append(problems, "own decoder: "+err.Error())
	} else if err := scannedIndicium(got, j.l, key); err != nil {
		problems = append(problems, "own decoder: "+err.Error())
	} else {
		r.own = true
	}
	if err := writePGM(tmp, g); err != nil {
		problems = append(problems, err.Error())
	}
	r.problem = strings.Join(problems, "; ")
	return r
}

// parallel runs f over [0, n) in chunks of size on every core.
func parallel(n, size int, f func(lo, hi int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range max(runtime.GOMAXPROCS(0), 2) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := range next {
				f(lo, min(lo+size, n))
			}
		}()
	}
	for lo := 0; lo < n; lo += size {
		next <- lo
	}
	close(next)
	wg.Wait()
}

// runDmtx returns what dmtxread reads in files, one line per file whose
// barcode it found; its exit status only says whether it found any.
func runDmtx(dmtx string, files ...string) string {
	out, _ := exec.Command(dmtx, append([]string{"-n", "-N1"}, files...)...).Output()
	return string(out)
}

// measuredModuleMil finds the symbol's dark modules inside the layout's
// barcode square of a 300 dpi label image and returns the module's width in
// mil; the symbol must lie whole inside the square with its quiet zone.
func measuredModuleMil(g *image.Gray, box square, m matrix) (float64, error) {
	r := pxRect(box.x, box.y, box.side, box.side).Intersect(g.Bounds())
	minX, minY, maxX, maxY := r.Max.X, r.Max.Y, r.Min.X-1, r.Min.Y-1
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if g.GrayAt(x, y).Y < 128 {
				minX, maxX = min(minX, x), max(maxX, x)
				minY, maxY = min(minY, y), max(maxY, y)
			}
		}
	}
	if maxX < minX {
		return 0, fmt.Errorf("no barcode in its square %v", r)
	}
	w, h := float64(maxX-minX+1)/float64(m.w), float64(maxY-minY+1)/float64(m.h)
	if d := w - h; d > 0.1 || d < -0.1 {
		return 0, fmt.Errorf("modules %.2f x %.2f px are not square", w, h)
	}
	q := int(float64(quietModules)*w) - 1
	if minX-r.Min.X < q || minY-r.Min.Y < q || r.Max.X-1-maxX < q || r.Max.Y-1-maxY < q {
		return 0, fmt.Errorf("symbol %v leaves less than its %d px quiet zone inside its square %v", image.Rect(minX, minY, maxX+1, maxY+1), q, r)
	}
	return w / 300 * 1000, nil
}

// zplModuleMil reads the ^BX command of one ZPL format: its module height
// in 203 dpi dots, and its place, which must keep the quiet zone inside the
// layout's barcode square.
func zplModuleMil(format string, l Label, box square) (float64, error) {
	m, err := encodeDataMatrix(l.Indicium)
	if err != nil {
		return 0, err
	}
	i := strings.Index(format, "^BXN,")
	if i < 0 {
		return 0, fmt.Errorf("no ^BX command")
	}
	j := strings.LastIndex(format[:i], "^FO")
	var x, y, mod, quality, cols, rows int
	if _, err := fmt.Sscanf(format[j:], "^FO%d,%d^BXN,%d,%d,%d,%d^FD", &x, &y, &mod, &quality, &cols, &rows); err != nil {
		return 0, fmt.Errorf("reading %q: %v", format[j:min(len(format), j+40)], err)
	}
	if !strings.Contains(format[i:], "^FD"+l.Indicium+"^FS") {
		return 0, fmt.Errorf("^BX field data is not the indicium")
	}
	if quality != 200 || cols != m.w || rows != m.h {
		return 0, fmt.Errorf("^BX asks quality %d, %dx%d; want 200 and the %dx%d symbol", quality, cols, rows, m.w, m.h)
	}
	q := quietModules * mod
	if x-q < dots(box.x)-1 || y-q < dots(box.y)-1 || x+cols*mod+q > dots(box.x+box.side)+1 || y+rows*mod+q > dots(box.y+box.side)+1 {
		return 0, fmt.Errorf("symbol at %d,%d of %d dots does not fit its square with its quiet zone", x, y, cols*mod)
	}
	mil := float64(mod) / zplDPI * 1000
	if mil < minModuleMil {
		return mil, fmt.Errorf("module %d dots = %.1f mil, want at least %.0f", mod, mil, minModuleMil)
	}
	return mil, nil
}

// scannedIndicium is checkScanned for worker goroutines.
func scannedIndicium(got string, want Label, key *ecdsa.PrivateKey) error {
	got = strings.TrimSpace(got)
	if got != want.Indicium {
		return fmt.Errorf("read %q, want the label's indicium", got)
	}
	in, err := indicium.ParseText(got)
	if err != nil {
		return err
	}
	return in.Verify(&key.PublicKey)
}

// readPGMRect reads rectangle r of a binary PGM page (pdftoppm -gray), row
// by row, with its top left at (0, 0): raw pages are far quicker to write and
// read than PNG, and a letter sheet is never held whole.
func readPGMRect(path string, r image.Rectangle) (*image.Gray, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var magic string
	var w, h, maxv int
	br := bufio.NewReader(f)
	if _, err := fmt.Fscan(br, &magic, &w, &h, &maxv); err != nil || magic != "P5" || maxv != 255 {
		return nil, fmt.Errorf("%s: not an 8-bit binary PGM: %v", path, err)
	}
	// One white space byte ends the header.
	header, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, err
	}
	header -= int64(br.Buffered()) - 1
	r = r.Intersect(image.Rect(0, 0, w, h))
	g := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := 0; y < r.Dy(); y++ {
		off := header + int64((r.Min.Y+y)*w+r.Min.X)
		if _, err := f.ReadAt(g.Pix[y*g.Stride:y*g.Stride+r.Dx()], off); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return g, nil
}

// writePGM writes g as a binary PGM, which dmtxread reads several times
// quicker than PNG.
func writePGM(path string, g *image.Gray) error {
	b := g.Bounds()
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "P5\n%d %d\n255\n", b.Dx(), b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		i := g.PixOffset(b.Min.X, y)
		buf.Write(g.Pix[i : i+b.Dx()])
	}
	return os.WriteFile(path, buf.Bytes(), 0o600)
}
