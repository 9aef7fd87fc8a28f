package sqlowners

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// Section is the heading of the ownership section in docs/ARCHITECTURE.md.
const Section = "## Table owners"

// Exception lets one file query one table its package does not own, for a
// reason written next to it.
type Exception struct {
	File   string // relative to the module root, with forward slashes
	Table  string
	Reason string
}

// Owners maps each table to the import path of its owning package.
type Owners struct {
	Table      map[string]string
	Exceptions []Exception
}

// Allowed reports whether the use is in the table's owner or excepted.
func (o Owners) Allowed(u Use) bool {
	owner, ok := o.Table[u.Table]
	if !ok || owner == u.Package {
		return true
	}
	for _, e := range o.Exceptions {
		if e.File == u.File && e.Table == u.Table {
			return true
		}
	}
	return false
}

// ParseOwners reads the ownership section of the architecture document: a
// table whose header starts "table | owner" and, optionally, one whose header
// starts "file | table" listing the exceptions. Package names are import
// paths; module, when not empty, is prefixed to names written without it.
func ParseOwners(doc []byte, module string) (Owners, error) {
	o := Owners{Table: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(doc))
	in, kind, found := false, "", false
	qualify := func(p string) string {
		if module == "" || p == module || strings.HasPrefix(p, module+"/") {
			return p
		}
		return module + "/" + p
	}
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "## ") {
			in = line == Section
			found = found || in
			kind = ""
			continue
		}
		if !in || !strings.HasPrefix(line, "|") {
			if in && line != "" && !strings.HasPrefix(line, "|") {
				kind = ""
			}
			continue
		}
		cells := splitRow(line)
		if len(cells) < 3 {
			return o, fmt.Errorf("sqlowners: row %q: want three cells", line)
		}
		switch {
		case strings.EqualFold(cells[0], "table") && strings.EqualFold(cells[1], "owner package"),
			strings.EqualFold(cells[0], "table") && strings.EqualFold(cells[1], "owner"):
			kind = "owners"
			continue
		case strings.EqualFold(cells[0], "file") && strings.EqualFold(cells[1], "table"):
			kind = "exceptions"
			continue
		case strings.Trim(cells[0], "-: ") == "":
			continue // the separator row
		}
		switch kind {
		case "owners":
			t, p := unquote(cells[0]), unquote(cells[1])
			if prev, dup := o.Table[t]; dup {
				return o, fmt.Errorf("sqlowners: table %s has two owners (%s, %s)", t, prev, p)
			}
			o.Table[t] = qualify(p)
		case "exceptions":
			if strings.TrimSpace(cells[2]) == "" {
				return o, fmt.Errorf("sqlowners: exception %s/%s has no reason", cells[0], cells[1])
			}
			o.Exceptions = append(o.Exceptions, Exception{File: unquote(cells[0]), Table: unquote(cells[1]), Reason: cells[2]})
		default:
			return o, fmt.Errorf("sqlowners: row %q is in no table with a known header", line)
		}
	}
	if err := sc.Err(); err != nil {
		return o, fmt.Errorf("sqlowners: read: %w", err)
	}
	if !found {
		return o, fmt.Errorf("sqlowners: no %q section", Section)
	}
	if len(o.Table) == 0 {
		return o, fmt.Errorf("sqlowners: %q lists no tables", Section)
	}
	for _, e := range o.Exceptions {
		if _, ok := o.Table[e.Table]; !ok {
			return o, fmt.Errorf("sqlowners: exception names unknown table %s", e.Table)
		}
	}
	return o, nil
}

func splitRow(line string) []string {
	line = strings.TrimSuffix(strings.TrimPrefix(line, "|"), "|")
	parts := strings.Split(line, "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func unquote(s string) string { return strings.Trim(s, "` ") }
