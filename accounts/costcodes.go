package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/apperr"
	"indicia/db"
)

// CostCode is a department or budget of a master account that postage is
// charged to. It is archived, never deleted, so old labels keep it.
type CostCode struct {
	ID         int64      `json:"id"`
	AccountID  int64      `json:"-"`
	Name       string     `json:"name"`
	Code       string     `json:"code"`
	ArchivedAt *time.Time `json:"archived_at"`
	CreatedAt  time.Time  `json:"created_at"`
}

// Archived reports whether the code can no longer be charged.
func (c CostCode) Archived() bool { return c.ArchivedAt != nil }

// Key is what a buyer sends to choose the code: its code, or its name when it has none.
func (c CostCode) Key() string {
	if c.Code != "" {
		return c.Code
	}
	return c.Name
}

// Label is the code as pages and labels print it: "Marketing (MKT-1)".
func (c CostCode) Label() string {
	if c.Code != "" {
		return c.Name + " (" + c.Code + ")"
	}
	return c.Name
}

// CostCodeInput is a new cost code, or a change: nil fields stay as they are.
type CostCodeInput struct {
	Name     *string
	Code     *string
	Archived *bool
}

const costCodeColumns = `id, account_id, name, code, archived_at, created_at`

func scanCostCode(r rowScanner) (CostCode, error) {
	var c CostCode
	err := r.Scan(&c.ID, &c.AccountID, &c.Name, &c.Code, &c.ArchivedAt, &c.CreatedAt)
	return c, err
}

// authorizeCostCodes lets the account's owner, and users (and keys) holding
// "Manage cost codes", define its cost codes.
func authorizeCostCodes(actor User) error {
	if !actor.Can(PermManageCostCodes) || actor.AccountID == 0 {
		return apperr.Forbidden("Managing cost codes needs the \"Manage cost codes\" permission (owners have it).")
	}
	return nil
}

// CostCodes lists the actor's account's cost codes by name, archived ones
// too when asked. Every user of the account may read them.
func (s *Service) CostCodes(ctx context.Context, actor User, withArchived bool) ([]CostCode, error) {
	if !actor.Role.IsMailer() || actor.AccountID == 0 {
		return nil, apperr.Forbidden("Cost codes belong to a mailer account.")
	}
	rows, err := s.pool.Query(ctx, `SELECT `+costCodeColumns+` FROM cost_codes
		WHERE account_id = $1 AND ($2 OR archived_at IS NULL) ORDER BY archived_at IS NOT NULL, lower(name)`, actor.AccountID, withArchived)
	if err != nil {
		return nil, fmt.Errorf("accounts: list cost codes: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CostCode, error) { return scanCostCode(r) })
	if err != nil {
		return nil, fmt.Errorf("accounts: scan cost codes: %w", err)
	}
	return out, nil
}

// CostCode loads one cost code of the actor's account.
func (s *Service) CostCode(ctx context.Context, actor User, id int64) (CostCode, error) {
	c, err := scanCostCode(s.pool.QueryRow(ctx, `SELECT `+costCodeColumns+` FROM cost_codes WHERE id = $1 AND account_id = $2`, id, actor.AccountID))
	if errors.Is(err, pgx.ErrNoRows) || actor.AccountID == 0 {
		return CostCode{}, apperr.NotFound("No such cost code.")
	}
	if err != nil {
		return CostCode{}, fmt.Errorf("accounts: load cost code %d: %w", id, err)
	}
	return c, nil
}

// checkCostCode validates a name and code as they will be stored.
func checkCostCode(f apperr.Fields, name, code string) {
	validateName(f, "name", "a name for the cost code", name, 60)
	if err := apperr.CheckText("name", name); err != nil {
		f["name"] = err.(*apperr.Error).Message
	}
	switch {
	case len([]rune(code)) > 20:
		f["code"] = "Use at most 20 characters."
	case strings.ContainsAny(code, " \t"):
		f["code"] = "A code has no spaces (a name can)."
	default:
		if err := apperr.CheckText("code", code); err != nil {
			f["code"] = err.(*apperr.Error).Message
		}
	}
}

// uniqueCostCode turns a clash with another code of the account into a field error.
func uniqueCostCode(err error) error {
	switch {
	case db.IsUniqueViolation(err, "cost_codes_account_name_key"):
		return apperr.Fields{"name": "Another cost code of this account has this name."}.Err()
	case db.IsUniqueViolation(err, "cost_codes_account_code_key"):
		return apperr.Fields{"code": "Another cost code of this account has this code."}.Err()
	}
	return nil
}

// CreateCostCode adds a cost code to the owner's account.
func (s *Service) CreateCostCode(ctx context.Context, actor User, name, code string) (CostCode, error) {
	if err := authorizeCostCodes(actor); err != nil {
		return CostCode{}, err
	}
	name, code = strings.TrimSpace(name), strings.TrimSpace(code)
	f := apperr.Fields{}
	checkCostCode(f, name, code)
	if err := f.Err(); err != nil {
		return CostCode{}, err
	}
	c, err := scanCostCode(s.pool.QueryRow(ctx, `INSERT INTO cost_codes (account_id, name, code, created_at) VALUES ($1, $2, $3, $4)
		RETURNING `+costCodeColumns, actor.AccountID, name, code, s.now()))
	if e := uniqueCostCode(err); e != nil {
		return CostCode{}, e
	}
	if err != nil {
		return CostCode{}, fmt.Errorf("accounts: create cost code: %w", err)
	}
	return c, nil
}

// UpdateCostCode renames a cost code, changes its code, or archives or
// restores it. Labels already bought keep the code whatever happens to it.
func (s *Service) UpdateCostCode(ctx context.Context, actor User, id int64, in CostCodeInput) (CostCode, error) {
	if err := authorizeCostCodes(actor); err != nil {
		return CostCode{}, err
	}
	c, err := s.CostCode(ctx, actor, id)
	if err != nil {
		return CostCode{}, err
	}
	if in.Name != nil {
		c.Name = strings.TrimSpace(*in.Name)
	}
	if in.Code != nil {
		c.Code = strings.TrimSpace(*in.Code)
	}
	f := apperr.Fields{}
	checkCostCode(f, c.Name, c.Code)
	if err := f.Err(); err != nil {
		return CostCode{}, err
	}
	archive := c.Archived()
	if in.Archived != nil {
		archive = *in.Archived
	}
	c, err = scanCostCode(s.pool.QueryRow(ctx, `UPDATE cost_codes SET name = $1, code = $2,
			archived_at = CASE WHEN NOT $3 THEN NULL ELSE COALESCE(archived_at, $4) END
		WHERE id = $5 AND account_id = $6 RETURNING `+costCodeColumns, c.Name, c.Code, archive, s.now(), id, actor.AccountID))
	if e := uniqueCostCode(err); e != nil {
		return CostCode{}, e
	}
	if err != nil {
		return CostCode{}, fmt.Errorf("accounts: update cost code %d: %w", id, err)
	}
	return c, nil
}

// CostCodeRequired tells whether the account requires a cost code on every purchase.
func (s *Service) CostCodeRequired(ctx context.Context, accountID int64) (bool, error) {
	var req bool
	err := s.pool.QueryRow(ctx, `SELECT cost_code_required FROM master_accounts WHERE id = $1`, accountID).Scan(&req)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("accounts: cost code setting of account %d: %w", accountID, err)
	}
	return req, nil
}

// SetCostCodeRequired makes choosing a cost code required (or optional) for
// every purchase of the owner's account. Requiring one needs an active code,
// or nobody could buy.
func (s *Service) SetCostCodeRequired(ctx context.Context, actor User, required bool) error {
	if err := authorizeCostCodes(actor); err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, `UPDATE master_accounts SET cost_code_required = $1
		WHERE id = $2 AND (NOT $1 OR EXISTS (SELECT 1 FROM cost_codes WHERE account_id = $2 AND archived_at IS NULL))`, required, actor.AccountID)
	if err != nil {
		return fmt.Errorf("accounts: set cost code required: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.Invalid("cost_code_required", "Add an active cost code before requiring one.")
	}
	return nil
}

// UserCostCodes lists the ids of the cost codes a user is limited to (none: any).
func (s *Service) UserCostCodes(ctx context.Context, userID int64) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT cost_code_id FROM user_cost_codes WHERE user_id = $1 ORDER BY cost_code_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("accounts: cost codes of user %d: %w", userID, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("accounts: cost codes of user %d: %w", userID, err)
	}
	return ids, nil
}

// SetUserCostCodes limits a user to some of the account's cost codes; an
// empty list lets the user charge any. Whoever may manage the user may set it.
func (s *Service) SetUserCostCodes(ctx context.Context, actor User, userID int64, ids []int64) error {
	target, err := s.authorizeManage(ctx, actor, userID)
	if err != nil {
		return err
	}
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if len(ids) > 0 {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM cost_codes WHERE account_id = $1 AND id = ANY($2)`, target.AccountID, ids).Scan(&n); err != nil {
				return fmt.Errorf("accounts: check cost codes: %w", err)
			}
			if n != len(uniqueIDs(ids)) {
				return apperr.Invalid("cost_codes", "Choose cost codes of this account from the list.")
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM user_cost_codes WHERE user_id = $1`, userID); err != nil {
			return fmt.Errorf("accounts: clear user cost codes: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO user_cost_codes (user_id, cost_code_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`,
			userID, ids); err != nil {
			return fmt.Errorf("accounts: set user cost codes: %w", err)
		}
		return nil
	})
}

// CheckCostCodeIDs refuses ids that are not cost codes of the account (at
// the field cost_codes), so a form can check a limit before it saves
// anything. Cost codes are never deleted nor moved, so the answer holds.
func (s *Service) CheckCostCodeIDs(ctx context.Context, accountID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM cost_codes WHERE account_id = $1 AND id = ANY($2)`, accountID, ids).Scan(&n); err != nil {
		return fmt.Errorf("accounts: check cost codes: %w", err)
	}
	if n != len(uniqueIDs(ids)) {
		return apperr.Invalid("cost_codes", "Choose cost codes of this account from the list.")
	}
	return nil
}

func uniqueIDs(ids []int64) map[int64]bool {
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// CostCodeChoice is what a buyer may charge: the active codes allowed to
// them, and whether the account requires one.
type CostCodeChoice struct {
	Required bool
	Codes    []CostCode
}

// CostCodeChoices lists the active cost codes the actor may charge.
func (s *Service) CostCodeChoices(ctx context.Context, actor User) (CostCodeChoice, error) {
	if actor.AccountID == 0 {
		return CostCodeChoice{}, nil
	}
	req, err := s.CostCodeRequired(ctx, actor.AccountID)
	if err != nil {
		return CostCodeChoice{}, err
	}
	rows, err := s.pool.Query(ctx, `SELECT `+costCodeColumns+` FROM cost_codes c
		WHERE account_id = $1 AND archived_at IS NULL
		  AND (NOT EXISTS (SELECT 1 FROM user_cost_codes WHERE user_id = $2)
		       OR EXISTS (SELECT 1 FROM user_cost_codes u WHERE u.user_id = $2 AND u.cost_code_id = c.id))
		ORDER BY lower(name)`, actor.AccountID, actor.ID)
	if err != nil {
		return CostCodeChoice{}, fmt.Errorf("accounts: cost code choices: %w", err)
	}
	codes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CostCode, error) { return scanCostCode(r) })
	if err != nil {
		return CostCodeChoice{}, fmt.Errorf("accounts: cost code choices: %w", err)
	}
	return CostCodeChoice{Required: req, Codes: codes}, nil
}

// ResolveCostCode finds the cost code a buyer named (its code, else its
// name, case-insensitively) and checks the actor may charge it. An empty
// ref is no cost code, refused when the account requires one. Errors name
// field.
func (s *Service) ResolveCostCode(ctx context.Context, actor User, field, ref string) (CostCode, error) {
	ref = strings.TrimSpace(ref)
	if actor.AccountID == 0 {
		if ref != "" {
			return CostCode{}, apperr.Invalid(field, "Only a mailer account charges cost codes.")
		}
		return CostCode{}, nil
	}
	if ref == "" {
		req, err := s.CostCodeRequired(ctx, actor.AccountID)
		if err != nil {
			return CostCode{}, err
		}
		if req {
			return CostCode{}, apperr.Invalid(field, "Choose a cost code: this account requires one for every purchase.")
		}
		return CostCode{}, nil
	}
	var allowed bool
	row := s.pool.QueryRow(ctx, `SELECT `+costCodeColumns+`,
			NOT EXISTS (SELECT 1 FROM user_cost_codes WHERE user_id = $3)
			OR EXISTS (SELECT 1 FROM user_cost_codes u WHERE u.user_id = $3 AND u.cost_code_id = c.id)
		FROM cost_codes c
		WHERE account_id = $1 AND (lower(code) = lower($2) OR lower(name) = lower($2))
		ORDER BY lower(code) = lower($2) DESC LIMIT 1`, actor.AccountID, ref, actor.ID)
	var c CostCode
	err := row.Scan(&c.ID, &c.AccountID, &c.Name, &c.Code, &c.ArchivedAt, &c.CreatedAt, &allowed)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return CostCode{}, apperr.Invalid(field, fmt.Sprintf("There is no cost code %q in this account.", ref))
	case err != nil:
		return CostCode{}, fmt.Errorf("accounts: resolve cost code: %w", err)
	case c.Archived():
		return CostCode{}, apperr.Invalid(field, fmt.Sprintf("The cost code %q is archived; choose an active one.", ref))
	case !allowed:
		return CostCode{}, apperr.Invalid(field, fmt.Sprintf("You may not charge the cost code %q; ask the account owner.", ref))
	}
	return c, nil
}

// CostCodesByID loads cost codes of the actor's account by id (every
// account for vendor admins), for printing labels and receipts.
func (s *Service) CostCodesByID(ctx context.Context, actor User, ids []int64) (map[int64]CostCode, error) {
	out := map[int64]CostCode{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+costCodeColumns+` FROM cost_codes WHERE id = ANY($1) AND ($2 OR account_id = $3)`,
		ids, actor.Role == RoleAdmin, actor.AccountID)
	if err != nil {
		return nil, fmt.Errorf("accounts: cost codes by id: %w", err)
	}
	cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CostCode, error) { return scanCostCode(r) })
	if err != nil {
		return nil, fmt.Errorf("accounts: cost codes by id: %w", err)
	}
	for _, c := range cs {
		out[c.ID] = c
	}
	return out, nil
}
