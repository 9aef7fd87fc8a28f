package handlers

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/hygiene/addressbook"
	"indicia/hygiene/coa"
	"indicia/views"
	"indicia/web/request"
)

var coaStatuses = []views.Option{{Value: coa.MatchPending, Label: "To review"}, {Value: coa.MatchAccepted, Label: "Accepted"},
	{Value: coa.MatchDismissed, Label: "Dismissed"}, {Value: coa.MatchWithdrawn, Label: "Withdrawn"}}

const coaMatchesPerPage = 50

func validCOAStatus(s string) bool {
	for _, o := range coaStatuses {
		if o.Value == s {
			return true
		}
	}
	return s == coa.MatchSuperseded
}

// coaPageFilter reads the filter of /coa (query or form). A value the page
// never offers is dropped rather than refused, and the error kept for the
// field, so a hand-edited URL still shows a page.
func coaPageFilter(get func(string) string) (coa.MatchFilter, views.Form) {
	f := views.Form{Values: map[string]string{}, Errors: map[string]string{}}
	for _, k := range []string{"status", "move_type", "code", "from", "to"} {
		f.Values[k] = strings.TrimSpace(get(k))
	}
	if !validCOAStatus(f.Values["status"]) {
		f.Values["status"] = coa.MatchPending
	}
	mf := coa.MatchFilter{Status: f.Values["status"]}
	try := func(field string, set func()) {
		if f.Values[field] == "" {
			return
		}
		prev := mf
		set()
		if err := mf.Check(); err != nil {
			mf = prev
			if fields, ok := apperr.AsFields(err); ok {
				f.Errors[field] = fields[field]
			}
			f.Values[field] = ""
		}
	}
	try("move_type", func() { mf.MoveType = f.Values["move_type"] })
	try("code", func() { mf.Code = coa.MoveCode(f.Values["code"]) })
	for _, k := range []string{"from", "to"} {
		if t, err := parseDay(k, f.Values[k]); err != nil {
			f.Errors[k], f.Values[k] = "Enter a date like 2026-10-01.", ""
		} else if k == "from" {
			try(k, func() { mf.From = t })
		} else {
			try(k, func() { mf.To = t })
		}
	}
	return mf, f
}

// coaFilterQuery is the filter as a query string, for links and redirects.
func coaFilterQuery(f views.Form) string {
	q := url.Values{}
	for _, k := range []string{"status", "move_type", "code", "from", "to"} {
		if v := f.Values[k]; v != "" {
			q.Set(k, v)
		}
	}
	return q.Encode()
}

func options(values []string, labels func(string) string, selected string) []views.Option {
	out := []views.Option{{Value: "", Label: "All", Selected: selected == ""}}
	for _, v := range values {
		out = append(out, views.Option{Value: v, Label: labels(v), Selected: v == selected})
	}
	return out
}

// COAMatches is the mailer's page of recipients who moved: filtered by
// status, move type, result and date, a page at a time (newest first).
func (h *Handler) COAMatches(c fiber.Ctx) error {
	mf, f := coaPageFilter(func(k string) string { return c.Query(k) })
	after, _ := strconv.ParseInt(c.Query("after"), 10, 64)
	actor := *request.Actor(c)
	p, err := h.d.COA.FindMatches(c.Context(), actor, mf, max(after, 0), 0, coaMatchesPerPage)
	if err != nil {
		return err
	}
	q := coaFilterQuery(f)
	v := views.COAMatchesPage{Status: mf.Status, Total: p.Total, CanEdit: addressbook.CanEdit(actor), Statuses: coaStatuses, Form: f, Query: q,
		MoveTypes: options([]string{coa.MoveIndividual, coa.MoveFamily, coa.MoveBusiness}, func(s string) string { return s }, f.Values["move_type"]),
		Codes: options([]string{string(coa.CodeNewAddress), string(coa.CodeMovedNoAddress), string(coa.CodePOBoxClosed), string(coa.CodeAmbiguous)},
			func(s string) string { return coa.MoveCode(s).Label() }, f.Values["code"])}
	if p.After != 0 {
		v.NextURL = "/coa?" + q + "&after=" + strconv.FormatInt(p.After, 10)
	}
	if after > 0 {
		v.FirstURL = "/coa?" + q
	}
	v.Shown = fmt.Sprintf("%d shown of %d", len(p.Matches), p.Total)
	for _, m := range p.Matches {
		name := m.Name
		if m.Company != "" {
			if name != "" {
				name += ", "
			}
			name += m.Company
		}
		new := m.NewOneLine()
		if new == "" {
			new = "—"
		}
		move := m.MoveType
		if how := m.NameMatchText(); how != "" {
			move += ", " + how // how the names matched, for the mailer to judge
		}
		v.Matches = append(v.Matches, views.COAMatchVM{ID: strconv.FormatInt(m.ID, 10), Name: name, ExternalID: m.ExternalID, Old: m.OldOneLine(), New: new,
			MoveType: move, Date: m.Effective.Format("2006-01-02"), Code: m.Code.Label(), Status: m.Status,
			CanAccept: m.CanAccept(), Pending: m.Status == coa.MatchPending})
	}
	return render(c, fiber.StatusOK, views.COAMatchesView(h.Page(c, "Recipients who moved", "coa"), v))
}

func matchID(c fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return 0, apperr.NotFound("No such change of address.")
	}
	return id, nil
}

// backToCOA is /coa with the filter the form was sent from.
func backToCOA(c fiber.Ctx) string {
	_, f := coaPageFilter(func(k string) string { return c.FormValue(k) })
	if q := coaFilterQuery(f); q != "" {
		return "/coa?" + q
	}
	return "/coa"
}

// AcceptCOAMatch moves the address-book entry to the new address.
func (h *Handler) AcceptCOAMatch(c fiber.Ctx) error {
	id, err := matchID(c)
	if err != nil {
		return err
	}
	m, err := h.d.COA.Accept(c.Context(), *request.Actor(c), id)
	if err != nil {
		return err
	}
	return h.redirectWith(c, backToCOA(c), "Moved "+m.Name+" to "+m.NewOneLine()+".")
}

// DismissCOAMatch hides a match.
func (h *Handler) DismissCOAMatch(c fiber.Ctx) error {
	id, err := matchID(c)
	if err != nil {
		return err
	}
	if _, err := h.d.COA.Dismiss(c.Context(), *request.Actor(c), id); err != nil {
		return err
	}
	return h.redirectWith(c, backToCOA(c), "Dismissed.")
}

// BulkCOAMatches accepts or dismisses the selected matches, or every
// pending match the filter shows (the form of /coa, without JavaScript).
func (h *Handler) BulkCOAMatches(c fiber.Ctx) error {
	action := c.FormValue("action")
	accept := strings.HasPrefix(action, "accept")
	var ids []int64
	var filter *coa.MatchFilter
	switch action {
	case "accept-selected", "dismiss-selected":
		for _, v := range c.Request().PostArgs().PeekMulti("ids") {
			id, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil {
				return apperr.Invalid("ids", "The selection is not valid; reload the page and select again.")
			}
			ids = append(ids, id)
		}
		if len(ids) == 0 {
			return h.redirectWith(c, backToCOA(c), "Select at least one change of address first.")
		}
	case "accept-all", "dismiss-all":
		mf, _ := coaPageFilter(func(k string) string { return c.FormValue(k) })
		filter = &mf
	default:
		return apperr.Invalid("action", "Choose accept or dismiss.")
	}
	res, err := h.d.COA.DecideMany(c.Context(), *request.Actor(c), ids, filter, accept)
	if err != nil {
		return err
	}
	verb := "Dismissed"
	if accept {
		verb = "Accepted"
	}
	msg := fmt.Sprintf("%s %d.", verb, res.Decided)
	if n := len(res.Skipped); n > 0 {
		msg += fmt.Sprintf(" %d left as they were: %s", n, res.Skipped[0].Reason)
		if n > 1 {
			msg += fmt.Sprintf(" (and %d more)", n-1)
		}
	}
	if res.Remaining > 0 {
		msg += fmt.Sprintf(" %d more remain; repeat to continue.", res.Remaining)
	}
	return h.redirectWith(c, backToCOA(c), msg)
}

// coaExportHeader are the columns of the matches export.
var coaExportHeader = []string{"match_id", "entry_id", "external_id", "reference", "name", "company",
	"old_line1", "old_line2", "old_city", "old_state", "old_zip",
	"new_line1", "new_line2", "new_city", "new_state", "new_zip", "new_zip4",
	"move_type", "code", "move_effective_date", "status", "found_at"}

// ExportCOAMatches downloads the matches the filter shows, as CSV or XLSX.
func (h *Handler) ExportCOAMatches(c fiber.Ctx) error {
	mf, _ := coaPageFilter(func(k string) string { return c.Query(k) })
	actor := *request.Actor(c)
	if _, err := h.d.COA.FindMatches(c.Context(), actor, mf, 0, 0, 1); err != nil {
		return err // refused before the download starts
	}
	svc := h.d.COA
	return streamTable(c, c.Query("format"), "changes-of-address", coaExportHeader, func(ctx context.Context, emit func([]string) error) error {
		return svc.EachMatch(ctx, actor, mf, func(m coa.COAMatch) error {
			return emit([]string{strconv.FormatInt(m.ID, 10), strconv.FormatInt(m.EntryID, 10), m.ExternalID, m.Reference, m.Name, m.Company,
				m.Old.Line1, m.Old.Line2, m.Old.City, m.Old.State, m.Old.ZIP,
				m.New.Line1, m.New.Line2, m.New.City, m.New.State, m.New.ZIP, m.NewZIP4,
				m.MoveType, string(m.Code), m.Effective.Format("2006-01-02"), m.Status, m.CreatedAt.UTC().Format("2006-01-02 15:04")})
		})
	})
}
