package sqlowners

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Use is one table named by SQL (or a COPY target) in a package.
type Use struct {
	Package string
	Table   string
	File    string // relative to the module root, with forward slashes
	Line    int
}

// Pos is the use's file:line.
func (u Use) Pos() string { return fmt.Sprintf("%s:%d", u.File, u.Line) }

var (
	// A table follows these keywords; keywords are matched in upper case only,
	// which is how the code writes SQL and not how it writes prose.
	tableRef = regexp.MustCompile(`\b(?:FROM|JOIN|UPDATE|INTO|COPY|TRUNCATE(?:\s+TABLE)?)\s+(?:ONLY\s+)?(?:public\.)?([a-z_][a-z0-9_]*)`)
	// More tables after the first in "FROM a x, b y".
	moreRefs = regexp.MustCompile(`^(?:\s+(?:AS\s+)?[a-z_][a-z0-9_]*)?\s*,\s*(?:public\.)?([a-z_][a-z0-9_]*)`)
	cteName  = regexp.MustCompile(`(?:\bWITH(?:\s+RECURSIVE)?|,)\s*([a-z_][a-z0-9_]*)\s+AS\s+(?:NOT\s+)?(?:MATERIALIZED\s+)?\(`)
)

// TablesIn returns the table names an SQL text refers to, with each one's
// byte offset, leaving out CTE names and the pg_ catalogs.
func TablesIn(sql string) (names []string, offsets []int) {
	ctes := map[string]bool{}
	for _, m := range cteName.FindAllStringSubmatch(sql, -1) {
		ctes[m[1]] = true
	}
	add := func(name string, off int) {
		if ctes[name] || strings.HasPrefix(name, "pg_") {
			return
		}
		names = append(names, name)
		offsets = append(offsets, off)
	}
	for _, m := range tableRef.FindAllStringSubmatchIndex(sql, -1) {
		add(sql[m[2]:m[3]], m[2])
		rest, base := sql[m[3]:], m[3]
		for {
			mm := moreRefs.FindStringSubmatchIndex(rest)
			if mm == nil {
				break
			}
			add(rest[mm[2]:mm[3]], base+mm[2])
			rest, base = rest[mm[1]:], base+mm[1]
		}
	}
	return names, offsets
}

// ScanFile returns the tables named in one Go source file's string literals
// and in pgx.Identifier{"table"} COPY targets.
func ScanFile(pkg, filename string, src []byte) ([]Use, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("sqlowners: parse %s: %w", filename, err)
	}
	var uses []Use
	use := func(table string, p token.Pos, extraLines int) Use {
		return Use{Package: pkg, Table: table, File: filename, Line: fset.Position(p).Line + extraLines}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CompositeLit:
			if sel, ok := n.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Identifier" && len(n.Elts) > 0 {
				if lit, ok := n.Elts[len(n.Elts)-1].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil {
						uses = append(uses, use(s, lit.Pos(), 0))
					}
				}
				return false
			}
		case *ast.BasicLit:
			if n.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(n.Value)
			if err != nil {
				return true
			}
			names, offs := TablesIn(s)
			raw := strings.HasPrefix(n.Value, "`")
			for i, name := range names {
				extra := 0
				if raw {
					extra = strings.Count(s[:offs[i]], "\n")
				}
				uses = append(uses, use(name, n.Pos(), extra))
			}
		}
		return true
	})
	return uses, nil
}

// ScanModule scans every non-test Go file under root, whose module path is
// module, skipping testdata, vendor and hidden directories.
func ScanModule(root, module string) ([]Use, error) {
	var uses []Use
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			if p != root {
				if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
					return filepath.SkipDir // another module
				}
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return fmt.Errorf("sqlowners: %w", err)
		}
		rel = filepath.ToSlash(rel)
		pkg := module
		if dir := path.Dir(rel); dir != "." {
			pkg = module + "/" + dir
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("sqlowners: %w", err)
		}
		u, err := ScanFile(pkg, rel, src)
		if err != nil {
			return err
		}
		uses = append(uses, u...)
		return nil
	})
	return uses, err
}

// Violation is a package querying a table another package owns.
type Violation struct {
	Use
	Owner string
}

func (v Violation) String() string {
	return fmt.Sprintf("package %s queries table %s owned by %s (%s)", v.Package, v.Table, v.Owner, v.Pos())
}

// Check returns every use of a table outside its owner that no exception allows.
func Check(o Owners, uses []Use) []Violation {
	var out []Violation
	for _, u := range uses {
		if !o.Allowed(u) {
			out = append(out, Violation{Use: u, Owner: o.Table[u.Table]})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out
}
