package handlers

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/metering"
	"indicia/web/request"
)

type apiVerifyRequest struct {
	Text     string `json:"text"`
	Image    string `json:"image"` // base64 of a PNG or JPEG label image
	Address  string `json:"address"`
	PieceRef string `json:"piece_ref"`
	Location string `json:"location"`
}

// apiVerifiedFields are the indicium's fields a verifier needs: what paid
// for the piece, from where and when. The recipient hash stays out: an
// address is guessable from its hash and a verifier compares addresses by
// sending one (recipient_match).
type apiVerifiedFields struct {
	Version     int       `json:"version"`
	Serial      string    `json:"meter_serial"`
	KeyID       string    `json:"key_id,omitempty"`      // version 1
	CertSerial  string    `json:"cert_serial,omitempty"` // version 2
	MailingDate time.Time `json:"mailing_date"`
	Postage     int64     `json:"postage"`
	AR          int64     `json:"ascending_register"`
	DR          *int64    `json:"descending_register,omitempty"` // version 2
	PieceNumber int64     `json:"piece_number"`
	OriginZIP   string    `json:"origin_zip"`
	DestZIP     string    `json:"dest_zip"`
	MailClass   string    `json:"mail_class"`
	Services    uint32    `json:"services"`
	Software    string    `json:"software,omitempty"` // version 2
}

func toAPIVerifiedFields(d *metering.Decoded) *apiVerifiedFields {
	if d == nil {
		return nil
	}
	return &apiVerifiedFields{Version: d.Version, Serial: d.Serial, KeyID: d.KeyID, CertSerial: d.CertSerial, MailingDate: d.MailingDate,
		Postage: d.Postage, AR: d.AR, DR: d.DR, PieceNumber: d.PieceNumber, OriginZIP: d.OriginZIP, DestZIP: d.DestZIP,
		MailClass: d.MailClass, Services: d.Services, Software: d.Software}
}

// apiVerification is a verifier's answer: the verdict and the indicium's
// fields, never a recipient's name or address or a label file.
type apiVerification struct {
	ID             int64              `json:"verification_id"`
	Result         string             `json:"result"`
	Reason         string             `json:"reason,omitempty"`
	Fields         *apiVerifiedFields `json:"fields"`
	RecipientMatch *bool              `json:"recipient_match"`
	LabelStatus    string             `json:"label_status,omitempty"`
	UsedAt         *time.Time         `json:"used_at,omitempty"`
	UsedLocation   string             `json:"used_location,omitempty"`
	FirstUsedAt    *time.Time         `json:"first_used_at,omitempty"`
	Warning        string             `json:"warning,omitempty"`
	RevokedFrom    *time.Time         `json:"revoked_from,omitempty"`
	At             time.Time          `json:"verified_at"`
}

// APIVerify verifies an indicium for postal staff keys: barcode text or a
// base64 label image, optionally the recipient address and piece reference.
// Every answer (valid, invalid, void, duplicate, revoked) is a 200: the check ran.
func (h *Handler) APIVerify(c fiber.Ctx) error {
	var in apiVerifyRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	text := in.Text
	if in.Image != "" {
		if in.Text != "" {
			return apperr.Invalid("image", "Send either text or image, not both.")
		}
		if len(in.Image) > MaxVerifyImage*4/3+4 {
			return apperr.Invalid("image", "The image is larger than 5 MB.")
		}
		data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(in.Image))
		if err != nil {
			return apperr.Invalid("image", "image must be standard base64 of a PNG or JPEG file.")
		}
		if text, err = decodeLabelImage(data, "image"); err != nil {
			return err
		}
	}
	req, err := h.verifyRequest(c, text, in.Address, in.PieceRef, in.Location)
	if err != nil {
		return err
	}
	v, err := h.d.Metering.Verify(c.Context(), *request.Actor(c), req)
	if err != nil {
		return err
	}
	return c.JSON(apiVerification{ID: v.ID, Result: string(v.Result), Reason: v.Reason, Fields: toAPIVerifiedFields(v.Fields), RecipientMatch: v.RecipientMatch,
		LabelStatus: apiLabelStatus(v), UsedAt: v.UsedAt, UsedLocation: v.UsedLocation, FirstUsedAt: v.FirstUsedAt, Warning: v.Warning, RevokedFrom: v.RevokedFrom, At: v.At})
}

// apiLabelStatus is the label's status as the /verify page reads it: the
// stored status stays "issued" after a scan, but the label is then used and
// can no longer be voided.
func apiLabelStatus(v metering.Verification) string {
	if v.LabelStatus == "issued" && v.UsedAt != nil {
		return "used"
	}
	return v.LabelStatus
}
