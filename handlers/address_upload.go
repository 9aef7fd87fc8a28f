package handlers

import (
	"io"

	"indicia/hygiene/address"
)

// closingImporter closes the uploaded file with the importer.
type closingImporter struct {
	*address.Importer
	f io.Closer
}

func (c *closingImporter) Close() error {
	c.Importer.Close()
	return c.f.Close()
}
