// Package csvsafe neutralizes spreadsheet formulas in exported cells.
//
// A spreadsheet opening a CSV or XLSX evaluates a cell that starts with
// '=', '+', '-' or '@' (and, in some programs, one that starts with a tab or
// carriage return) as a formula, so text a tenant typed into a name could run
// commands on whoever opens the export. Following the OWASP guidance, such a
// cell is prefixed with a single quote, which makes it plain text.
package csvsafe

// Cell returns s, prefixed with a single quote when a spreadsheet would
// read it as a formula.
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// Row applies Cell to every cell of r, in place, and returns r.
func Row(r []string) []string {
	for i, v := range r {
		r[i] = Cell(v)
	}
	return r
}
