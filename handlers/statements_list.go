package handlers

import (
	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/views"
)

// statementRows lists the stored monthly statements the actor may read.
func (h *Handler) statementRows(c fiber.Ctx, u accounts.User, accountID int64) ([]views.StatementVM, error) {
	return nil, nil
}
