package handlers

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/labels"
	"indicia/metering"
	"indicia/metering/indicium"
	"indicia/metering/rating"
	"indicia/postage"
	"indicia/web/request"
)

// sender is the return address printed on the account's labels.
func (h *Handler) sender(ctx context.Context, u accounts.User) []string {
	a, err := h.d.Accounts.Account(ctx, u, u.AccountID)
	if err != nil {
		return nil // admins and staff have no account; the label prints without a return address
	}
	var out []string
	for _, l := range []string{a.Company, a.Address.Line1, a.Address.Line2} {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, strings.ToUpper(l))
		}
	}
	last := strings.TrimSpace(strings.Join([]string{a.Address.City, a.Address.State, a.Address.ZIP}, " "))
	if last != "" {
		out = append(out, strings.ToUpper(last))
	}
	return out
}

// printable builds the printed labels from the stored indicia and recipients:
// the human-readable block comes from the signed indicium itself, so a reprint
// is the first print.
func (h *Handler) printable(ctx context.Context, u accounts.User, ls []metering.Label) ([]labels.Label, error) {
	from := h.sender(ctx, u)
	codes, err := h.costCodesOf(ctx, u, ls)
	if err != nil {
		return nil, err
	}
	out := make([]labels.Label, 0, len(ls))
	for _, l := range ls {
		in, err := indicium.Parse(l.Indicium)
		if err != nil {
			return nil, fmt.Errorf("handlers: stored indicium of label %s: %w", l.PublicID, err)
		}
		pl := labels.FromIndicium(in)
		if name := rating.ClassName(in.MailClass); name != "" {
			pl.MailClass = strings.ToUpper(name)
		}
		for _, s := range postage.ServiceCodes(in.Services) {
			pl.Services = append(pl.Services, strings.ToUpper(rating.ServiceName(s)))
		}
		pl.From, pl.To, pl.ID = from, l.Recipient.Lines, l.PublicID
		if len(l.ShipFrom) > 0 {
			pl.From = l.ShipFrom
		}
		pl.Reference = referenceLine(codes[l.CostCodeID], l.Reference)
		pl.TrackingNumber, pl.DestZIP = l.TrackingNumber, l.DestZIP
		out = append(out, pl)
	}
	return out, nil
}

// costCodesOf loads the cost codes the labels are charged to.
func (h *Handler) costCodesOf(ctx context.Context, u accounts.User, ls []metering.Label) (map[int64]accounts.CostCode, error) {
	var ids []int64
	seen := map[int64]bool{}
	for _, l := range ls {
		if l.CostCodeID != 0 && !seen[l.CostCodeID] {
			seen[l.CostCodeID] = true
			ids = append(ids, l.CostCodeID)
		}
	}
	return h.d.Accounts.CostCodesByID(ctx, u, ids)
}

// referenceLine is what the label's reference line prints: the cost code,
// then the mailer's reference.
func referenceLine(c accounts.CostCode, ref string) string {
	parts := make([]string, 0, 2)
	if c.ID != 0 {
		parts = append(parts, "COST CODE "+strings.ToUpper(c.Key()))
	}
	if ref != "" {
		parts = append(parts, ref)
	}
	return strings.Join(parts, " / ")
}

// costCodeSummary names the cost codes of a purchase, by name.
func costCodeSummary(codes map[int64]accounts.CostCode) string {
	names := make([]string, 0, len(codes))
	for _, c := range codes {
		names = append(names, c.Label())
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// errVoided refuses the files of a voided label: it is no longer postage, and
// a printed copy would look like a valid one.
func errVoided(id string) error {
	return &apperr.Error{Kind: apperr.KindConflict, Code: "label_voided", Field: "label",
		Message: "Label " + id + " was voided and is no longer postage, so it cannot be printed. Do not mail a copy printed earlier."}
}

// errAllVoided refuses the files of a purchase with no label left to print.
func errAllVoided() error {
	return &apperr.Error{Kind: apperr.KindConflict, Code: "label_voided", Field: "label",
		Message: "Every label of this purchase was voided; there is nothing left to print. Do not mail copies printed earlier."}
}

// printableLabels leaves out the voided labels.
func printableLabels(ls []metering.Label) []metering.Label {
	out := make([]metering.Label, 0, len(ls))
	for _, l := range ls {
		if l.Status != "voided" {
			out = append(out, l)
		}
	}
	return out
}

// sendLabels renders labels in one format (pdf with a layout, zpl, or png
// of the one label given) as the response. name is the download's file name
// without its extension. Callers leave voided labels out.
func (h *Handler) sendLabels(c fiber.Ctx, ls []metering.Label, format, layout, name string) error {
	pls, err := h.printable(c.Context(), *request.Actor(c), ls)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	disposition := "inline"
	switch format {
	case "pdf":
		write := labels.PDF4x6
		switch layout {
		case "", "4x6":
		case "letter":
			write = labels.PDFLetter2Up
		case "envelope":
			write = labels.PDFEnvelope10
		default:
			return apperr.Invalid("layout", "Choose the layout 4x6, letter or envelope.")
		}
		err = write(&buf, pls)
		c.Set(fiber.HeaderContentType, "application/pdf")
	case "png":
		err = labels.PNG(&buf, pls[0], labels.DefaultDPI)
		c.Set(fiber.HeaderContentType, "image/png")
	case "zpl":
		err = labels.ZPL(&buf, pls)
		c.Set(fiber.HeaderContentType, "application/zpl")
		disposition = "attachment"
	default:
		return apperr.Invalid("format", "Choose the format pdf, png or zpl.")
	}
	if err != nil {
		return fmt.Errorf("handlers: render %s labels: %w", format, err)
	}
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf("%s; filename=%q", disposition, name+"."+format))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(buf.Bytes())
}

// purchaseFile sends the labels of a whole purchase as one file, its voided
// labels left out; a PNG is one piece, numbered within the whole purchase.
func (h *Handler) purchaseFile(c fiber.Ctx, id, format string) error {
	p, err := h.d.Metering.PurchaseByID(c.Context(), *request.Actor(c), id)
	if err != nil {
		return err
	}
	name := "labels-" + p.PublicID
	if format == "png" {
		n := 1
		if piece := c.Query("piece"); piece != "" {
			if n, err = strconv.Atoi(piece); err != nil || n < 1 || n > len(p.Labels) {
				return apperr.Invalid("piece", fmt.Sprintf("Choose a piece from 1 to %d.", len(p.Labels)))
			}
		}
		l := p.Labels[n-1]
		if l.Status == "voided" {
			return errVoided(l.PublicID)
		}
		if len(p.Labels) > 1 {
			name += "-" + strconv.Itoa(n)
		}
		return h.sendLabels(c, []metering.Label{l}, format, c.Query("layout"), name)
	}
	ls := printableLabels(p.Labels)
	if len(ls) == 0 {
		return errAllVoided()
	}
	return h.sendLabels(c, ls, format, c.Query("layout"), name)
}

// labelFile sends one label; a voided one is refused.
func (h *Handler) labelFile(c fiber.Ctx, id, format string) error {
	l, err := h.d.Metering.LabelByID(c.Context(), *request.Actor(c), id)
	if err != nil {
		return err
	}
	if l.Status == "voided" {
		return errVoided(l.PublicID)
	}
	return h.sendLabels(c, []metering.Label{l}, format, c.Query("layout"), "label-"+l.PublicID)
}

// PurchasePDF is /labels/:id/label.pdf?layout=4x6|letter|envelope.
func (h *Handler) PurchasePDF(c fiber.Ctx) error { return h.purchaseFile(c, c.Params("id"), "pdf") }

// PurchasePNG is /labels/:id/label.png?piece=N (one 4x6 label at 300 dpi).
func (h *Handler) PurchasePNG(c fiber.Ctx) error { return h.purchaseFile(c, c.Params("id"), "png") }

// PurchaseZPL is /labels/:id/label.zpl.
func (h *Handler) PurchaseZPL(c fiber.Ctx) error { return h.purchaseFile(c, c.Params("id"), "zpl") }

// LabelFile is /labels/l/:file, the file being LABELID.pdf, .png or .zpl.
func (h *Handler) LabelFile(c fiber.Ctx) error {
	file := c.Params("file")
	i := strings.LastIndexByte(file, '.')
	if i <= 0 {
		return apperr.NotFound("No such label file.")
	}
	return h.labelFile(c, file[:i], file[i+1:])
}

// APILabelFile is GET /api/v1/labels/:id/file?format=pdf|png|zpl&layout=...
func (h *Handler) APILabelFile(c fiber.Ctx) error {
	return h.labelFile(c, c.Params("id"), c.Query("format", "pdf"))
}

// APIPurchaseFile is GET /api/v1/purchases/:id/file?format=pdf|png|zpl&layout=...&piece=N:
// the whole batch in one file (PNG: one piece).
func (h *Handler) APIPurchaseFile(c fiber.Ctx) error {
	return h.purchaseFile(c, c.Params("id"), c.Query("format", "pdf"))
}
