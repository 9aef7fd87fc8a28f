package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/hygiene/address"
	"indicia/hygiene/coa"
	"indicia/jobs"
	"indicia/views"
	"indicia/web/request"
)

func init() {
	jobLabels[coa.JobKindCOAImport] = "Change-of-address list loading"
	jobLabels[coa.JobKindCOAMatch] = "Change-of-address matching"
	resultURLs[coa.JobKindCOAImport] = func(j jobs.Job) string {
		var p struct {
			ListID int64 `json:"list_id"`
		}
		if json.Unmarshal(j.Payload, &p) != nil || p.ListID == 0 {
			return ""
		}
		return "/coa/lists/" + strconv.FormatInt(p.ListID, 10)
	}
	failedURLs[coa.JobKindCOAImport] = resultURLs[coa.JobKindCOAImport]
	jobErrorText[coa.JobKindCOAImport] = "The list could not be loaded. The list's page gives the reason, line by line."
}

func coaListVM(l coa.COAList) views.COAListVM {
	id := strconv.FormatInt(l.ID, 10)
	vm := views.COAListVM{ID: id, Source: l.Source, Filename: l.Filename, Status: l.Status, Uploaded: l.UploadedAt.UTC().Format("2006-01-02 15:04"),
		Period: l.Period(), URL: "/coa/lists/" + id, Message: l.Message, Total: l.TotalRows, Loaded: l.LoadedRows, Bad: l.BadRows,
		Active: l.Status == coa.ListActive, Corrected: l.Corrected}
	if l.Status == coa.ListLoading && l.JobID != 0 {
		vm.JobURL = "/jobs/" + strconv.FormatInt(l.JobID, 10)
	}
	return vm
}

func (h *Handler) renderCOALists(c fiber.Ctx, status int, f views.Form) error {
	lists, err := h.d.COA.Lists(c.Context(), *request.Actor(c), 100)
	if err != nil {
		return err
	}
	v := views.COAListsPage{Form: f, Columns: coa.COAColumns, Window: h.d.COA.WindowMonths()}
	for _, l := range lists {
		v.Lists = append(v.Lists, coaListVM(l))
	}
	return render(c, status, views.COAListsView(h.Page(c, "Change-of-address lists", "coa"), v))
}

// ShowCOALists is the postal staff's page: upload form and every list.
func (h *Handler) ShowCOALists(c fiber.Ctx) error {
	return h.renderCOALists(c, fiber.StatusOK, form(c))
}

// UploadCOAList stores the uploaded file under the upload directory, records
// the list and sends the browser to the loading job's progress page.
func (h *Handler) UploadCOAList(c fiber.Ctx) error {
	f := form(c, "source", "replaces")
	_, jobID, err := h.acceptCOAList(c, request.FormFile(c, "file"), f.Values["source"], f.Values["replaces"])
	if err != nil {
		if formError(&f, err) {
			return h.renderCOALists(c, fiber.StatusUnprocessableEntity, f)
		}
		return err
	}
	return h.redirectWith(c, "/jobs/"+strconv.FormatInt(jobID, 10), "The list is uploaded and being loaded.")
}

// acceptCOAList checks an uploaded list's header, stores the file and
// records the list with its loading job (the page and the API share it).
// A refusal is an apperr naming the field (file, source, replaces).
func (h *Handler) acceptCOAList(c fiber.Ctx, fh *request.File, source, replacesText string) (coa.COAList, int64, error) {
	if fh == nil || fh.Size == 0 {
		return coa.COAList{}, 0, apperr.Invalid("file", "Choose a CSV or Excel file to upload.")
	}
	var replaces int64
	if replacesText != "" {
		var err error
		if replaces, err = strconv.ParseInt(replacesText, 10, 64); err != nil || replaces <= 0 {
			return coa.COAList{}, 0, apperr.Invalid("replaces", "Pick a list (its number).")
		}
	}
	src, err := fh.Open()
	if err != nil {
		return coa.COAList{}, 0, fmt.Errorf("handlers: open COA upload: %w", err)
	}
	defer src.Close()
	path, err := coa.SaveUpload(h.d.UploadDir, src)
	if err != nil {
		return coa.COAList{}, 0, err
	}
	// The header is checked now, not by the loading job, so a file that
	// cannot load is refused while the clerk (or client) is still there.
	if err := coa.CheckListFile(path); err != nil {
		_ = os.Remove(path)
		var ie *address.ImportError
		if errors.As(err, &ie) {
			return coa.COAList{}, 0, apperr.Invalid("file", ie.Message)
		}
		return coa.COAList{}, 0, err
	}
	l, jobID, err := h.d.COA.CreateList(c.Context(), *request.Actor(c), coa.COAListInput{Source: source, Filename: fh.Name,
		Path: path, Replaces: replaces})
	if err != nil {
		_ = os.Remove(path) // no list refers to it
		return coa.COAList{}, 0, err
	}
	return l, jobID, nil
}

// ShowCOAList shows one list, its period and its bad lines.
func (h *Handler) ShowCOAList(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return apperr.NotFound("No such change-of-address list.")
	}
	l, errs, err := h.d.COA.List(c.Context(), *request.Actor(c), id, 1000)
	if err != nil {
		return err
	}
	v := views.COAListPage{List: coaListVM(l)}
	for _, e := range errs {
		vm := views.COALineErrorVM{Line: e.Line, Reason: e.Reason}
		if e.Kind == coa.LineCorrected {
			v.Corrections = append(v.Corrections, vm)
		} else {
			v.Errors = append(v.Errors, vm)
		}
	}
	return render(c, fiber.StatusOK, views.COAListView(h.Page(c, "Change-of-address list", "coa"), v))
}

// WithdrawCOAList takes a list out of service with its matches.
func (h *Handler) WithdrawCOAList(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return apperr.NotFound("No such change-of-address list.")
	}
	if _, err := h.d.COA.Withdraw(c.Context(), *request.Actor(c), id); err != nil {
		return err
	}
	return h.redirectWith(c, "/coa/lists/"+strconv.FormatInt(id, 10), "The list and its matches are withdrawn.")
}
