package reports

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering/rating"
)

// MaxRange is the longest period one report covers.
const MaxRange = 3 * 366 * 24 * time.Hour

// Filter is what every report is asked for: a period of whole UTC days and
// optional narrowing. Zero values mean "any".
type Filter struct {
	AccountID   int64     // 0: every account (vendor admins only)
	From, To    time.Time // the first day and the day after the last, UTC midnights
	MeterSerial string
	UserID      int64
	CostCodeID  int64
	Class       string
	OriginZIP   string
}

// Days is the number of days the period covers.
func (f Filter) Days() int { return int(f.To.Sub(f.From) / (24 * time.Hour)) }

// Group is what the spend summary adds up by.
type Group string

// The summary's groupings.
const (
	ByMonth     Group = "month"
	ByWeek      Group = "week"
	ByDay       Group = "day"
	ByCostCode  Group = "cost_code"
	ByUser      Group = "user"
	ByMeter     Group = "meter"
	ByOriginZIP Group = "origin_zip"
	ByClass     Group = "class"
)

// Groups lists the groupings in display order.
var Groups = []Group{ByMonth, ByWeek, ByDay, ByCostCode, ByUser, ByMeter, ByOriginZIP, ByClass}

// Label is the grouping's human name.
func (g Group) Label() string {
	switch g {
	case ByMonth:
		return "Month"
	case ByWeek:
		return "Week"
	case ByDay:
		return "Day"
	case ByCostCode:
		return "Cost code"
	case ByUser:
		return "User"
	case ByMeter:
		return "Meter"
	case ByOriginZIP:
		return "Origin ZIP"
	case ByClass:
		return "Mail class"
	}
	return string(g)
}

// ParseFilter reads a filter from request parameters (get returns "" for a
// missing one). The default period is the last twelve calendar months up to
// today. Every problem is a message at its field.
func ParseFilter(actor accounts.User, get func(string) string, now time.Time) (Filter, error) {
	bad := apperr.Fields{}
	today := now.UTC().Truncate(24 * time.Hour)
	f := Filter{
		From: time.Date(today.Year(), today.Month()-11, 1, 0, 0, 0, 0, time.UTC),
		To:   today.AddDate(0, 0, 1),
	}
	day := func(name string) (time.Time, bool) {
		v := strings.TrimSpace(get(name))
		if v == "" {
			return time.Time{}, false
		}
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			bad[name] = "Enter a date as YYYY-MM-DD."
			return time.Time{}, false
		}
		return t, true
	}
	if t, ok := day("from"); ok {
		f.From = t
	}
	if t, ok := day("to"); ok {
		f.To = t.AddDate(0, 0, 1)
	}
	if bad["from"] == "" && bad["to"] == "" {
		switch {
		case !f.To.After(f.From):
			bad["to"] = "The end date is before the start date."
		case f.To.Sub(f.From) > MaxRange:
			bad["to"] = "Choose a period of at most 3 years."
		}
	}
	id := func(name, what string) int64 {
		v := strings.TrimSpace(get(name))
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			bad[name] = "Choose " + what + " from the list (a number)."
			return 0
		}
		return n
	}
	f.UserID = id("user", "a user")
	f.CostCodeID = id("cost_code", "a cost code")
	if actor.Role == accounts.RoleAdmin || actor.Role == accounts.RoleSystem {
		f.AccountID = id("account", "an account")
	}
	f.MeterSerial = strings.TrimSpace(get("meter"))
	if len(f.MeterSerial) > 40 || strings.ContainsFunc(f.MeterSerial, func(r rune) bool { return r < ' ' || r > '~' }) {
		bad["meter"] = "Enter a meter serial number."
	}
	f.Class = strings.TrimSpace(get("class"))
	if f.Class != "" && rating.ClassName(f.Class) == "" {
		bad["class"] = "Choose a mail class from the list."
	}
	f.OriginZIP = strings.TrimSpace(get("origin_zip"))
	if f.OriginZIP != "" && !fiveDigits(f.OriginZIP) {
		bad["origin_zip"] = "Enter a 5-digit ZIP code."
	}
	return f, bad.Err()
}

// ParseGroup reads the summary's grouping ("" is by month).
func ParseGroup(v string) (Group, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return ByMonth, nil
	}
	for _, g := range Groups {
		if string(g) == v {
			return g, nil
		}
	}
	return "", apperr.Invalid("group", "Choose one of month, week, day, cost_code, user, meter, origin_zip or class.")
}

func fiveDigits(s string) bool {
	if len(s) != 5 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Cursor is where a page of a report ends: a time and a row id. The zero
// cursor is the start.
type Cursor struct {
	At time.Time
	ID int64
}

// IsZero reports the start of a report.
func (c Cursor) IsZero() bool { return c.ID == 0 && c.At.IsZero() }

// String encodes the cursor for a URL.
func (c Cursor) String() string {
	if c.IsZero() {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.At.UnixNano(), 10) + "." + strconv.FormatInt(c.ID, 10)))
}

// ParseCursor decodes a cursor from String.
func ParseCursor(s string) (Cursor, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Cursor{}, nil
	}
	bad := apperr.Invalid("cursor", "This cursor is not one a report gave; start again without it.")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	at, id, ok := strings.Cut(string(b), ".")
	if !ok {
		return Cursor{}, bad
	}
	ns, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || n <= 0 {
		return Cursor{}, bad
	}
	return Cursor{At: time.Unix(0, ns).UTC(), ID: n}, nil
}

// ParseLimit reads a page size: 100 by default, at most 1,000.
func ParseLimit(v string) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 100, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		return 0, apperr.Invalid("limit", "Enter a page size from 1 to 1000.")
	}
	return n, nil
}
