package sqlowners

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
)

const module = "indicia"

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func docOwners(t *testing.T, root string) Owners {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join(root, "docs", "ARCHITECTURE.md"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := ParseOwners(doc, module)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestEveryTableHasAnOwner keeps the document in step with the migrations.
func TestEveryTableHasAnOwner(t *testing.T) {
	root := moduleRoot(t)
	o := docOwners(t, root)
	files, err := filepath.Glob(filepath.Join(root, "migrations", "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	create := regexp.MustCompile(`(?i)CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z_][a-z0-9_]*)`)
	seen := map[string]bool{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range create.FindAllStringSubmatch(string(src), -1) {
			seen[m[1]] = true
			if _, ok := o.Table[m[1]]; !ok {
				t.Errorf("table %s (%s) has no owner in docs/ARCHITECTURE.md %q", m[1], filepath.Base(f), Section)
			}
		}
	}
	for table := range o.Table {
		if !seen[table] {
			t.Errorf("docs/ARCHITECTURE.md names table %s, which no migration creates", table)
		}
	}
}

// TestNoPackageQueriesAnotherPackagesTable is the ownership check itself.
func TestNoPackageQueriesAnotherPackagesTable(t *testing.T) {
	root := moduleRoot(t)
	o := docOwners(t, root)
	uses, err := ScanModule(root, module)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range Check(o, uses) {
		t.Error(v)
	}
	// An exception nobody needs any more should go.
	type key struct{ file, table string }
	used := map[key]bool{}
	for _, u := range uses {
		used[key{u.File, u.Table}] = true
	}
	var stale []string
	for _, e := range o.Exceptions {
		if !used[key{e.File, e.Table}] {
			stale = append(stale, e.File+" "+e.Table)
		}
	}
	sort.Strings(stale)
	for _, s := range stale {
		t.Errorf("exception %s is not used: remove it from docs/ARCHITECTURE.md", s)
	}
}
