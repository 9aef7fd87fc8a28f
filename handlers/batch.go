package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/hygiene/addressbook"
	"indicia/metering"
	"indicia/metering/rating"
	"indicia/payments"
	"indicia/postage"
	"indicia/views"
	"indicia/web/request"
)

// batchFields are the single-valued inputs of the batch forms.
var batchFields = []string{"token", "action", "rows", "class", "weight_oz", "cost_code", "reference", "meter_id", "group_id"}

// maxFixRows bounds the rows a review offers to fix on the page (the rest
// are listed to fix in the file).
const maxFixRows = 100

// batchKeyPrefix keeps a batch form's token apart from the single purchase
// form's and from API clients' Idempotency-Keys.
const batchKeyPrefix = webKeyPrefix + "batch:"

// ShowBatch is the batch labels page: upload a list, or pick recipients from
// the address book.
func (h *Handler) ShowBatch(c fiber.Ctx) error {
	f := emptyForm()
	f.Values["token"] = newFormToken()
	f.Values["group_id"] = c.Query("group_id")
	vm, err := h.batchVM(c, f, c.Query("q"), nil)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.Batch(h.Page(c, "Batch labels", "postage"), vm))
}

// BatchTemplate downloads the batch file template.
func (h *Handler) BatchTemplate(c fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, csvType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="batch-labels-template.csv"`)
	return c.SendString(postage.BatchTemplate)
}

// batchVM fills the page's choices; selected are the ticked book entries.
func (h *Handler) batchVM(c fiber.Ctx, f views.Form, q string, selected []string) (views.BatchVM, error) {
	u := *request.Actor(c)
	if f.V("class") == "" {
		f.Values["class"] = rating.ClassFirstClassLetter
	}
	vm := views.BatchVM{Token: f.V("token"), Query: q, Form: f, Classes: domesticClassOptions(f.V("class"))}
	// The account's active meters, the default (or the chosen one) selected.
	m, meters, err := h.d.Postage.ChooseMeter(c.Context(), u, f.V("meter_id"))
	if _, ok := apperr.As(err); err != nil && !ok {
		return vm, err
	}
	vm.Meters = meterOptions(meters, m.ID)
	vm.MeterID = strconv.FormatInt(m.ID, 10)
	if vm.CostCodes, err = h.costCodeOptions(c.Context(), u, f.V("cost_code")); err != nil {
		return vm, err
	}
	if h.d.Addresses != nil {
		const shown = 200
		entries, total, err := h.d.Addresses.List(c.Context(), u, q, 0, shown)
		if err != nil {
			return vm, err
		}
		vm.BookMore = total > len(entries)
		groups, err := h.d.Addresses.Groups(c.Context(), u)
		if err != nil {
			return vm, err
		}
		vm.Groups = []views.Option{{Value: "", Label: "None: the ticked recipients"}}
		for _, g := range groups {
			id := strconv.FormatInt(g.ID, 10)
			vm.Groups = append(vm.Groups, views.Option{Value: id, Label: fmt.Sprintf("%s (%d)", g.Name, g.Members), Selected: id == f.V("group_id")})
		}
		for _, e := range entries {
			id := strconv.FormatInt(e.ID, 10)
			label := e.Name
			if e.Company != "" {
				label += ", " + e.Company
			}
			vm.Book = append(vm.Book, views.BookEntry{ID: id, Label: label + " — " + e.OneLine(), Selected: slices.Contains(selected, id)})
		}
	}
	return vm, nil
}

// Batch checks a batch (an uploaded list, or address book entries) and shows
// every row priced or refused; with action=buy it buys the reviewed good rows
// as one purchase. The form's token is the purchase's idempotency key, so a
// retry or a double submit buys nothing twice.
func (h *Handler) Batch(c fiber.Ctx) error {
	u := *request.Actor(c)
	f := form(c, batchFields...)
	if f.V("token") == "" {
		f.Values["token"] = newFormToken()
	}
	p := h.Page(c, "Batch labels", "postage")
	m, _, err := h.purchaseMeter(c.Context(), u, f)
	if ae, ok := apperr.As(err); ok && ae.Field == "meter_id" {
		// A meter that is gone or not the account's: nothing is checked or
		// bought; the form comes back with the default meter chosen.
		f.Errors["meter_id"] = ae.Message
		vm, verr := h.batchVM(c, f, "", formMulti(c, "book_ids"))
		if verr != nil {
			return verr
		}
		return render(c, fiber.StatusUnprocessableEntity, views.Batch(p, vm))
	}
	if err != nil {
		return err
	}
	if f.V("action") == "buy" {
		return h.buyBatch(c, u, m, f, p)
	}
	ids := formMulti(c, "book_ids")
	var rows []postage.BatchRow
	var bad []postage.BadRow
	status := fiber.StatusOK
	switch {
	case f.V("action") == "recheck":
		rows, err = fixedRows(c, f)
	case f.V("group_id") != "":
		rows, err = h.groupRows(c, u, f)
	case len(ids) > 0:
		rows, err = h.bookRows(c, u, f, ids)
	default:
		rows, bad, err = h.fileRows(c)
	}
	if err != nil {
		var ue *errUpload
		ae, isApp := apperr.As(err)
		switch {
		case errors.As(err, &ue):
			f.Errors["file"], status = ue.msg, ue.status
		case isApp && ae.Kind == apperr.KindInvalid:
			f.Errors[ae.Field], status = ae.Message, fiber.StatusUnprocessableEntity
		default:
			return err
		}
		vm, verr := h.batchVM(c, f, "", ids)
		if verr != nil {
			return verr
		}
		return render(c, status, views.Batch(p, vm))
	}
	quotes, err := h.d.Postage.QuoteBatch(c.Context(), u, m, rows)
	if err != nil {
		return err
	}
	review, err := h.batchReview(c, m.ID, m.Record.Serial, quotes, bad)
	if err != nil {
		return err
	}
	vm, err := h.batchVM(c, f, "", ids)
	if err != nil {
		return err
	}
	vm.Review = review
	return render(c, status, views.Batch(p, vm))
}

// fileRows reads the uploaded batch file.
func (h *Handler) fileRows(c fiber.Ctx) ([]postage.BatchRow, []postage.BadRow, error) {
	im, _, err := openUpload(c, postage.BatchSpec)
	if err != nil {
		return nil, nil, err
	}
	defer im.Close()
	rows, bad, err := postage.ReadBatch(im.Importer)
	if err != nil {
		return nil, nil, uploadError(err)
	}
	rows, presetBad, err := postage.FillPresets(c.Context(), *request.Actor(c), h.findPreset, rows)
	if err != nil {
		return nil, nil, err
	}
	return rows, sortBadRows(append(bad, presetBad...)), nil
}

// bookRows makes a row of each ticked address book entry, with the shared
// piece inputs.
func (h *Handler) bookRows(c fiber.Ctx, u accounts.User, f views.Form, ids []string) ([]postage.BatchRow, error) {
	if len(ids) > postage.MaxBatchRows {
		return nil, apperr.Invalid("book_ids", fmt.Sprintf("A batch holds at most %d recipients.", postage.MaxBatchRows))
	}
	if w, err := strconv.ParseFloat(f.V("weight_oz"), 64); err != nil || !(w > 0) {
		return nil, apperr.Invalid("weight_oz", "Enter the weight of each piece in ounces, such as 1 or 3.5.")
	}
	rows := make([]postage.BatchRow, 0, len(ids))
	for _, s := range ids {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, apperr.Invalid("book_ids", "Choose recipients from the list.")
		}
		e, err := h.d.Addresses.Get(c.Context(), u, id)
		if err != nil {
			return nil, apperr.Invalid("book_ids", "One of the chosen entries is gone from the address book; choose again.")
		}
		rows = append(rows, bookRow(e, f))
	}
	return rows, nil
}

func bookRow(e addressbook.Entry, f views.Form) postage.BatchRow {
	return postage.BatchRow{Label: e.Name, Piece: postage.BatchPiece{Name: e.Name, Company: e.Company, Address: e.OneLine(),
		WeightOz: f.V("weight_oz"), Class: f.V("class"), CostCode: f.V("cost_code"), Reference: f.V("reference")}}
}

// groupRows makes a row of each entry of the chosen saved group, with the
// shared piece inputs.
func (h *Handler) groupRows(c fiber.Ctx, u accounts.User, f views.Form) ([]postage.BatchRow, error) {
	id, err := strconv.ParseInt(f.V("group_id"), 10, 64)
	if err != nil {
		return nil, apperr.Invalid("group_id", "Choose a saved group from the list.")
	}
	if w, err := strconv.ParseFloat(f.V("weight_oz"), 64); err != nil || !(w > 0) {
		return nil, apperr.Invalid("weight_oz", "Enter the weight of each piece in ounces, such as 1 or 3.5.")
	}
	_, members, err := h.d.Addresses.Group(c.Context(), u, id)
	if apperr.KindOf(err) == apperr.KindNotFound {
		return nil, apperr.Invalid("group_id", "This group is gone from the address book; choose again.")
	}
	if err != nil {
		return nil, err
	}
	if len(members) == 0 {
		return nil, apperr.Invalid("group_id", "This group has no addresses.")
	}
	rows := make([]postage.BatchRow, 0, len(members))
	for _, e := range members {
		rows = append(rows, bookRow(e, f))
	}
	return rows, nil
}

// batchReview shapes the priced rows for the page and carries the good ones.
func (h *Handler) batchReview(c fiber.Ctx, meterID int64, serial string, quotes []postage.RowQuote, bad []postage.BadRow) (*views.BatchReviewVM, error) {
	r := &views.BatchReviewVM{Meter: serial}
	var good []postage.BatchRow
	var total int64
	for _, b := range bad {
		row := views.BatchRowVM{Where: b.Where(), Name: nonEmpty(b.Name, "unreadable row"), Problem: b.Reason, Line: b.Line}
		if b.Piece != nil {
			fixable(&row, postage.BatchRow{Line: b.Line, Label: b.Label, Piece: *b.Piece})
		}
		r.Bad = append(r.Bad, row)
	}
	for _, q := range quotes {
		pc := q.Row.Piece
		row := views.BatchRowVM{Line: q.Row.Line, Where: rowWhere(q.Row), Name: nonEmpty(pc.Name, pc.Company), To: pc.Address, Class: pc.Class, Weight: pc.WeightOz + " oz",
			CostCode: pc.CostCode, Reference: pc.Reference}
		if q.Bad != nil {
			row.Problem = q.Bad.Reason
			fixable(&row, q.Row)
			r.Bad = append(r.Bad, row)
		} else {
			row.OK = true
			row.To = strings.Join(q.Priced.Request.Recipient.Lines, ", ")
			row.Class = rating.ClassName(q.Priced.Request.MailClass)
			row.CostCode = q.Priced.CostCode.Label()
			row.Price = views.Money(q.Priced.Request.Postage)
			total += q.Priced.Request.Postage
			good = append(good, q.Row)
		}
		r.Rows = append(r.Rows, row)
	}
	// Skipped rows in file order, whether the file or the pricing refused them.
	slices.SortStableFunc(r.Bad, func(a, b views.BatchRowVM) int { return a.Line - b.Line })
	n := 0
	for i := range r.Bad {
		if r.Bad[i].Fix == "" {
			continue
		}
		if n++; n > maxFixRows {
			r.Bad[i].Fix = ""
			continue
		}
		r.Bad[i].Index = strconv.Itoa(n)
	}
	r.Good, r.Total = len(good), views.Money(total)
	if len(good) > 0 {
		fee, err := h.d.Postage.CardFee(c.Context(), meterID, len(good))
		if err != nil {
			return nil, err
		}
		if fee > 0 {
			r.CardCharge = views.Money(total+fee) + " will be charged to your card once (postage " + r.Total + " + fee " + views.Money(fee) + ")"
		}
	}
	b, err := json.Marshal(good)
	if err != nil {
		return nil, fmt.Errorf("handlers: carry batch rows: %w", err)
	}
	r.RowsJSON = string(b)
	return r, nil
}

func rowWhere(r postage.BatchRow) string {
	if r.Line > 0 {
		return "Line " + strconv.Itoa(r.Line)
	}
	return r.Label
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// buyBatch buys the reviewed rows as one purchase and shows its labels (one
// merged PDF or ZPL for all of them).
func (h *Handler) buyBatch(c fiber.Ctx, u accounts.User, m metering.Meter, f views.Form, p views.Page) error {
	var rows []postage.BatchRow
	if err := json.Unmarshal([]byte(f.V("rows")), &rows); err != nil || len(rows) == 0 || len(rows) > postage.MaxBatchRows {
		return apperr.Invalid("rows", "The batch form is damaged; upload the list again.")
	}
	if err := accounts.RequireVerifiedEmail(u); err != nil {
		return err
	}
	pur, err := h.d.Postage.BuyBatch(c.Context(), u, m, rows, batchKeyPrefix+f.V("token"))
	if id, ok := payments.ChargedPending(err); ok {
		return h.redirectWith(c, "/billing/receipts/"+id, "Your card was charged; the labels are being finished and will appear in your labels within minutes. You will not be charged again.")
	}
	var re *postage.BatchRowError
	if errors.As(err, &re) {
		// Nothing was bought: show the row at fault; the mailer checks the list again.
		p.Error = re.Row.Where() + ": " + re.Row.Reason + " Nothing was bought; fix the row or leave it out, then check the list again."
		f.Values["token"] = newFormToken()
		vm, verr := h.batchVM(c, f, "", nil)
		if verr != nil {
			return verr
		}
		return render(c, fiber.StatusUnprocessableEntity, views.Batch(p, vm))
	}
	if ae, ok := apperr.As(err); ok && ae.Field == "idempotency_key" {
		return apperr.Conflict("", "This batch form was already used for another purchase (see your labels). Check the list again to buy it.")
	}
	if err != nil {
		return err
	}
	flash := fmt.Sprintf("%d labels bought in one purchase: %s.", pur.Pieces, views.Money(pur.Postage))
	if pur.Replayed {
		flash = "This batch had already been bought; here are its labels. Nothing was bought twice."
	}
	return h.redirectWith(c, "/labels/"+pur.PublicID, flash)
}

// fixable offers a skipped row to be corrected on the page.
func fixable(v *views.BatchRowVM, r postage.BatchRow) {
	b, err := json.Marshal(r)
	if err != nil {
		return
	}
	v.Fix, v.FixAddress, v.FixWeight, v.FixCostCode = string(b), r.Piece.Address, r.Piece.WeightOz, r.Piece.CostCode
}

// fixedRows are the reviewed good rows and the skipped rows as corrected on
// the page, in file order, to be checked again.
func fixedRows(c fiber.Ctx, f views.Form) ([]postage.BatchRow, error) {
	var rows []postage.BatchRow
	if s := f.V("rows"); s != "" && s != "null" {
		if err := json.Unmarshal([]byte(s), &rows); err != nil {
			return nil, apperr.Invalid("file", "The batch form is damaged; upload the list again.")
		}
	}
	fix, addr, weight, cost := formMulti(c, "fix_row"), formMulti(c, "fix_address"), formMulti(c, "fix_weight_oz"), formMulti(c, "fix_cost_code")
	if len(fix) > maxFixRows || len(addr) != len(fix) || len(weight) != len(fix) || len(cost) != len(fix) {
		return nil, apperr.Invalid("file", "The batch form is damaged; upload the list again.")
	}
	for i, s := range fix {
		var r postage.BatchRow
		if err := json.Unmarshal([]byte(s), &r); err != nil {
			return nil, apperr.Invalid("file", "The batch form is damaged; upload the list again.")
		}
		r.Piece.Address, r.Piece.WeightOz, r.Piece.CostCode = strings.TrimSpace(addr[i]), strings.TrimSpace(weight[i]), strings.TrimSpace(cost[i])
		rows = append(rows, r)
	}
	if len(rows) == 0 || len(rows) > postage.MaxBatchRows {
		return nil, apperr.Invalid("file", "There is nothing left to check; upload the list again.")
	}
	slices.SortStableFunc(rows, func(a, b postage.BatchRow) int { return a.Line - b.Line })
	return rows, nil
}
