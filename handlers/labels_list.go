package handlers

import (
	"context"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/metering"
	"indicia/metering/rating"
	"indicia/metering/tracking"
	"indicia/postage"
	"indicia/views"
	"indicia/web/request"
)

// labelStatus says what a label is now, as a mailer reads it.
func labelStatus(l metering.Label, st metering.LabelState) string {
	switch {
	case l.Status == "voided" && st.VoidReason == metering.VoidSubmittedForRefund:
		return "Voided (submitted for refund)"
	case l.Status == "voided":
		return "Voided"
	case st.UsedAt != nil:
		return "Used (scanned " + st.UsedAt.UTC().Format("2006-01-02") + ")"
	case l.Status == "issued":
		return "Issued"
	}
	return l.Status
}

// labelRow shapes a stored label for the label lists. A voided label gets no
// file links: it is no postage and must not be printed again.
func labelRow(l metering.Label, st metering.LabelState) views.LabelRowVM {
	class := rating.ClassName(l.MailClass)
	if class == "" {
		class = l.MailClass
	}
	var services []string
	for _, s := range postage.ServiceCodes(l.Services) {
		services = append(services, rating.ServiceName(s))
	}
	to := ""
	if len(l.Recipient.Lines) > 0 {
		to = strings.Join(l.Recipient.Lines, ", ")
	}
	row := views.LabelRowVM{ID: l.PublicID, Piece: strconv.FormatInt(l.PieceNumber, 10), Class: class, Services: strings.Join(services, ", "),
		Postage: views.Money(l.Postage), Date: l.MailingDate.UTC().Format("2006-01-02"), To: to, DestZIP: l.DestZIP, Origin: l.OriginZIP, Status: labelStatus(l, st),
		Created: l.CreatedAt.UTC().Format("2006-01-02 15:04"), CanVoid: l.Status == "issued" && st.UsedAt == nil}
	if l.TrackingNumber != "" {
		row.Tracking = tracking.HumanReadable(l.TrackingNumber)
	}
	if l.Status != "voided" {
		base := "/labels/l/" + l.PublicID
		row.PDF, row.PNG, row.ZPL = base+".pdf", base+".png", base+".zpl"
	}
	return row
}

// labelRows shapes labels for a list, with what became of each.
func (h *Handler) labelRows(ctx context.Context, actor accounts.User, ls []metering.Label) ([]views.LabelRowVM, error) {
	ids := make([]string, len(ls))
	for i, l := range ls {
		ids[i] = l.PublicID
	}
	states, err := h.d.Metering.LabelStates(ctx, actor, ids)
	if err != nil {
		return nil, err
	}
	rows := make([]views.LabelRowVM, 0, len(ls))
	for _, l := range ls {
		rows = append(rows, labelRow(l, states[l.PublicID]))
	}
	return rows, nil
}

// PurchaseLabels shows one purchase: its labels and the files to print.
// The purchase's files leave its voided labels out; with none left, the page
// offers no file at all.
func (h *Handler) PurchaseLabels(c fiber.Ctx) error {
	p, err := h.d.Metering.PurchaseByID(c.Context(), *request.Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	base := "/labels/" + p.PublicID
	vm := views.PurchaseLabelsVM{ID: p.PublicID, Created: p.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), Pieces: strconv.Itoa(p.Pieces),
		Postage: views.Money(p.Postage), Meter: p.Serial, PDF4x6: base + "/label.pdf?layout=4x6", PDFLetter: base + "/label.pdf?layout=letter",
		PDFEnvelope: base + "/label.pdf?layout=envelope", ZPL: base + "/label.zpl", Print: base + "/print"}
	if vm.Labels, err = h.labelRows(c.Context(), *request.Actor(c), p.Labels); err != nil {
		return err
	}
	codes, err := h.costCodesOf(c.Context(), *request.Actor(c), p.Labels)
	if err != nil {
		return err
	}
	vm.CostCodes = costCodeSummary(codes)
	printable := len(printableLabels(p.Labels))
	vm.AllVoided, vm.SomeVoided = printable == 0, printable > 0 && printable < len(p.Labels)
	return render(c, fiber.StatusOK, views.PurchaseLabels(h.Page(c, "Purchase "+p.PublicID, "labels"), vm))
}

// PrintLabels is the print page: each label as a 4x6 image, with print CSS
// that makes every label one 4x6 page. Voided labels are left out.
func (h *Handler) PrintLabels(c fiber.Ctx) error {
	p, err := h.d.Metering.PurchaseByID(c.Context(), *request.Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	base := "/labels/" + p.PublicID
	vm := views.PrintVM{Back: base}
	for i, l := range p.Labels {
		if l.Status != "voided" {
			vm.Images = append(vm.Images, base+"/label.png?piece="+strconv.Itoa(i+1))
		}
	}
	if len(vm.Images) == 0 {
		return errAllVoided()
	}
	return render(c, fiber.StatusOK, views.PrintLabels(h.Page(c, "Print labels", "labels"), vm))
}
