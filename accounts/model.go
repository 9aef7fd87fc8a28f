package accounts

import (
	"slices"
	"time"
)

// Role is what kind of person a user is.
type Role string

const (
	RoleOwner  Role = "mailer_owner"
	RoleUser   Role = "mailer_user"
	RoleStaff  Role = "postal_staff"
	RoleAdmin  Role = "vendor_admin"
	RoleSystem Role = "system" // jobs and operator tools; never stored
)

// Roles lists the stored roles in display order.
var Roles = []Role{RoleOwner, RoleUser, RoleStaff, RoleAdmin}

// Label is the role's human name.
func (r Role) Label() string {
	switch r {
	case RoleOwner:
		return "Mailer owner"
	case RoleUser:
		return "Mailer user"
	case RoleStaff:
		return "Postal staff"
	case RoleAdmin:
		return "Vendor admin"
	}
	return string(r)
}

// IsMailer reports a role that belongs to a master account.
func (r Role) IsMailer() bool { return r == RoleOwner || r == RoleUser }

// Permission is a right a mailer owner grants to a mailer user.
type Permission string

const (
	PermBuyPostage    Permission = "buy_postage"
	PermManageFunds   Permission = "manage_funds"
	PermExportReports Permission = "export_reports"
	PermManageUsers   Permission = "manage_users"
	// PermManageCostCodes defines the account's cost codes and whether one is required.
	PermManageCostCodes Permission = "manage_cost_codes"
)

// Permissions lists every permission in display order.
var Permissions = []Permission{PermBuyPostage, PermManageFunds, PermExportReports, PermManageUsers, PermManageCostCodes}

// Label is the permission's human name.
func (p Permission) Label() string {
	switch p {
	case PermBuyPostage:
		return "Buy postage"
	case PermManageFunds:
		return "Manage funds"
	case PermExportReports:
		return "Export reports"
	case PermManageUsers:
		return "Manage users"
	case PermManageCostCodes:
		return "Manage cost codes"
	}
	return string(p)
}

// Account is a master account (the seed's mailer account).
type Account struct {
	ID         int64
	CustomerID int64
	Company    string
	Address    Address
	OriginZIP  string
	CreatedAt  time.Time
}

// Address is a mailing address as entered.
type Address struct {
	Line1, Line2, City, State, ZIP string
}

// User is a person who logs in.
type User struct {
	ID          int64
	AccountID   int64 // 0 for postal staff and vendor admins
	Email       string
	Name        string
	Role        Role
	Permissions []Permission
	Disabled    bool
	Invited     bool // has not set a password yet
	CreatedAt   time.Time
	// EmailVerified: the user proved the address is theirs (a link emailed
	// to it); purchases wait for it.
	EmailVerified bool
}

// Can reports whether u holds perm. Owners hold every mailer permission.
func (u User) Can(perm Permission) bool {
	if u.Disabled {
		return false
	}
	if u.Role == RoleOwner {
		return true
	}
	return u.Role == RoleUser && slices.Contains(u.Permissions, perm)
}

// System is the actor used by jobs and operator tools.
var System = User{Role: RoleSystem, Name: "system"}
