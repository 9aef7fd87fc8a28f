package handlers

import "github.com/gofiber/fiber/v3"

// csvType is the one content type of every CSV download.
const csvType = "text/csv; charset=utf-8"

// attach names a download and sets its content type. Fiber's Attachment
// sets a type guessed from the extension, and for CSV the system's type
// already carries a charset that Fiber adds again, so the type is set after
// it, once.
func attach(c fiber.Ctx, name, contentType string) {
	c.Attachment(name)
	c.Set(fiber.HeaderContentType, contentType)
}
