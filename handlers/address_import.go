package handlers

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/views"
	"indicia/web/request"
)

// errUpload is a refused upload: its status (413 or 422) and message.
type errUpload struct {
	status int
	msg    string
}

func (e *errUpload) Error() string { return e.msg }

// openUpload opens the uploaded "file" for import. The size is checked before
// a byte is read.
func openUpload(c fiber.Ctx, spec address.ImportSpec) (*closingImporter, string, error) {
	fh := request.FormFile(c, "file")
	if fh == nil || fh.Size == 0 {
		return nil, "", &errUpload{fiber.StatusUnprocessableEntity, "Choose a CSV or Excel file to upload."}
	}
	name := filepath.Base(fh.Name)
	if fh.Size > address.MaxImportBytes {
		return nil, name, &errUpload{fiber.StatusRequestEntityTooLarge, fmt.Sprintf("The file is %.1f MB; the limit is %d MB. Split it into smaller files.",
			float64(fh.Size)/(1<<20), address.MaxImportBytes>>20)}
	}
	f, err := fh.Open()
	if err != nil {
		return nil, name, fmt.Errorf("handlers: open upload: %w", err)
	}
	im, err := address.NewImport(f, fh.Size, name, spec)
	if err != nil {
		f.Close()
		return nil, name, uploadError(err)
	}
	return &closingImporter{im, f}, name, nil
}

// uploadError turns an importer's refusal into an *errUpload.
func uploadError(err error) error {
	if msg, tooLarge := addressbook.ImportErrorMessage(err); msg != "" {
		if tooLarge {
			return &errUpload{fiber.StatusRequestEntityTooLarge, msg}
		}
		return &errUpload{fiber.StatusUnprocessableEntity, msg}
	}
	return err
}

// ImportAddresses adds a CSV or XLSX file to the address book.
func (h *Handler) ImportAddresses(c fiber.Ctx) error {
	actor := *request.Actor(c)
	if !addressbook.CanEdit(actor) {
		return apperr.Forbidden("You need the \"Buy postage\" permission to change the address book.")
	}
	im, _, err := openUpload(c, addressbook.AddressBookImportSpec)
	if err == nil {
		defer im.Close()
		var rep addressbook.ImportReport
		rep, err = h.d.Addresses.Import(c.Context(), actor, im.Importer)
		if err == nil {
			h.coaBookChanged(c)
			return render(c, fiber.StatusOK, views.AddressImported(h.Page(c, "Import finished", "addresses"), importVM(rep)))
		}
		err = uploadError(err)
	}
	var ue *errUpload
	if errors.As(err, &ue) {
		p := h.Page(c, "Import refused", "addresses")
		return render(c, ue.status, views.ErrorPage(p, ue.status, ue.msg))
	}
	return err
}

func importVM(rep addressbook.ImportReport) views.ImportResult {
	r := views.ImportResult{Imported: rep.Imported, BadCount: rep.BadCount}
	for _, st := range statusOrder {
		if n, ok := rep.ByStatus[st]; ok {
			r.ByStatus = append(r.ByStatus, views.Option{Label: address.StatusLabel(st), Value: strconv.Itoa(n)})
		}
	}
	if _, ok := rep.ByStatus[address.StatusValid]; ok {
		r.Checked = address.CheckedFor(address.StatusValid, "")
	}
	for _, b := range rep.Bad {
		r.Bad = append(r.Bad, views.BadRowVM{Line: strconv.Itoa(b.Line), Reason: b.Reason})
	}
	return r
}
