package handlers

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/metering"
	"indicia/metering/rating"
	"indicia/views"
)

// labelRow shapes a stored label for the label lists.
func labelRow(l metering.Label) views.LabelRowVM {
	class := rating.ClassName(l.MailClass)
	if class == "" {
		class = l.MailClass
	}
	var services []string
	for _, s := range serviceCodes(l.Services) {
		services = append(services, rating.ServiceName(s))
	}
	to := ""
	if len(l.Recipient.Lines) > 0 {
		to = strings.Join(l.Recipient.Lines, ", ")
	}
	base := "/labels/l/" + l.PublicID
	return views.LabelRowVM{ID: l.PublicID, Piece: strconv.FormatInt(l.PieceNumber, 10), Class: class, Services: strings.Join(services, ", "),
		Postage: views.Money(l.Postage), Date: l.MailingDate.UTC().Format("2006-01-02"), To: to, DestZIP: l.DestZIP, Status: l.Status,
		Created: l.CreatedAt.UTC().Format("2006-01-02 15:04"), PDF: base + ".pdf", PNG: base + ".png", ZPL: base + ".zpl"}
}

// LabelHistory lists the account's recent labels with their files.
func (h *Handler) LabelHistory(c fiber.Ctx) error {
	ls, err := h.d.Metering.RecentLabels(c.Context(), *Actor(c), 200)
	if err != nil {
		return err
	}
	rows := make([]views.LabelRowVM, 0, len(ls))
	for _, l := range ls {
		rows = append(rows, labelRow(l))
	}
	return render(c, fiber.StatusOK, views.LabelHistory(h.Page(c, "Labels", "labels"), rows))
}

// PurchaseLabels shows one purchase: its labels and the files to print.
func (h *Handler) PurchaseLabels(c fiber.Ctx) error {
	p, err := h.d.Metering.PurchaseByID(c.Context(), *Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	base := "/labels/" + p.PublicID
	vm := views.PurchaseLabelsVM{ID: p.PublicID, Created: p.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), Pieces: strconv.Itoa(p.Pieces),
		Postage: views.Money(p.Postage), Meter: p.Serial, PDF4x6: base + "/label.pdf?layout=4x6", PDFLetter: base + "/label.pdf?layout=letter",
		PDFEnvelope: base + "/label.pdf?layout=envelope", ZPL: base + "/label.zpl", Print: base + "/print"}
	for _, l := range p.Labels {
		vm.Labels = append(vm.Labels, labelRow(l))
	}
	return render(c, fiber.StatusOK, views.PurchaseLabels(h.Page(c, "Purchase "+p.PublicID, "labels"), vm))
}

// PrintLabels is the print page: each label as a 4x6 image, with print CSS
// that makes every label one 4x6 page.
func (h *Handler) PrintLabels(c fiber.Ctx) error {
	p, err := h.d.Metering.PurchaseByID(c.Context(), *Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	base := "/labels/" + p.PublicID
	vm := views.PrintVM{Back: base}
	for i := range p.Labels {
		vm.Images = append(vm.Images, base+"/label.png?piece="+strconv.Itoa(i+1))
	}
	return render(c, fiber.StatusOK, views.PrintLabels(h.Page(c, "Print labels", "labels"), vm))
}
