package handlers

import (
	"bufio"
	"context"
	"encoding/csv"
	"log/slog"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/xuri/excelize/v2"

	"indicia/apperr"
	"indicia/hygiene/addressbook"
	"indicia/internal/csvsafe"
	"indicia/web/request"
)

// tableSource calls emit for every row of a download, in order.
type tableSource func(ctx context.Context, emit func([]string) error) error

// streamTable sends a CSV or XLSX download row by row: CSV goes straight to
// the connection; XLSX goes through excelize's StreamWriter, which spills to
// a temporary file, so neither is built whole in memory. The source runs
// after the handler returns, so it must not touch the request context.
// Every cell is neutralized against formula injection on the way out.
func streamTable(c fiber.Ctx, format, base string, header []string, src tableSource) error {
	raw := src
	src = func(ctx context.Context, emit func([]string) error) error {
		return raw(ctx, func(r []string) error { return emit(csvsafe.Row(r)) })
	}
	switch format {
	case "", "csv":
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Attachment(base + ".csv")
		return c.SendStreamWriter(func(w *bufio.Writer) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			cw := csv.NewWriter(w)
			cw.Write(header)
			err := src(ctx, func(r []string) error { return cw.Write(r) })
			cw.Flush()
			if err != nil {
				slog.Error("handlers: csv download", "file", base, "err", err)
			}
		})
	case "xlsx":
		c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		c.Attachment(base + ".xlsx")
		return c.SendStreamWriter(func(w *bufio.Writer) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			if err := writeXLSX(ctx, w, header, src); err != nil {
				slog.Error("handlers: xlsx download", "file", base, "err", err)
			}
		})
	}
	return apperr.Invalid("format", "Choose csv or xlsx.")
}

func writeXLSX(ctx context.Context, w *bufio.Writer, header []string, src tableSource) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	row := 1
	cells := make([]any, 0, len(header))
	emit := func(r []string) error {
		cells = cells[:0]
		for _, v := range r {
			cells = append(cells, v)
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return sw.SetRow(cell, cells)
	}
	if err := emit(header); err != nil {
		return err
	}
	if err := src(ctx, emit); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if err := f.Write(w); err != nil {
		return err
	}
	return w.Flush()
}

// ExportAddresses downloads the address book as CSV or XLSX, with the same
// columns an import reads (external_id and reference among them), plus zip4,
// status and the entry's id, by which the API and matches name it.
func (h *Handler) ExportAddresses(c fiber.Ctx) error {
	actor := *request.Actor(c)
	if _, _, err := h.d.Addresses.List(c.Context(), actor, "", 0, 1); err != nil {
		return err
	}
	header := append(append([]string{}, addressbook.AddressBookColumns...), "zip4", "status", "id")
	book := h.d.Addresses
	return streamTable(c, c.Query("format"), "address-book", header, func(ctx context.Context, emit func([]string) error) error {
		return book.Each(ctx, actor, func(e addressbook.Entry) error {
			return emit([]string{e.Name, e.Company, e.Fields.Line1, e.Fields.Line2, e.Fields.City, e.Fields.State, e.Fields.ZIP,
				e.Email, e.Phone, e.Department, e.ExternalID, e.Reference, e.ZIP4, string(e.Status), strconv.FormatInt(e.ID, 10)})
		})
	})
}
