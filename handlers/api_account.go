package handlers

import (
	"github.com/gofiber/fiber/v3"

	"indicia/web/request"
)

type apiAddress struct {
	Line1 string `json:"line1"`
	Line2 string `json:"line2,omitempty"`
	City  string `json:"city"`
	State string `json:"state"`
	ZIP   string `json:"zip"`
}

type apiAccount struct {
	ID         int64      `json:"id"`
	CustomerID int64      `json:"customer_id"`
	Company    string     `json:"company"`
	Address    apiAddress `json:"address"`
	OriginZIP  string     `json:"origin_zip"`
	CreatedAt  string     `json:"created_at"`
}

type apiCaller struct {
	UserID int64    `json:"user_id"`
	Name   string   `json:"name"`
	Email  string   `json:"email"`
	Scopes []string `json:"scopes"`
}

// APIAccount returns the caller's master account and the key's rights.
func (h *Handler) APIAccount(c fiber.Ctx) error {
	u := request.Actor(c)
	caller := apiCaller{UserID: u.ID, Name: u.Name, Email: u.Email, Scopes: permStrings(u.Permissions)}
	// Postal staff and vendor admins belong to no master account; their
	// keys still learn who they act for.
	if u.AccountID == 0 {
		return c.JSON(fiber.Map{"account": nil, "caller": caller})
	}
	a, err := h.d.Accounts.Account(c.Context(), *u, u.AccountID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{
		"account": apiAccount{ID: a.ID, CustomerID: a.CustomerID, Company: a.Company, OriginZIP: a.OriginZIP,
			Address:   apiAddress{a.Address.Line1, a.Address.Line2, a.Address.City, a.Address.State, a.Address.ZIP},
			CreatedAt: a.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")},
		"caller": caller,
	})
}
