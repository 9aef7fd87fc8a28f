// Command bombs sends hostile inputs to a running `make run` on loopback and
// reports the peak resident memory (VmHWM) of serve and worker before and
// after. Every bomb is generated while it is sent: none is held in memory.
//
//	go run ./loadtest/bombs -base http://127.0.0.1:8080
package main

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"log"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "the server")
	apiKey := flag.String("key", "", "an API key of the demo mailer (printed by `indicia seed`)")
	flag.Parse()
	if *apiKey != "" {
		bearer = *apiKey
	}
	procs := map[string]int{"serve": findProc("serve"), "worker": findProc("worker")}
	before := map[string]int{}
	for n, pid := range procs {
		before[n] = hwm(pid)
	}
	fmt.Printf("%-36s %s\n", "bomb", "answer")
	// Eight anonymous 100 MB logins at once.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code := post(http.DefaultClient, *base+"/login", "application/x-www-form-urlencoded", repeat("a", 100<<20), "")
			if i == 0 {
				fmt.Printf("%-36s %s\n", "8 x 100 MB POST /login", code)
			}
		}()
	}
	wg.Wait()
	fmt.Printf("%-36s %s\n", "50 MB JSON name, POST /api/v1/labels", post(http.DefaultClient, *base+"/api/v1/labels", "application/json",
		io.MultiReader(strings.NewReader(`{"pieces":[{"postage":78,"recipient":{"name":"`), repeat("A", 50<<20), strings.NewReader(`"}}]}`)), ""))
	fmt.Printf("%-36s %s\n", "text/plain JSON", post(http.DefaultClient, *base+"/api/v1/labels", "text/plain", strings.NewReader("{}"), ""))
	fmt.Printf("%-36s %s\n", "10 KB Idempotency-Key", post(http.DefaultClient, *base+"/api/v1/labels", "application/json",
		strings.NewReader(`{"pieces":[{"postage":78,"mail_class":"FCM_LETTER","recipient":{"name":"Ann Lee","address":"9 elm street, beverly hills ca 90210"}}]}`), strings.Repeat("k", 10<<10)))

	mailer := login(*base, "mailer@demo.indicia.test", "demo-mailer-2026")
	bomb := xlsxBomb(900 << 20)
	for i := range 3 {
		fmt.Printf("%-36s %s\n", fmt.Sprintf("XLSX %.1f MB, one 900 MB cell (#%d)", float64(len(bomb))/(1<<20), i+1), upload(mailer, *base, "/cleanse", "file", "bomb.xlsx", bomb))
	}
	fmt.Printf("%-36s %s\n", "XLSX declaring 10M rows", upload(mailer, *base, "/cleanse", "file", "tall.xlsx", xlsxTall()))
	fmt.Printf("%-36s %s\n", "CSV, one 90 MB line", upload(mailer, *base, "/cleanse", "file", "line.csv",
		readAllOrDie(io.MultiReader(strings.NewReader("name,address\nAnn,"), repeat("x", 90<<20), strings.NewReader("\n")))))
	postal := login(*base, "postal@demo.indicia.test", "demo-postal-2026")
	fmt.Printf("%-36s %s\n", "csv.gz, one 1 GB line, COA list", upload(postal, *base, "/coa/lists", "file", "line.csv.gz", gzipLine(1<<30), "source", "bombs"))
	fmt.Printf("%-36s %s\n", "JPEG 81 MP, SOF past 64 KB, /verify", upload(postal, *base, "/verify", "image", "label.jpg", jpegBomb()))

	time.Sleep(20 * time.Second) // the worker's jobs
	fmt.Println()
	fmt.Printf("%-8s %8s %8s   (peak RSS, MB, VmHWM)\n", "process", "before", "after")
	for _, n := range []string{"serve", "worker"} {
		fmt.Printf("%-8s %8d %8d\n", n, before[n]>>10, hwm(procs[n])>>10)
	}
}

func repeat(s string, n int64) io.Reader {
	return io.LimitReader(&loop{b: []byte(strings.Repeat(s, 4096))}, n)
}

type loop struct{ b []byte }

func (l *loop) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], l.b)
	}
	return n, nil
}

func readAllOrDie(r io.Reader) []byte {
	b, err := io.ReadAll(r)
	if err != nil {
		log.Fatal(err)
	}
	return b
}

// post sends body (of unknown length: chunked) and returns the status.
var bearer = "ind_none"

func post(c *http.Client, u, ctype string, body io.Reader, idemKey string) string {
	req, _ := http.NewRequestWithContext(context.Background(), "POST", u, body)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+bearer)
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	resp, err := c.Do(req)
	if err != nil {
		return "error: " + err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return fmt.Sprintf("%d %s", resp.StatusCode, summary(b))
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func login(base, email, password string) *http.Client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	page := get(c, base+"/login")
	m := csrfRe.FindSubmatch(page)
	if m == nil {
		log.Fatal("no CSRF token on /login")
	}
	resp, err := c.PostForm(base+"/login", url.Values{"_csrf": {string(m[1])}, "email": {email}, "password": {password}})
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	return c
}

func get(c *http.Client, u string) []byte {
	resp, err := c.Get(u)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}

func upload(c *http.Client, base, path, field, name string, data []byte, fields ...string) string {
	m := csrfRe.FindSubmatch(get(c, base+path))
	if m == nil {
		return "no CSRF token on " + path
	}
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("_csrf", string(m[1]))
	for i := 0; i+1 < len(fields); i += 2 {
		w.WriteField(fields[i], fields[i+1])
	}
	fw, _ := w.CreateFormFile(field, name)
	fw.Write(data)
	w.Close()
	resp, err := c.Post(base+path, w.FormDataContentType(), &b)
	if err != nil {
		return "error: " + err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s", resp.StatusCode, summary(body))
}

var tagRe = regexp.MustCompile(`(?s)<[^>]*>|\s+`)

// summary is the answer's message: the error text of a page or JSON.
func summary(b []byte) string {
	s := string(b)
	if i := strings.Index(s, `class="field-error"`); i >= 0 {
		s = s[i:]
	} else if i := strings.Index(s, `role="alert"`); i >= 0 {
		s = s[i:]
	} else if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	s = strings.TrimSpace(tagRe.ReplaceAllString(s, " "))
	if len(s) > 110 {
		s = s[:110]
	}
	return s
}

func xlsxBomb(cell int64) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	parts := map[string]string{
		"[Content_Types].xml":        `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
		"_rels/.rels":                `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
	}
	for n, v := range parts {
		w, _ := zw.Create(n)
		io.WriteString(w, v)
	}
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1" t="inlineStr"><is><t>address</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>`)
	io.Copy(w, repeat("A", cell))
	io.WriteString(w, `</t></is></c></row></sheetData></worksheet>`)
	zw.Close()
	return b.Bytes()
}

func xlsxTall() []byte {
	b := xlsxBomb(10)
	zr, _ := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		w, _ := zw.Create(f.Name)
		if f.Name == "xl/worksheets/sheet1.xml" {
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:B10000000"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1" t="inlineStr"><is><t>address</t></is></c></row></sheetData></worksheet>`)
			continue
		}
		rc, _ := f.Open()
		io.Copy(w, rc)
		rc.Close()
	}
	zw.Close()
	return out.Bytes()
}

func gzipLine(n int64) []byte {
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	io.WriteString(w, "move_type,first_name,last_name,firm,old_line1,old_zip,new_line1,new_zip,move_effective_date\nI,Ann,")
	io.Copy(w, repeat("x", n))
	io.WriteString(w, ",,1 Main St,06901,2 Oak St,06902,2026-01-01\n")
	w.Close()
	return b.Bytes()
}

func jpegBomb() []byte {
	var buf bytes.Buffer
	jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 16, 16)), nil)
	b := buf.Bytes()
	sof := bytes.Index(b, []byte{0xFF, 0xC0})
	binary.BigEndian.PutUint16(b[sof+5:], 9000)
	binary.BigEndian.PutUint16(b[sof+7:], 9000)
	var out bytes.Buffer
	out.Write(b[:2])
	for range 3 {
		out.Write([]byte{0xFF, 0xFE, 0xFD, 0xEA})
		out.Write(bytes.Repeat([]byte{'x'}, 65000))
	}
	out.Write(b[2:])
	return out.Bytes()
}

// findProc returns the pid of `indicia <sub>` started from this directory
// (the worktree `make run` runs in).
func findProc(sub string) int {
	here, _ := os.Getwd()
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
		cwd, _ := os.Readlink(filepath.Join(filepath.Dir(d), "cwd"))
		if len(args) >= 2 && filepath.Base(args[0]) == "indicia" && args[1] == sub && cwd == here {
			var pid int
			fmt.Sscanf(filepath.Base(filepath.Dir(d)), "%d", &pid)
			return pid
		}
	}
	log.Fatalf("no running `indicia %s`: start `make run` first", sub)
	return 0
}

// hwm is a process's peak resident set in KB.
func hwm(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			var kb int
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:")), "%d", &kb)
			return kb
		}
	}
	return -1
}
