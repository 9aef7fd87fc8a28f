package handlers

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/hygiene/coa"
	"indicia/web/request"
)

// parseDay reads a YYYY-MM-DD query or form value (empty: zero).
func parseDay(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		return time.Time{}, apperr.Invalid(field, field+" must be a date written YYYY-MM-DD.")
	}
	return t, nil
}

// matchFilterOf reads the filter of the matches from the query (the page
// and the API use the same names).
func matchFilterOf(get func(string) string) (coa.MatchFilter, error) {
	f := coa.MatchFilter{Status: get("status"), MoveType: get("move_type"), Code: coa.MoveCode(get("code"))}
	var err error
	if f.From, err = parseDay("from", get("from")); err != nil {
		return f, err
	}
	if f.To, err = parseDay("to", get("to")); err != nil {
		return f, err
	}
	return f, f.Check()
}

// APICOAMatches is GET /api/v1/coa/matches: filtered by status, move_type,
// code, from and to; paged by after (the next_after of the previous page)
// or, for older clients, offset; limit rows at a time.
func (h *Handler) APICOAMatches(c fiber.Ctx) error {
	f, err := matchFilterOf(func(k string) string { return c.Query(k) })
	if err != nil {
		return err
	}
	// Paging mistakes are refused, not quietly replaced by the defaults: a
	// client asking for 1000 rows would otherwise believe it saw them all.
	offset, err := strconv.Atoi(c.Query("offset", "0"))
	if err != nil || offset < 0 {
		return apperr.Invalid("offset", "offset must be a whole number, 0 or more.")
	}
	limit, err := strconv.Atoi(c.Query("limit", "50"))
	if err != nil || limit < 1 || limit > 500 {
		return apperr.Invalid("limit", "limit must be a whole number from 1 to 500.")
	}
	after, err := strconv.ParseInt(c.Query("after", "0"), 10, 64)
	if err != nil || after < 0 {
		return apperr.Invalid("after", "after must be the next_after of the previous page.")
	}
	p, err := h.d.COA.FindMatches(c.Context(), *request.Actor(c), f, after, offset, limit)
	if err != nil {
		return err
	}
	if p.Matches == nil {
		p.Matches = []coa.COAMatch{}
	}
	return c.JSON(p)
}

// APIAcceptCOAMatch is POST /api/v1/coa/matches/:id/accept.
func (h *Handler) APIAcceptCOAMatch(c fiber.Ctx) error {
	id, err := matchID(c)
	if err != nil {
		return err
	}
	m, err := h.d.COA.Accept(c.Context(), *request.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(m)
}

// APIDismissCOAMatch is POST /api/v1/coa/matches/:id/dismiss.
func (h *Handler) APIDismissCOAMatch(c fiber.Ctx) error {
	id, err := matchID(c)
	if err != nil {
		return err
	}
	m, err := h.d.COA.Dismiss(c.Context(), *request.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(m)
}

// bulkMatchesBody names the matches of a bulk decision: ids, or a filter.
type bulkMatchesBody struct {
	IDs    []int64 `json:"ids"`
	Filter *struct {
		MoveType string `json:"move_type"`
		Code     string `json:"code"`
		From     string `json:"from"`
		To       string `json:"to"`
	} `json:"filter"`
}

func (h *Handler) apiBulkDecide(c fiber.Ctx, accept bool) error {
	var b bulkMatchesBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if len(b.IDs) > 0 && b.Filter != nil {
		return apperr.Invalid("ids", "Give either ids or a filter, not both.")
	}
	var f *coa.MatchFilter
	if b.Filter != nil {
		mf, err := matchFilterOf(func(k string) string {
			switch k {
			case "move_type":
				return b.Filter.MoveType
			case "code":
				return b.Filter.Code
			case "from":
				return b.Filter.From
			case "to":
				return b.Filter.To
			}
			return ""
		})
		if err != nil {
			return prefixField(err, "filter.")
		}
		f = &mf
	}
	res, err := h.d.COA.DecideMany(c.Context(), *request.Actor(c), b.IDs, f, accept)
	if err != nil {
		return err
	}
	return c.JSON(res)
}

// prefixField names a filter field by its JSON path.
func prefixField(err error, prefix string) error {
	if e, ok := apperr.As(err); ok && e.Field != "" {
		cp := *e
		cp.Field = prefix + e.Field
		return &cp
	}
	if fields, ok := apperr.AsFields(err); ok {
		out := apperr.Fields{}
		for k, v := range fields {
			out[prefix+k] = v
		}
		return out.Err()
	}
	return err
}

// APIAcceptCOAMatches is POST /api/v1/coa/matches/accept.
func (h *Handler) APIAcceptCOAMatches(c fiber.Ctx) error { return h.apiBulkDecide(c, true) }

// APIDismissCOAMatches is POST /api/v1/coa/matches/dismiss.
func (h *Handler) APIDismissCOAMatches(c fiber.Ctx) error { return h.apiBulkDecide(c, false) }

// coaListJSON is a list as the API shows it.
type coaListJSON struct {
	ID          int64         `json:"id"`
	Source      string        `json:"source"`
	Filename    string        `json:"filename"`
	Status      string        `json:"status"`
	JobID       int64         `json:"job_id"`
	JobURL      string        `json:"job_url"`
	TotalRows   int64         `json:"total_rows"`
	LoadedRows  int64         `json:"loaded_rows"`
	BadRows     int64         `json:"bad_rows"`
	Corrected   int64         `json:"corrected_rows"`
	PeriodStart string        `json:"period_start,omitempty"`
	PeriodEnd   string        `json:"period_end,omitempty"`
	Message     string        `json:"message,omitempty"`
	UploadedAt  time.Time     `json:"uploaded_at"`
	Lines       []coaLineJSON `json:"lines,omitempty"`
	Job         *apiJob       `json:"job,omitempty"`
}

type coaLineJSON struct {
	Line   int64  `json:"line"`
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
}

func toCOAListJSON(l coa.COAList) coaListJSON {
	out := coaListJSON{ID: l.ID, Source: l.Source, Filename: l.Filename, Status: l.Status, JobID: l.JobID, TotalRows: l.TotalRows,
		LoadedRows: l.LoadedRows, BadRows: l.BadRows, Corrected: l.Corrected, Message: l.Message, UploadedAt: l.UploadedAt}
	if l.JobID != 0 {
		out.JobURL = "/api/v1/jobs/" + strconv.FormatInt(l.JobID, 10)
	}
	if l.PeriodStart != nil && l.PeriodEnd != nil {
		out.PeriodStart, out.PeriodEnd = l.PeriodStart.Format("2006-01-02"), l.PeriodEnd.Format("2006-01-02")
	}
	return out
}

// APIUploadCOAList is POST /api/v1/coa/lists (postal staff): the list as
// multipart/form-data (file, source, replaces) or as the whole body (source,
// replaces and filename in the query). The header is checked at once; the
// rows load in the same job as an upload through the page.
func (h *Handler) APIUploadCOAList(c fiber.Ctx) error {
	source, replaces := c.FormValue("source"), c.FormValue("replaces")
	if source == "" {
		source = c.Query("source")
	}
	if replaces == "" {
		replaces = c.Query("replaces")
	}
	l, _, err := h.acceptCOAList(c, request.FormFile(c, "file"), source, replaces)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderLocation, "/api/v1/coa/lists/"+strconv.FormatInt(l.ID, 10))
	return c.Status(fiber.StatusAccepted).JSON(toCOAListJSON(l))
}

// APICOAList is GET /api/v1/coa/lists/:id (postal staff): the list, its
// loading job and its first refused or corrected lines.
func (h *Handler) APICOAList(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return apperr.NotFound("No such change-of-address list.")
	}
	actor := *request.Actor(c)
	l, lines, err := h.d.COA.List(c.Context(), actor, id, 1000)
	if err != nil {
		return err
	}
	out := toCOAListJSON(l)
	for _, e := range lines {
		out.Lines = append(out.Lines, coaLineJSON{Line: e.Line, Kind: e.Kind, Reason: e.Reason})
	}
	if l.JobID != 0 {
		if j, err := h.d.Jobs.Get(c.Context(), actor, l.JobID); err == nil {
			aj := toAPIJob(j)
			out.Job = &aj
		}
	}
	return c.JSON(out)
}
