package handlers

import (
	"io"

	"indicia/hygiene"
)

// closingImporter closes the uploaded file with the importer.
type closingImporter struct {
	*hygiene.Importer
	f io.Closer
}

func (c *closingImporter) Close() error {
	c.Importer.Close()
	return c.f.Close()
}
