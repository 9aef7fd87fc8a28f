package handlers

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"indicia/reports"
	"indicia/web/request"
)

type apiRegisterRow struct {
	At          time.Time  `json:"at"`
	LabelID     string     `json:"label_id"`
	MeterSerial string     `json:"meter_serial"`
	User        string     `json:"user"`
	CostCode    string     `json:"cost_code"`
	OriginZIP   string     `json:"origin_zip"`
	DestZIP     string     `json:"dest_zip"`
	MailClass   string     `json:"mail_class"`
	Services    []string   `json:"services"`
	MailingDate string     `json:"mailing_date"`
	WeightOz    float64    `json:"weight_oz"`
	Postage     int64      `json:"postage"`
	Fee         int64      `json:"fee"`
	Status      string     `json:"status"`
	VoidedAt    *time.Time `json:"voided_at"`
}

type apiSummaryRow struct {
	Key           string `json:"key"`
	Pieces        int64  `json:"pieces"`
	Postage       int64  `json:"postage"`
	VoidedPieces  int64  `json:"voided_pieces"`
	VoidedPostage int64  `json:"voided_postage"`
	Spend         int64  `json:"spend"`
}

type apiFundingRow struct {
	At          time.Time `json:"at"`
	MeterSerial string    `json:"meter_serial"`
	Kind        string    `json:"kind"`
	Reference   string    `json:"reference"`
	Amount      int64     `json:"amount"`
	CardFee     int64     `json:"card_fee"`
	Balance     int64     `json:"balance"`
}

type apiMeterFunding struct {
	MeterSerial string           `json:"meter_serial"`
	Opening     int64            `json:"opening_balance"`
	ByKind      map[string]int64 `json:"by_kind"`
	Closing     int64            `json:"closing_balance"`
}

type apiRefundRow struct {
	At          time.Time `json:"at"`
	Kind        string    `json:"kind"`
	LabelID     string    `json:"label_id,omitempty"`
	MeterSerial string    `json:"meter_serial"`
	Reason      string    `json:"reason"`
	Postage     int64     `json:"postage"`
	ReturnedTo  string    `json:"returned_to"`
	CardRefund  int64     `json:"card_refund"`
	CardState   string    `json:"card_refund_state,omitempty"`
}

// apiPage is one page of a report; NextCursor is empty on the last page.
type apiPage[T any] struct {
	Rows       []T    `json:"rows"`
	NextCursor string `json:"next_cursor"`
}

// reportFormat is the answer's format: format= wins over Accept.
func reportFormat(c fiber.Ctx) string {
	if f := strings.ToLower(strings.TrimSpace(c.Query("format"))); f != "" {
		return f
	}
	accept := c.Get(fiber.HeaderAccept)
	switch {
	case strings.Contains(accept, "text/csv"):
		return "csv"
	case strings.Contains(accept, "spreadsheetml"):
		return "xlsx"
	}
	return "json"
}

func summaryJSON(r reports.SummaryRow) apiSummaryRow {
	return apiSummaryRow{Key: r.Key, Pieces: r.Pieces, Postage: r.Postage, VoidedPieces: r.VoidedPieces, VoidedPostage: r.VoidedPostage, Spend: r.Spend()}
}

// APIReport answers GET /api/v1/reports/{register,summary,funding,refunds}:
// JSON one page at a time, or the whole report as CSV or XLSX.
func (h *Handler) APIReport(c fiber.Ctx) error {
	u := *request.Actor(c)
	kind := c.Params("kind")
	_, filter, group, err := reportFilter(c, u)
	if err != nil {
		return err
	}
	format := reportFormat(c)
	if format != "json" {
		t, err := h.reportSource(u, kind, filter, group)
		if err != nil {
			return err
		}
		return sendTable(c, format, reportFileName(kind, filter), t)
	}
	cursor, err := reports.ParseCursor(c.Query("cursor"))
	if err != nil {
		return err
	}
	limit, err := reports.ParseLimit(c.Query("limit"))
	if err != nil {
		return err
	}
	ctx := c.Context()
	switch kind {
	case "register":
		rows, next, err := h.d.Reports.Register(ctx, u, filter, cursor, limit)
		if err != nil {
			return err
		}
		out := apiPage[apiRegisterRow]{Rows: []apiRegisterRow{}, NextCursor: next.String()}
		for _, r := range rows {
			out.Rows = append(out.Rows, apiRegisterRow{At: r.At.UTC(), LabelID: r.LabelID, MeterSerial: r.MeterSerial, User: r.User, CostCode: r.CostCode,
				OriginZIP: r.OriginZIP, DestZIP: r.DestZIP, MailClass: r.Class, Services: append([]string{}, r.Services...), MailingDate: r.MailingDate.Format("2006-01-02"),
				WeightOz: r.WeightOz, Postage: r.Postage, Fee: r.Fee, Status: r.Status, VoidedAt: r.VoidedAt})
		}
		return c.JSON(out)
	case "summary":
		s, err := h.d.Reports.Summary(ctx, u, filter, group)
		if err != nil {
			return err
		}
		out := struct {
			Group string          `json:"group"`
			Rows  []apiSummaryRow `json:"rows"`
			Total apiSummaryRow   `json:"total"`
		}{Group: string(group), Rows: []apiSummaryRow{}, Total: summaryJSON(s.Total)}
		for _, r := range s.Rows {
			out.Rows = append(out.Rows, summaryJSON(r))
		}
		return c.JSON(out)
	case "funding":
		totals, err := h.d.Reports.FundingTotals(ctx, u, filter)
		if err != nil {
			return err
		}
		rows, next, err := h.d.Reports.Funding(ctx, u, filter, cursor, limit)
		if err != nil {
			return err
		}
		out := struct {
			Meters []apiMeterFunding `json:"meters"`
			apiPage[apiFundingRow]
		}{Meters: []apiMeterFunding{}, apiPage: apiPage[apiFundingRow]{Rows: []apiFundingRow{}, NextCursor: next.String()}}
		for _, m := range totals {
			out.Meters = append(out.Meters, apiMeterFunding{MeterSerial: m.Serial, Opening: m.Opening, ByKind: m.ByKind, Closing: m.Closing})
		}
		for _, r := range rows {
			out.Rows = append(out.Rows, apiFundingRow{At: r.At.UTC(), MeterSerial: r.MeterSerial, Kind: r.Kind, Reference: r.Reference, Amount: r.Amount,
				CardFee: r.CardFee, Balance: r.Balance})
		}
		return c.JSON(out)
	case "refunds":
		rows, next, err := h.d.Reports.Refunds(ctx, u, filter, cursor, limit)
		if err != nil {
			return err
		}
		out := apiPage[apiRefundRow]{Rows: []apiRefundRow{}, NextCursor: next.String()}
		for _, r := range rows {
			out.Rows = append(out.Rows, apiRefundRow{At: r.At.UTC(), Kind: r.Kind, LabelID: r.LabelID, MeterSerial: r.MeterSerial, Reason: r.Reason,
				Postage: r.Postage, ReturnedTo: r.ReturnedTo, CardRefund: r.CardRefund, CardState: r.CardState})
		}
		return c.JSON(out)
	}
	_, err = h.reportSource(u, kind, filter, group)
	return err
}
