package handlers

import (
	"slices"
	"strconv"
	"strings"

	"indicia/accounts"
	"indicia/views"
)

// userRows shapes users for a table; actor decides which rows are editable.
func userRows(actor accounts.User, users []accounts.User) []views.UserRow {
	rows := make([]views.UserRow, 0, len(users))
	for _, u := range users {
		var perms []string
		for _, p := range u.Permissions {
			perms = append(perms, p.Label())
		}
		status := "Active"
		switch {
		case u.Disabled:
			status = "Disabled"
		case u.Invited:
			status = "Invited"
		}
		acct := ""
		if u.AccountID != 0 {
			acct = strconv.FormatInt(u.AccountID, 10)
		}
		editable := u.ID != actor.ID && (actor.Role == accounts.RoleAdmin || u.Role != accounts.RoleOwner)
		rows = append(rows, views.UserRow{
			ID: strconv.FormatInt(u.ID, 10), Name: u.Name, Email: u.Email, Role: u.Role.Label(), Status: status,
			Permissions: strings.Join(perms, ", "), Account: acct, Editable: editable, Disabled: u.Disabled,
			Deletable: editable && u.Role != accounts.RoleOwner,
		})
	}
	return rows
}

func permOptions(selected []string) []views.Option {
	var out []views.Option
	for _, p := range accounts.Permissions {
		out = append(out, views.Option{Value: string(p), Label: p.Label(), Selected: slices.Contains(selected, string(p))})
	}
	return out
}

func roleOptions(selected string) []views.Option {
	var out []views.Option
	for _, r := range accounts.Roles {
		out = append(out, views.Option{Value: string(r), Label: r.Label(), Selected: string(r) == selected})
	}
	return out
}

func permStrings(ps []accounts.Permission) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return out
}
