package handlers

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering"
	"indicia/metering/rating"
)

// labelFilterParams are the label history's query parameters, page and API
// alike, in the order a form shows them.
var labelFilterParams = []string{"purchased_from", "purchased_to", "mailed_from", "mailed_to", "meter", "user", "cost_code", "mail_class",
	"status", "origin_zip", "recipient", "label", "sort"}

var zip5 = regexp.MustCompile(`^[0-9]{5}$`)

// labelChoices are what the filters offer the actor, and what a filter
// value must be one of.
type labelChoices struct {
	metering.ListFilterChoices
	Users []accounts.User
}

// labelChoicesFor loads the actor's meters, cost codes and the users they
// may filter by: every user of the account for those who manage users,
// otherwise themself.
func (h *Handler) labelChoicesFor(ctx context.Context, actor accounts.User) (labelChoices, error) {
	var ch labelChoices
	var err error
	if ch.ListFilterChoices, err = h.d.Metering.LabelFilterChoices(ctx, actor); err != nil {
		return ch, err
	}
	if actor.Can(accounts.PermManageUsers) {
		if ch.Users, err = h.d.Accounts.ListUsers(ctx, actor, actor.AccountID); err != nil {
			return ch, err
		}
	} else {
		ch.Users = []accounts.User{actor}
	}
	return ch, nil
}

func (ch labelChoices) userName(id int64) string {
	for _, u := range ch.Users {
		if u.ID == id {
			if u.Name != "" {
				return u.Name
			}
			return u.Email
		}
	}
	return ""
}

// parseLabelFilter reads the filter from query values; the error names the
// first bad parameter and says what it takes.
func parseLabelFilter(get func(string) string, ch labelChoices) (metering.LabelFilter, error) {
	var f metering.LabelFilter
	var err error
	for _, d := range []struct {
		name string
		to   *time.Time
	}{{"purchased_from", &f.PurchasedFrom}, {"purchased_to", &f.PurchasedTo}, {"mailed_from", &f.MailedFrom}, {"mailed_to", &f.MailedTo}} {
		v := strings.TrimSpace(get(d.name))
		if v == "" {
			continue
		}
		if *d.to, err = time.Parse("2006-01-02", v); err != nil {
			return f, apperr.Invalid(d.name, "Write the date as YYYY-MM-DD, for example 2026-11-30.")
		}
	}
	if v := strings.TrimSpace(get("meter")); v != "" {
		for _, m := range ch.Meters {
			if m.Record.Serial == v {
				f.MeterID = m.ID
			}
		}
		if f.MeterID == 0 {
			return f, apperr.Invalid("meter", "No meter of this account has the serial "+strconv.Quote(v)+".")
		}
	}
	if v := strings.TrimSpace(get("user")); v != "" {
		if f.UserID, err = strconv.ParseInt(v, 10, 64); err != nil || f.UserID <= 0 {
			return f, apperr.Invalid("user", "Choose a user by their number.")
		}
		if ch.userName(f.UserID) == "" {
			return f, apperr.Invalid("user", "You cannot filter by user "+v+": they are not a user of this account you may see.")
		}
	}
	if v := strings.TrimSpace(get("cost_code")); v != "" {
		if f.CostCodeID, err = strconv.ParseInt(v, 10, 64); err != nil || f.CostCodeID <= 0 {
			return f, apperr.Invalid("cost_code", "Choose a cost code by its number.")
		}
		found := false
		for _, c := range ch.CostCodes {
			found = found || c.ID == f.CostCodeID
		}
		if !found {
			return f, apperr.Invalid("cost_code", "This account has no cost code "+v+".")
		}
	}
	if f.MailClass = strings.TrimSpace(get("mail_class")); f.MailClass != "" && rating.ClassName(f.MailClass) == "" {
		return f, apperr.Invalid("mail_class", "Choose a mail class such as FCM_LETTER, PRIORITY or GROUND_ADVANTAGE.")
	}
	f.Status = strings.TrimSpace(get("status"))
	if f.OriginZIP = strings.TrimSpace(get("origin_zip")); f.OriginZIP != "" && !zip5.MatchString(f.OriginZIP) {
		return f, apperr.Invalid("origin_zip", "Write the origin ZIP as five digits.")
	}
	f.Recipient = strings.TrimSpace(get("recipient"))
	if f.LabelID = strings.TrimSpace(get("label")); len(f.LabelID) > 64 {
		return f, apperr.Invalid("label", "A label id is at most 64 characters.")
	}
	f.Sort = strings.TrimSpace(get("sort"))
	return f, f.Validate()
}

// parseLimit reads a page size; def when absent.
func parseLimit(v string, def int) (int, error) {
	if v = strings.TrimSpace(v); v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > metering.MaxLabelPage {
		return 0, apperr.Invalid("limit", "Choose a page size from 1 to "+strconv.Itoa(metering.MaxLabelPage)+".")
	}
	return n, nil
}
