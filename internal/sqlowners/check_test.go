package sqlowners

import (
	"reflect"
	"strings"
	"testing"
)

const fakeDoc = "# Doc\n\n## Other\n\n| table | owner package | why |\n|---|---|---|\n\n" +
	"## Table owners\n\nText.\n\n| table | owner package | why |\n|---|---|---|\n" +
	"| `meters` | `metering` | meters |\n| `users` | `accounts` | users |\n| `charges` | `payments` | charges |\n\n" +
	"Exceptions:\n\n| file | table | reason |\n|---|---|---|\n| `payments/audit.go` | `meters` | one set-based join |\n\n## After\n"

const fakeSource = "package payments\n\n" +
	"func f() {\n" +
	"\tq(`SELECT c.id FROM charges c`)\n" +
	"\tq(`WITH meters AS (SELECT 1) SELECT * FROM meters`)\n" +
	"\tq(\"SELECT 1 FROM pg_database\")\n" +
	"\tq(`SELECT u.email\n\t\tFROM charges c JOIN users u ON u.id = c.user_id`)\n" +
	"\tq(`SELECT 1 FROM charges c, meters m`)\n" +
	"\tcopyFrom(pgx.Identifier{\"meters\"})\n" +
	"\terrorf(\"update meters: %w\")\n" +
	"}\n"

func TestParseOwners(t *testing.T) {
	o, err := ParseOwners([]byte(fakeDoc), "indicia")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"meters": "indicia/metering", "users": "indicia/accounts", "charges": "indicia/payments"}
	if !reflect.DeepEqual(o.Table, want) {
		t.Fatalf("owners %v, want %v", o.Table, want)
	}
	if len(o.Exceptions) != 1 || o.Exceptions[0].File != "payments/audit.go" || o.Exceptions[0].Table != "meters" {
		t.Fatalf("exceptions %+v", o.Exceptions)
	}
}

func TestParseOwnersRefusesBadDocs(t *testing.T) {
	for name, doc := range map[string]string{
		"no section": "# Doc\n\n## Packages\n",
		"empty":      "## Table owners\n\nnothing\n",
		"two owners": "## Table owners\n\n| table | owner | why |\n|---|---|---|\n| t | a | x |\n| t | b | y |\n",
		"no reason":  "## Table owners\n\n| table | owner | why |\n|---|---|---|\n| t | a | x |\n\n| file | table | reason |\n|---|---|---|\n| b/c.go | t |  |\n",
		"unknown":    "## Table owners\n\n| table | owner | why |\n|---|---|---|\n| t | a | x |\n\n| file | table | reason |\n|---|---|---|\n| b/c.go | u | why |\n",
		"no header":  "## Table owners\n\n| t | a | x |\n",
		"short row":  "## Table owners\n\n| table | owner | why |\n|---|---|---|\n| t | a |\n",
	} {
		if _, err := ParseOwners([]byte(doc), "indicia"); err == nil {
			t.Errorf("%s: parsed without error", name)
		}
	}
}

func TestTablesIn(t *testing.T) {
	for sql, want := range map[string][]string{
		`SELECT * FROM meters m JOIN users u ON u.id = m.user_id`:                {"meters", "users"},
		`WITH due AS (SELECT id FROM charges) UPDATE charges SET x = 1 FROM due`: {"charges", "charges"},
		`SELECT 1 FROM pg_database WHERE datname = $1`:                           nil,
		`INSERT INTO jobs (kind) VALUES ($1)`:                                    {"jobs"},
		`DELETE FROM jobs WHERE id = $1`:                                         {"jobs"},
		`SELECT 1 FROM a x, b AS y, c`:                                           {"a", "b", "c"},
		`SELECT * FROM unnest($1::int[]) AS u(id)`:                               {"unnest"},
		`update meters: %w`:                                                      nil,
		`TRUNCATE TABLE charges`:                                                 {"charges"},
	} {
		got, _ := TablesIn(sql)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("TablesIn(%q) = %v, want %v", sql, got, want)
		}
	}
}

// TestCheckFailsOnViolation feeds the check a package that reads tables it
// does not own, in the ways code does it.
func TestCheckFailsOnViolation(t *testing.T) {
	o, err := ParseOwners([]byte(fakeDoc), "indicia")
	if err != nil {
		t.Fatal(err)
	}
	uses, err := ScanFile("indicia/payments", "payments/buy.go", []byte(fakeSource))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range Check(o, uses) {
		got = append(got, v.String())
	}
	want := []string{
		"package indicia/payments queries table users owned by indicia/accounts (payments/buy.go:8)",
		"package indicia/payments queries table meters owned by indicia/metering (payments/buy.go:9)",
		"package indicia/payments queries table meters owned by indicia/metering (payments/buy.go:10)",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The same source in the excepted file passes for the excepted table only.
	uses, err = ScanFile("indicia/payments", "payments/audit.go", []byte(fakeSource))
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, v := range Check(o, uses) {
		got = append(got, v.Table)
	}
	if !reflect.DeepEqual(got, []string{"users"}) {
		t.Fatalf("with the exception: violations on %v, want [users]", got)
	}

	// The owner itself may query its tables.
	uses, err = ScanFile("indicia/metering", "metering/m.go", []byte(strings.Replace(fakeSource, "JOIN users u", "JOIN meters u", 1)))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range Check(o, uses) {
		if v.Table != "charges" {
			t.Errorf("owner flagged: %s", v)
		}
	}
}
