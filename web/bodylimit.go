package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/handlers"
	"indicia/hygiene/address"
	"indicia/web/request"
)

// Body limits. Fiber reads bodies as streams (StreamRequestBody), so nothing
// past a route's limit is ever read into memory: a declared length over the
// limit is refused before a byte of the body is read, and a chunked body is
// cut off at the limit.
const (
	// DefaultBodyLimit covers every form and JSON request.
	DefaultBodyLimit = 64 << 10
	// formValuesLimit bounds the text fields of a multipart upload together.
	formValuesLimit = 64 << 10
	// maxFormParts bounds the parts of a multipart upload.
	maxFormParts = 32
	// uploadEnvelope is the multipart overhead allowed above a file's limit.
	uploadEnvelope = 1 << 20
	// maxHeaderBytes is fasthttp's read buffer: the request line and headers
	// must fit. Big enough that an over-long header reaches the handler,
	// which names it, instead of fasthttp's bare 431.
	maxHeaderBytes = 32 << 10
)

// routeBodyLimit is the limit of the routes that take more than
// DefaultBodyLimit, by method and path (0 for every other route). Only the
// upload routes take megabytes.
func routeBodyLimit(route string) int64 {
	switch route {
	case "POST /addresses/import", "POST /cleanse", "POST /coa/lists", "POST /api/v1/addresses/import", "POST /api/v1/coa/lists":
		return address.MaxImportBytes + uploadEnvelope
	case "POST /verify":
		return handlers.MaxVerifyImage + uploadEnvelope
	case "POST /api/v1/indicia/verify":
		return handlers.MaxVerifyImage*4/3 + DefaultBodyLimit // base64
	case "POST /api/v1/labels":
		return 2 << 20 // handlers.MaxAPIBatch pieces
	case "POST /postage/batch":
		return 4<<20 + uploadEnvelope // a list of postage.MaxBatchRows recipients, or its reviewed rows
	case "POST /stripe/webhook":
		return 1 << 20
	}
	return 0
}

// maxBodyLimit is the largest limit of any route (Fiber's own BodyLimit).
func maxBodyLimit() int64 { return address.MaxImportBytes + uploadEnvelope }

// bodyLimitFor returns the limit of a request's route.
func bodyLimitFor(c fiber.Ctx) int64 {
	p := strings.TrimSuffix(c.Path(), "/")
	if n := routeBodyLimit(c.Method() + " " + p); n > 0 {
		return n
	}
	return DefaultBodyLimit
}

// errTooLarge is returned by limitReader past its limit.
var errTooLarge = errors.New("web: request body over its limit")

type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One more byte tells "exactly at the limit" from "over it".
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			return 0, errTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// tooLarge is the 413 naming the limit: JSON under /api, a page elsewhere
// (the error handler chooses). The connection is closed, since the rest of
// the body is never read.
func tooLarge(c fiber.Ctx, limit int64) error {
	c.Response().SetConnectionClose()
	return &fiber.Error{Code: fiber.StatusRequestEntityTooLarge,
		Message: fmt.Sprintf("The request is larger than this address accepts (%s).", sizeText(limit))}
}

func sizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", n>>10)
}

// limitBody enforces the route's body limit while reading. A multipart
// upload is parsed here: files go straight to temporary files (removed when
// the request ends, whatever happens), text fields become an ordinary
// urlencoded body for FormValue and the CSRF check.
func limitBody(c fiber.Ctx) error {
	req := c.Request()
	limit := bodyLimitFor(c)
	if cl := req.Header.ContentLength(); cl > 0 && int64(cl) > limit {
		return tooLarge(c, limit)
	}
	if isRawUpload(c) {
		return rawUpload(c, limit)
	}
	if !req.IsBodyStream() {
		if int64(len(req.Body())) > limit {
			return tooLarge(c, limit)
		}
		return c.Next()
	}
	stream := &limitReader{r: req.BodyStream(), left: limit}
	mt, params, _ := mime.ParseMediaType(string(req.Header.ContentType()))
	if mt == "multipart/form-data" && params["boundary"] != "" {
		files := map[string]*request.File{}
		defer func() {
			for _, f := range files {
				os.Remove(f.Path)
			}
		}()
		values, err := readMultipart(stream, params["boundary"], files)
		if errors.Is(err, errTooLarge) {
			return tooLarge(c, limit)
		}
		if err != nil {
			c.Response().SetConnectionClose()
			return &fiber.Error{Code: fiber.StatusBadRequest, Message: "The upload could not be read: " + err.Error()}
		}
		req.Header.SetContentType(fiber.MIMEApplicationForm)
		req.SetBodyString(values.Encode())
		request.SetFiles(c, files)
		if err := checkFormText(c); err != nil {
			return err
		}
		return c.Next()
	}
	body, err := io.ReadAll(stream)
	if errors.Is(err, errTooLarge) {
		return tooLarge(c, limit)
	}
	if err != nil {
		c.Response().SetConnectionClose()
		return &fiber.Error{Code: fiber.StatusBadRequest, Message: "The request body could not be read."}
	}
	req.SetBodyRaw(body)
	if mt == fiber.MIMEApplicationForm {
		if err := checkFormText(c); err != nil {
			return err
		}
	}
	return c.Next()
}

// checkFormText refuses a form whose values hold a NUL or another control
// character before any handler sees it: no form field takes one.
func checkFormText(c fiber.Ctx) error {
	var bad string
	for k, v := range c.Request().PostArgs().All() {
		if apperr.CheckText(string(k), string(v)) != nil {
			bad = string(k)
			break
		}
	}
	if bad != "" {
		return apperr.Invalid(bad, fmt.Sprintf("The field %q holds a control character (such as a NUL byte) or text that is not UTF-8; remove it and send the form again.", bad))
	}
	return nil
}

// readMultipart streams a multipart body: file parts to temporary files
// (recorded in files at once, so the caller removes them on every path),
// text parts into values, bounded together by formValuesLimit.
func readMultipart(r io.Reader, boundary string, files map[string]*request.File) (url.Values, error) {
	mr := multipart.NewReader(r, boundary)
	values := url.Values{}
	textLeft := int64(formValuesLimit)
	for parts := 0; ; parts++ {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return values, nil
		}
		if err != nil {
			return nil, unwrapLimit(err)
		}
		if parts >= maxFormParts {
			return nil, fmt.Errorf("more than %d parts", maxFormParts)
		}
		name := p.FormName()
		if name == "" {
			continue
		}
		if p.FileName() == "" {
			b, err := io.ReadAll(io.LimitReader(p, textLeft+1))
			if err != nil {
				return nil, unwrapLimit(err)
			}
			if int64(len(b)) > textLeft {
				return nil, errTooLarge
			}
			textLeft -= int64(len(b))
			values.Add(name, string(b))
			continue
		}
		if _, dup := files[name]; dup {
			return nil, fmt.Errorf("the field %s holds more than one file", name)
		}
		tmp, err := os.CreateTemp("", "indicia-upload-*")
		if err != nil {
			return nil, fmt.Errorf("store upload: %w", err)
		}
		f := &request.File{Name: filepath.Base(p.FileName()), Path: tmp.Name()}
		files[name] = f
		f.Size, err = io.Copy(tmp, p)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, unwrapLimit(err)
		}
	}
}

// unwrapLimit keeps errTooLarge recognizable through the multipart reader,
// which wraps some read errors in its own text.
func unwrapLimit(err error) error {
	if errors.Is(err, errTooLarge) || strings.Contains(err.Error(), errTooLarge.Error()) {
		return errTooLarge
	}
	return err
}
