package request

import (
	"os"

	"github.com/gofiber/fiber/v3"
)

const keyUploads localKey = 100

// File is an uploaded file, already streamed to a temporary file on disk
// by the body limit middleware, which removes it when the request ends.
type File struct {
	Name string // the client's file name, base name only
	Size int64
	Path string
}

// Open opens the stored upload for reading.
func (f *File) Open() (*os.File, error) { return os.Open(f.Path) }

// SetFiles records the uploaded files of this request by form field.
func SetFiles(c fiber.Ctx, files map[string]*File) { c.Locals(keyUploads, files) }

// FormFile returns the file uploaded in the named field, or nil.
func FormFile(c fiber.Ctx, name string) *File {
	files, _ := c.Locals(keyUploads).(map[string]*File)
	return files[name]
}
