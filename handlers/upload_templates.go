package handlers

import (
	"bytes"
	"encoding/csv"

	"github.com/gofiber/fiber/v3"

	"indicia/hygiene/addressbook"
	"indicia/hygiene/coa"
)

// Upload templates: the header row every upload reads, with example rows
// showing the accepted forms, so a clerk or mailer starts from a file that
// loads.
var (
	coaListTemplate = [][]string{coa.COAColumns,
		{"individual", "Ann", "", "Ash", "", "80 Main St", "Apt 2", "Stamford", "CT", "06901", "1 Elm Rd", "", "Boston", "MA", "02134", "2026-10-01", "no", "no"},
		{"family", "", "", "Birch", "", "12 Oak Ave", "", "Stamford", "CT", "06902", "", "", "", "", "", "2026-09", "yes", "no"},
		{"business", "", "", "", "Acme Tools Inc", "5 Mill Rd", "Ste 100", "Hartford", "CT", "06103", "900 Main St", "", "Hartford", "CT", "06103", "09/15/2026", "", ""},
	}
	addressBookTemplate = [][]string{addressbook.AddressBookColumns,
		{"Ann Ash", "", "80 Main St", "Apt 2", "Stamford", "CT", "06901", "ann@example.com", "", "", "CUST-0001", "policy 88-1"},
		{"", "Acme Tools Inc", "5 Mill Rd", "Ste 100", "Hartford", "CT", "06103", "", "860-555-0100", "Purchasing", "CUST-0002", ""},
	}
	cleanseTemplate = [][]string{{"line1", "line2", "city", "state", "zip"},
		{"80 Main St", "Apt 2", "Stamford", "CT", "06901"},
		{"5 Mill Rd", "Ste 100", "Hartford", "CT", ""},
	}
)

func sendTemplate(c fiber.Ctx, name string, rows [][]string) error {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.WriteAll(rows) // into memory: cannot fail
	attach(c, name, csvType)
	return c.Send(b.Bytes())
}

// COAListTemplate downloads the template of a change-of-address list.
func (h *Handler) COAListTemplate(c fiber.Ctx) error {
	return sendTemplate(c, "coa-list-template.csv", coaListTemplate)
}

// AddressBookTemplate downloads the template of an address-book import.
func (h *Handler) AddressBookTemplate(c fiber.Ctx) error {
	return sendTemplate(c, "address-book-template.csv", addressBookTemplate)
}

// CleanseTemplate downloads the template of a list to cleanse.
func (h *Handler) CleanseTemplate(c fiber.Ctx) error {
	return sendTemplate(c, "cleanse-template.csv", cleanseTemplate)
}
