package reports

import (
	"context"

	"indicia/accounts"
)

// Choices are the users and cost codes a report's filter offers.
type Choices struct {
	Users     []accounts.UserName
	CostCodes []accounts.CostCodeName
}

// Choices lists what the actor's account can be filtered by; a vendor
// admin, who reads every account, types numbers instead.
func (s *Service) Choices(ctx context.Context, actor accounts.User) (Choices, error) {
	f := Filter{}
	if err := scope(actor, &f); err != nil || f.AccountID == 0 {
		return Choices{}, err
	}
	users, err := accounts.UserNames(ctx, s.pool, f.AccountID)
	if err != nil {
		return Choices{}, err
	}
	codes, err := accounts.CostCodeNames(ctx, s.pool, f.AccountID)
	if err != nil {
		return Choices{}, err
	}
	return Choices{Users: users, CostCodes: codes}, nil
}
