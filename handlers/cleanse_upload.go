package handlers

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/jobs"
	"indicia/views"
	"indicia/web/request"
)

func init() {
	jobLabels[addressbook.JobKindCleanse] = "Address list cleansing"
	resultURLs[addressbook.JobKindCleanse] = func(j jobs.Job) string {
		var p struct {
			BatchID int64 `json:"batch_id"`
		}
		if json.Unmarshal(j.Payload, &p) != nil || p.BatchID == 0 {
			return ""
		}
		return "/cleanse/" + strconv.FormatInt(p.BatchID, 10)
	}
}

func (h *Handler) renderCleanseUpload(c fiber.Ctx, status int, msg string) error {
	recent, err := h.d.Batches.Recent(c.Context(), *request.Actor(c), 20)
	if err != nil {
		return err
	}
	u := views.CleanseUpload{Error: msg, MaxMB: address.MaxImportBytes >> 20, MaxRows: address.MaxImportRows}
	for _, b := range recent {
		vm := views.CleanseBatchVM{ID: strconv.FormatInt(b.ID, 10), Filename: b.Filename, Rows: strconv.FormatInt(b.TotalRows, 10),
			Created: b.CreatedAt.UTC().Format("2006-01-02 15:04"), URL: "/cleanse/" + strconv.FormatInt(b.ID, 10), State: "See the result"}
		if b.FinishedAt == nil {
			vm.URL, vm.State = "/jobs/"+strconv.FormatInt(b.JobID, 10), "In progress"
		}
		u.Recent = append(u.Recent, vm)
	}
	return render(c, status, views.CleanseUploadPage(h.Page(c, "Cleanse a list", "cleanse"), u))
}

// ShowCleanse renders the upload form and the account's recent lists.
func (h *Handler) ShowCleanse(c fiber.Ctx) error { return h.renderCleanseUpload(c, fiber.StatusOK, "") }

// UploadCleanse stores an uploaded list, stages its job and sends the
// browser to the job's progress page.
func (h *Handler) UploadCleanse(c fiber.Ctx) error {
	im, name, err := openUpload(c, addressbook.BatchImportSpec)
	if err == nil {
		defer im.Close()
		var jobID int64
		_, jobID, err = h.d.Batches.Upload(c.Context(), *request.Actor(c), im.Importer, name)
		if err == nil {
			return h.redirectWith(c, "/jobs/"+strconv.FormatInt(jobID, 10), "Your list is uploaded and being cleansed.")
		}
		err = uploadError(err)
	}
	var ue *errUpload
	if errors.As(err, &ue) {
		return h.renderCleanseUpload(c, ue.status, ue.msg)
	}
	return err
}
