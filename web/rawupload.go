package web

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/web/request"
)

// rawUploadRoutes take a file either as multipart/form-data (field "file")
// or as the whole request body, which client programs stream without
// building a form. Both reach the handler as request.FormFile(c, "file").
var rawUploadRoutes = map[string]bool{
	"POST /api/v1/coa/lists":        true,
	"POST /api/v1/addresses/import": true,
}

func isRawUpload(c fiber.Ctx) bool {
	if !rawUploadRoutes[c.Method()+" "+strings.TrimSuffix(c.Path(), "/")] {
		return false
	}
	mt, _, _ := mime.ParseMediaType(string(c.Request().Header.ContentType()))
	return mt != "multipart/form-data"
}

// rawUpload stores the request body, bounded by limit, in a temporary file
// (removed when the request ends) named by the filename query parameter.
func rawUpload(c fiber.Ctx, limit int64) error {
	req := c.Request()
	var src io.Reader
	if req.IsBodyStream() {
		src = &limitReader{r: req.BodyStream(), left: limit}
	} else {
		if int64(len(req.Body())) > limit {
			return tooLarge(c, limit)
		}
		src = bytes.NewReader(req.Body())
	}
	tmp, err := os.CreateTemp("", "indicia-upload-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, src)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, errTooLarge) {
		return tooLarge(c, limit)
	}
	if err != nil {
		c.Response().SetConnectionClose()
		return &fiber.Error{Code: fiber.StatusBadRequest, Message: "The request body could not be read."}
	}
	name := filepath.Base(c.Query("filename", "upload"))
	if name == "." || name == "/" {
		name = "upload"
	}
	req.SetBodyRaw(nil)
	if n > 0 {
		request.SetFiles(c, map[string]*request.File{"file": {Name: name, Size: n, Path: tmp.Name()}})
	}
	return c.Next()
}
