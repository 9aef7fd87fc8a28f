package reports

import (
	"strconv"
	"strings"
)

// where builds a WHERE clause with numbered arguments; each "?" in a
// condition is its next argument.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	for _, a := range args {
		w.args = append(w.args, a)
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(w.args)), 1)
	}
	w.conds = append(w.conds, cond)
}

func (w *where) raw(cond string) { w.conds = append(w.conds, cond) }

// arg adds an argument without a condition and returns its placeholder, for
// a value the statement uses outside the WHERE clause.
func (w *where) arg(a any) string {
	w.args = append(w.args, a)
	return "$" + strconv.Itoa(len(w.args))
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return "true"
	}
	return strings.Join(w.conds, " AND ")
}

// pieces narrows indicia (alias i) to the filter; the buying user is the
// piece's own user_id, meters come through alias m.
func pieces(f Filter) *where {
	w := &where{}
	if f.AccountID != 0 {
		w.add("i.account_id = ?", f.AccountID)
	}
	w.add("i.created_at >= ?", f.From)
	w.add("i.created_at < ?", f.To)
	if f.MeterSerial != "" {
		w.add("m.serial = ?", f.MeterSerial)
	}
	if f.UserID != 0 {
		w.add("i.user_id = ?", f.UserID)
	}
	if f.CostCodeID != 0 {
		w.add("i.cost_code_id = ?", f.CostCodeID)
	}
	if f.Class != "" {
		w.add("i.mail_class = ?", f.Class)
	}
	if f.OriginZIP != "" {
		w.add("i.origin_zip = ?", f.OriginZIP)
	}
	return w
}

// Dollars writes cents as a plain decimal a spreadsheet reads as a number.
func Dollars(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	s := strconv.FormatInt(cents/100, 10) + "." + strconv.FormatInt(cents%100/10, 10) + strconv.FormatInt(cents%10, 10)
	if neg {
		return "-" + s
	}
	return s
}
