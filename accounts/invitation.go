package accounts

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"indicia/apperr"
)

// Invitation is what the invitation page tells the person who opened the
// link: the login they are choosing a password for and the account it joins.
type Invitation struct {
	Email, Name string
	Company     string
	CustomerID  int64
	// InvitedBy is the name and email of who sent it ("" when that login
	// was deleted since, or for invitations sent before this was stored).
	InvitedByName, InvitedByEmail string
}

// InvitationByToken looks up a pending invitation by its one-time token (no
// actor: holding the token is the right to see it). A used, expired or
// unknown token is NotFound.
func (s *Service) InvitationByToken(ctx context.Context, token string) (Invitation, error) {
	th := sha256.Sum256([]byte(token))
	var inv Invitation
	err := s.pool.QueryRow(ctx, `SELECT u.email, u.name, COALESCE(a.company, ''), COALESCE(a.customer_id, 0), COALESCE(i.name, ''), COALESCE(i.email, '')
		FROM users u LEFT JOIN master_accounts a ON a.id = u.account_id LEFT JOIN users i ON i.id = u.invited_by
		WHERE u.invite_hash = $1 AND u.invite_expires > $2 AND NOT u.disabled`, th[:], s.now()).
		Scan(&inv.Email, &inv.Name, &inv.Company, &inv.CustomerID, &inv.InvitedByName, &inv.InvitedByEmail)
	if errors.Is(err, pgx.ErrNoRows) {
		return Invitation{}, apperr.NotFound("This invitation link is not valid any more. Ask for a new one.")
	}
	if err != nil {
		return Invitation{}, fmt.Errorf("accounts: look up invitation: %w", err)
	}
	return inv, nil
}
