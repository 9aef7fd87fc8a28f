package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/labels"
	"indicia/metering"
	"indicia/metering/rating"
	"indicia/postage"
	"indicia/views"
	"indicia/web/request"
)

// MaxVerifyImage bounds an uploaded label image (page and API).
const MaxVerifyImage = 5 << 20

// ShowVerify is the verification page for postal staff and vendor admins.
func (h *Handler) ShowVerify(c fiber.Ctx) error {
	return h.renderVerify(c, fiber.StatusOK, emptyForm(), nil)
}

// Verify checks a pasted barcode text or an uploaded label image and shows
// the answer in big letters with the decoded fields. It renders rather than
// redirects: the answer belongs to this scan only.
func (h *Handler) Verify(c fiber.Ctx) error {
	f := form(c, "text", "address", "piece_ref", "location")
	text := f.V("text")
	if fh := request.FormFile(c, "image"); fh != nil && fh.Size > 0 {
		if fh.Size > MaxVerifyImage {
			f.Errors["image"] = fmt.Sprintf("The image is larger than %d MB.", MaxVerifyImage>>20)
			return h.renderVerify(c, fiber.StatusUnprocessableEntity, f, nil)
		}
		file, err := fh.Open()
		if err != nil {
			return fmt.Errorf("handlers: open upload: %w", err)
		}
		data, err := io.ReadAll(io.LimitReader(file, MaxVerifyImage+1))
		file.Close()
		if err != nil {
			return fmt.Errorf("handlers: read upload: %w", err)
		}
		if text, err = decodeLabelImage(data, "image"); err != nil {
			if formError(&f, err) {
				return h.renderVerify(c, fiber.StatusUnprocessableEntity, f, nil)
			}
			return err
		}
	}
	req, err := h.verifyRequest(c, text, f.V("address"), f.V("piece_ref"), f.V("location"))
	if err == nil {
		var v metering.Verification
		if v, err = h.d.Metering.Verify(c.Context(), *request.Actor(c), req); err == nil {
			vm := verifyVM(v)
			return h.renderVerify(c, fiber.StatusOK, emptyForm(), &vm)
		}
	}
	if formError(&f, err) {
		return h.renderVerify(c, fiber.StatusUnprocessableEntity, f, nil)
	}
	return err
}

func (h *Handler) renderVerify(c fiber.Ctx, status int, f views.Form, res *views.VerifyResultVM) error {
	recent, err := h.d.Metering.RecentVerifications(c.Context(), *request.Actor(c), 10)
	if err != nil {
		return err
	}
	log := make([]views.VerifyLogRow, 0, len(recent))
	for _, r := range recent {
		log = append(log, views.VerifyLogRow{At: r.At.UTC().Format("2006-01-02 15:04:05"), Result: strings.ToUpper(string(r.Result)),
			Serial: r.Serial, PieceRef: r.PieceRef, Location: r.Location, By: r.By})
	}
	return render(c, status, views.Verify(h.Page(c, "Verify an indicium", "verify"), f, res, log, h.rootFingerprint(c.Context())))
}

// verifyRequest builds the domain request; a recipient address is cleansed
// to the one-line standardized form the indicium's hash was made from.
func (h *Handler) verifyRequest(c fiber.Ctx, text, address, pieceRef, location string) (metering.VerifyRequest, error) {
	req := metering.VerifyRequest{Text: text, PieceRef: pieceRef, Location: location, IP: c.IP()}
	if strings.TrimSpace(address) != "" {
		res := h.d.Hygiene.Cleanse(address)
		if res.Standardized.OneLine == "" {
			msg := "This address could not be standardized"
			if len(res.Reasons) > 0 {
				msg += ": " + strings.Join(res.Reasons, "; ")
			}
			return req, apperr.Invalid("address", msg+".")
		}
		req.Recipient = res.Standardized.OneLine
	}
	return req, nil
}

// decodeLabelImage reads the Data Matrix of a PNG or JPEG upload; anything
// else is refused by its content, not its name.
func decodeLabelImage(data []byte, field string) (string, error) {
	if len(data) > MaxVerifyImage {
		return "", apperr.Invalid(field, fmt.Sprintf("The image is larger than %d MB.", MaxVerifyImage>>20))
	}
	switch http.DetectContentType(data) {
	case "image/png", "image/jpeg":
	default:
		return "", apperr.Invalid(field, "This file is not a PNG or JPEG image. Upload a photo or scan of the label, or paste the barcode text.")
	}
	text, err := labels.DecodeImage(bytes.NewReader(data))
	if errors.Is(err, labels.ErrNoBarcode) {
		return "", apperr.Invalid(field, "No Data Matrix barcode was found in the image. Try a sharper, straight-on scan, or paste the barcode text.")
	}
	if errors.Is(err, labels.ErrImageTooLarge) {
		return "", apperr.Invalid(field, "The image is too large to read ("+strings.TrimPrefix(err.Error(), labels.ErrImageTooLarge.Error()+": ")+"). Scan the label at 300 or 600 dpi.")
	}
	if err != nil {
		return "", apperr.Invalid(field, "The image could not be read: "+err.Error())
	}
	return text, nil
}

func verifyVM(v metering.Verification) views.VerifyResultVM {
	vm := views.VerifyResultVM{Result: strings.ToUpper(string(v.Result)), Reason: v.Reason, Warning: v.Warning}
	if v.RecipientMatch != nil {
		vm.RecipientMatch = "does not match"
		if *v.RecipientMatch {
			vm.RecipientMatch = "matches"
		}
	}
	if d := v.Fields; d != nil {
		vm.Serial = d.Serial
		vm.Fields = []views.Option{
			{Label: "Meter serial", Value: d.Serial},
			{Label: "Date of mailing", Value: d.MailingDate.Format("2006-01-02")},
			{Label: "Postage", Value: views.Money(d.Postage)},
			{Label: "Ascending register", Value: views.Money(d.AR)},
			{Label: "Piece number", Value: fmt.Sprint(d.PieceNumber)},
			{Label: "Origin ZIP", Value: d.OriginZIP},
			{Label: "Destination ZIP", Value: d.DestZIP},
			{Label: "Mail class", Value: className(d.MailClass)},
			{Label: "Services", Value: serviceNames(d.Services)},
		}
		vm.Fields = append(vm.Fields, versionFields(d)...)
		if v.LabelStatus != "" {
			vm.Fields = append(vm.Fields, views.Option{Label: "Label status", Value: labelUse(v)})
		}
		if v.Result == metering.ResultValid && v.FirstUsedAt == nil && v.UsedAt != nil {
			// This scan is the one that marked the label used.
			vm.Reason = "The label is now recorded as used: it can no longer be voided or refunded."
		}
		if v.FirstUsedAt != nil {
			vm.Fields = append(vm.Fields, views.Option{Label: "First scanned", Value: v.FirstUsedAt.UTC().Format("2006-01-02 15:04 MST")})
		}
		if v.RevokedFrom != nil {
			vm.Fields = append(vm.Fields, views.Option{Label: "Certificate revoked from", Value: v.RevokedFrom.UTC().Format("2006-01-02 15:04 MST")})
		}
	}
	return vm
}

// labelUse is the label's status as the verifier should read it: the stored
// status stays "issued" after a scan, but the label is then used.
func labelUse(v metering.Verification) string {
	if v.LabelStatus != "issued" || v.UsedAt == nil {
		return v.LabelStatus
	}
	at := v.UsedAt.UTC().Format("2006-01-02 15:04 MST")
	if v.UsedLocation != "" {
		at += ", " + v.UsedLocation
	}
	return "used (scanned " + at + ")"
}

// className is a mail class as a clerk reads it: its name and its code.
func className(code string) string {
	if name := rating.ClassName(code); name != "" {
		return name + " (" + code + ")"
	}
	return code
}

// serviceNames lists the extra services of an indicium's bitmask by name.
func serviceNames(mask uint32) string {
	codes := postage.ServiceCodes(mask)
	if len(codes) == 0 {
		return "none"
	}
	names := make([]string, len(codes))
	for i, c := range codes {
		if names[i] = rating.ServiceName(c); names[i] == "" {
			names[i] = c
		}
	}
	return strings.Join(names, ", ")
}
