package handlers

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/reports"
	"indicia/views"
	"indicia/web/request"
)

// statementRows lists the stored monthly statements the actor may read.
func (h *Handler) statementRows(c fiber.Ctx, u accounts.User, accountID int64) ([]views.StatementVM, error) {
	sts, err := h.d.Reports.Statements(c.Context(), u, accountID)
	if err != nil {
		return nil, err
	}
	var out []views.StatementVM
	for _, s := range sts {
		base := "/reports/statements/" + s.PublicID
		out = append(out, views.StatementVM{Month: s.Month.Format("January 2006"), Account: strconv.FormatInt(s.AccountID, 10),
			PDF: base + "/pdf", CSV: base + "/csv"})
	}
	return out, nil
}

// sendStatement answers one stored statement file.
func sendStatement(c fiber.Ctx, st reports.StatementInfo, format string, b []byte) error {
	name := "statement-" + st.Month.Format("2006-01") + "-" + strconv.FormatInt(st.AccountID, 10) + "." + format
	if format == "pdf" {
		attach(c, name, "application/pdf")
	} else {
		attach(c, name, csvType)
	}
	return c.Send(b)
}

// StatementFile downloads one monthly statement as PDF or CSV.
func (h *Handler) StatementFile(c fiber.Ctx) error {
	format := c.Params("format")
	st, b, err := h.d.Reports.StatementFile(c.Context(), *request.Actor(c), c.Params("id"), format)
	if err != nil {
		return err
	}
	return sendStatement(c, st, format, b)
}

// SetStatementEmails turns the user's monthly statement email on or off.
func (h *Handler) SetStatementEmails(c fiber.Ctx) error {
	on := c.FormValue("statement_emails") != ""
	if err := h.d.Accounts.SetStatementEmails(c.Context(), *request.Actor(c), on); err != nil {
		return err
	}
	msg := "You will no longer get the monthly statement by email."
	if on {
		msg = "You will get the monthly statement by email."
	}
	return h.redirectWith(c, "/reports", msg)
}

type apiStatement struct {
	ID        string    `json:"id"`
	AccountID int64     `json:"account_id"`
	Month     string    `json:"month"`
	Opening   int64     `json:"opening_balance"`
	Closing   int64     `json:"closing_balance"`
	CreatedAt time.Time `json:"created_at"`
	PDF       string    `json:"pdf_url"`
	CSV       string    `json:"csv_url"`
}

// APIStatements lists the monthly statements, newest first.
func (h *Handler) APIStatements(c fiber.Ctx) error {
	u := *request.Actor(c)
	var account int64
	if v := strings.TrimSpace(c.Query("account")); v != "" && u.Role == accounts.RoleAdmin {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return apperr.Invalid("account", "Enter an account number.")
		}
		account = n
	}
	sts, err := h.d.Reports.Statements(c.Context(), u, account)
	if err != nil {
		return err
	}
	out := struct {
		Statements []apiStatement `json:"statements"`
	}{Statements: []apiStatement{}}
	for _, s := range sts {
		base := "/api/v1/statements/" + s.PublicID
		out.Statements = append(out.Statements, apiStatement{ID: s.PublicID, AccountID: s.AccountID, Month: s.Month.Format("2006-01"),
			Opening: s.Opening, Closing: s.Closing, CreatedAt: s.CreatedAt.UTC(), PDF: base + "?format=pdf", CSV: base + "?format=csv"})
	}
	return c.JSON(out)
}

// APIStatement sends one statement as PDF (the default) or CSV, by
// format= or Accept.
func (h *Handler) APIStatement(c fiber.Ctx) error {
	format := strings.ToLower(strings.TrimSpace(c.Query("format")))
	if format == "" {
		format = "pdf"
		if strings.Contains(c.Get(fiber.HeaderAccept), "text/csv") {
			format = "csv"
		}
	}
	st, b, err := h.d.Reports.StatementFile(c.Context(), *request.Actor(c), c.Params("id"), format)
	if err != nil {
		return err
	}
	return sendStatement(c, st, format, b)
}
