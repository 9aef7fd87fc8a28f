package accounts

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/apperr"
	"indicia/db"
)

const inviteTTL = 7 * 24 * time.Hour

// ListUsers lists the users of one master account, or every user for a vendor admin passing 0.
func (s *Service) ListUsers(ctx context.Context, actor User, accountID int64) ([]User, error) {
	switch {
	case actor.Role == RoleAdmin:
	case actor.Can(PermManageUsers) && accountID == actor.AccountID:
	default:
		return nil, apperr.Forbidden("You may not manage users of this account.")
	}
	q, args := `SELECT `+userColumns+` FROM users ORDER BY role, lower(email)`, []any{}
	if accountID != 0 {
		q, args = `SELECT `+userColumns+` FROM users WHERE account_id = $1 ORDER BY role, lower(email)`, []any{accountID}
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("accounts: list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("accounts: scan user: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// authorizeManage loads target and checks that actor may change it.
func (s *Service) authorizeManage(ctx context.Context, actor User, targetID int64) (User, error) {
	target, err := s.User(ctx, targetID)
	if err != nil {
		return User{}, err
	}
	switch {
	case actor.Role == RoleAdmin:
		return target, nil
	case actor.Can(PermManageUsers) && target.AccountID == actor.AccountID && target.AccountID != 0:
		if target.Role == RoleOwner {
			return User{}, apperr.Forbidden("The account owner can only be changed by a vendor admin.")
		}
		if target.ID == actor.ID {
			return User{}, apperr.Forbidden("You cannot change your own permissions.")
		}
		return target, nil
	}
	// Someone else's user looks like no user at all.
	return User{}, apperr.NotFound("No such user.")
}

func parsePermissions(f apperr.Fields, in []string) []Permission {
	var out []Permission
	for _, p := range in {
		perm := Permission(p)
		if !slices.Contains(Permissions, perm) {
			f["permissions"] = fmt.Sprintf("Unknown permission %q.", p)
			continue
		}
		if !slices.Contains(out, perm) {
			out = append(out, perm)
		}
	}
	return out
}

// InviteInput is what an owner fills in to invite a user.
type InviteInput struct {
	Email, Name string
	Permissions []string
}

// InviteUser adds a mailer user to the actor's account without a password and
// returns the one-time invitation token (only its hash is stored).
func (s *Service) InviteUser(ctx context.Context, actor User, in InviteInput) (User, string, error) {
	if !actor.Can(PermManageUsers) {
		return User{}, "", apperr.Forbidden("You may not manage users of this account.")
	}
	f := apperr.Fields{}
	in.Email, in.Name = normalizeEmail(in.Email), strings.TrimSpace(in.Name)
	validateEmail(f, "email", in.Email)
	validateName(f, "name", "the person's name", in.Name, 100)
	perms := parsePermissions(f, in.Permissions)
	if err := f.Err(); err != nil {
		return User{}, "", err
	}
	token := randomToken(24)
	th := sha256.Sum256([]byte(token))
	now := s.now()
	u := User{AccountID: actor.AccountID, Email: in.Email, Name: in.Name, Role: RoleUser, Permissions: perms, Invited: true, CreatedAt: now}
	var inviter *int64
	if actor.ID != 0 {
		inviter = &actor.ID
	}
	err := s.pool.QueryRow(ctx, `INSERT INTO users (account_id, email, name, password_hash, role, permissions, invite_hash, invite_expires, invited_by, created_at, updated_at)
		VALUES ($1,$2,$3,'',$4,$5,$6,$7,$9,$8,$8) RETURNING id`,
		u.AccountID, u.Email, u.Name, string(RoleUser), permStrings(perms), th[:], now.Add(inviteTTL), now, inviter).Scan(&u.ID)
	if db.IsUniqueViolation(err, "users_email_key") {
		return User{}, "", apperr.Fields{"email": "A user with this email already exists."}.Err()
	}
	if err != nil {
		return User{}, "", fmt.Errorf("accounts: invite user: %w", err)
	}
	return u, token, nil
}

// AcceptInvite sets the invited user's password; the token works once.
func (s *Service) AcceptInvite(ctx context.Context, token, password string) (User, error) {
	if m := validatePassword(password); m != "" {
		return User{}, apperr.Fields{"password": m}.Err()
	}
	hash, err := s.pw.hash(ctx, password)
	if err != nil {
		return User{}, err
	}
	th := sha256.Sum256([]byte(token))
	var id int64
	err = s.pool.QueryRow(ctx, `UPDATE users SET password_hash = $1, invite_hash = NULL, invite_expires = NULL, updated_at = $3,
		email_verified_at = coalesce(email_verified_at, $3)
		WHERE invite_hash = $2 AND invite_expires > $3 AND NOT disabled RETURNING id`, hash, th[:], s.now()).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, apperr.NotFound("This invitation link is not valid any more. Ask for a new one.")
	}
	if err != nil {
		return User{}, fmt.Errorf("accounts: accept invite: %w", err)
	}
	return s.User(ctx, id)
}

// UpdateInput changes a user. Role and Email are honoured for vendor admins only.
type UpdateInput struct {
	Name        string
	Email       string
	Role        string
	Permissions []string
}

// UpdateUser changes a user's name and permissions (and, for admins, role and email).
func (s *Service) UpdateUser(ctx context.Context, actor User, id int64, in UpdateInput) (User, error) {
	target, err := s.authorizeManage(ctx, actor, id)
	if err != nil {
		return User{}, err
	}
	f := apperr.Fields{}
	in.Name = strings.TrimSpace(in.Name)
	validateName(f, "name", "the person's name", in.Name, 100)
	perms := parsePermissions(f, in.Permissions)
	role, email := target.Role, target.Email
	if actor.Role == RoleAdmin {
		if in.Role != "" {
			role = Role(in.Role)
			if !slices.Contains(Roles, role) {
				f["role"] = "Choose a role from the list."
			} else if role.IsMailer() != target.Role.IsMailer() {
				f["role"] = "A mailer cannot become staff or an admin (or the reverse); create a new user instead."
			}
		}
		if in.Email != "" {
			email = normalizeEmail(in.Email)
			validateEmail(f, "email", email)
		}
	}
	if err := f.Err(); err != nil {
		return User{}, err
	}
	if role == RoleOwner {
		perms = Permissions
	}
	_, err = s.pool.Exec(ctx, `UPDATE users SET name = $1, permissions = $2, role = $3, email = $4, updated_at = $5 WHERE id = $6`,
		in.Name, permStrings(perms), string(role), email, s.now(), id)
	// The user's API keys act with their permissions and role.
	s.invalidateAPIKeys(ctx, fmt.Sprintf("update user %d", id))
	if db.IsUniqueViolation(err, "users_email_key") {
		return User{}, apperr.Fields{"email": "A user with this email already exists."}.Err()
	}
	if err != nil {
		return User{}, fmt.Errorf("accounts: update user %d: %w", id, err)
	}
	return s.User(ctx, id)
}

// SetDisabled disables or enables a user; disabling ends their sessions at once.
func (s *Service) SetDisabled(ctx context.Context, actor User, id int64, disabled bool) error {
	if id == actor.ID {
		return apperr.Forbidden("You cannot disable yourself.")
	}
	if _, err := s.authorizeManage(ctx, actor, id); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx, `UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3`, disabled, s.now(), id)
	// The user's API keys stop (or work again) at once; also after an error, which may follow a commit.
	s.invalidateAPIKeys(ctx, fmt.Sprintf("disable user %d: %t", id, disabled))
	if err != nil {
		return fmt.Errorf("accounts: disable user %d: %w", id, err)
	}
	if disabled {
		return s.Sessions.DeleteUser(ctx, id, "")
	}
	return nil
}

// DeleteUser removes a user (vendor admins; owners for their own mailer users).
// An owner is deleted only with the account, which keeps postage records.
func (s *Service) DeleteUser(ctx context.Context, actor User, id int64) error {
	if id == actor.ID {
		return apperr.Forbidden("You cannot delete yourself.")
	}
	target, err := s.authorizeManage(ctx, actor, id)
	if err != nil {
		return err
	}
	if target.Role == RoleOwner {
		return apperr.Conflict("", "An account owner cannot be deleted; disable the user instead.")
	}
	if err := s.Sessions.DeleteUser(ctx, id, ""); err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `DELETE FROM users WHERE id = $1`, id)
	// The user's API keys stop at once; also after an error, which may follow a commit.
	s.invalidateAPIKeys(ctx, fmt.Sprintf("delete user %d", id))
	if err != nil {
		return fmt.Errorf("accounts: delete user %d: %w", id, err)
	}
	return nil
}

// CreateInput is a vendor admin's new user.
type CreateInput struct {
	Email, Name, Role, Password string
	AccountID                   int64
	Permissions                 []string
}

// CreateUser lets a vendor admin (or the seed tool) create any kind of user.
func (s *Service) CreateUser(ctx context.Context, actor User, in CreateInput) (User, error) {
	if actor.Role != RoleAdmin && actor.Role != RoleSystem {
		return User{}, apperr.Forbidden("Only vendor admins create users directly.")
	}
	f := apperr.Fields{}
	in.Email, in.Name = normalizeEmail(in.Email), strings.TrimSpace(in.Name)
	validateEmail(f, "email", in.Email)
	validateName(f, "name", "the person's name", in.Name, 100)
	role := Role(in.Role)
	if !slices.Contains(Roles, role) {
		f["role"] = "Choose a role from the list."
	}
	if role.IsMailer() && in.AccountID == 0 {
		f["account_id"] = "A mailer user belongs to a master account: enter its ID."
	}
	if !role.IsMailer() {
		in.AccountID = 0
	}
	if m := validatePassword(in.Password); m != "" {
		f["password"] = m
	}
	perms := parsePermissions(f, in.Permissions)
	if role == RoleOwner {
		perms = Permissions
	}
	if err := f.Err(); err != nil {
		return User{}, err
	}
	hash, err := s.pw.hash(ctx, in.Password)
	if err != nil {
		return User{}, err
	}
	var acct any
	if in.AccountID != 0 {
		acct = in.AccountID
	}
	now := s.now()
	var id int64
	// A user a vendor admin creates is vouched for by the admin.
	err = s.pool.QueryRow(ctx, `INSERT INTO users (account_id, email, name, password_hash, role, permissions, created_at, updated_at, email_verified_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$7,$7) RETURNING id`, acct, in.Email, in.Name, hash, string(role), permStrings(perms), now).Scan(&id)
	if db.IsUniqueViolation(err, "users_email_key") {
		return User{}, apperr.Fields{"email": "A user with this email already exists."}.Err()
	}
	if err != nil {
		if strings.Contains(err.Error(), "foreign key") {
			return User{}, apperr.Fields{"account_id": "No master account has this ID."}.Err()
		}
		return User{}, fmt.Errorf("accounts: create user: %w", err)
	}
	return s.User(ctx, id)
}
