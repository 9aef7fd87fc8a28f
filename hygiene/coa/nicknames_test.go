package coa

import (
	"slices"
	"testing"
)

// matchFirst reports whether a COA record's first name matches an
// address-book entry's, as the matching SQL does (arrays overlap).
func matchFirst(c *Service, record, book string) bool {
	r := c.personKeys(record, "", "X", "").First
	b := c.bookFirstKeys(book)
	for _, x := range r {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

func TestNicknameTable(t *testing.T) {
	c := &Service{nicks: nicknameIndex()}
	formal := map[string]bool{}
	for _, g := range nicknameGroups {
		if formal[g[0]] {
			t.Errorf("%s has two groups", g[0])
		}
		formal[g[0]] = true
	}
	for _, g := range nicknameGroups {
		for _, n := range g[1:] {
			if formal[n] {
				t.Errorf("%s is a formal name and a nickname of %s: two formal names would match", n, g[0])
			}
		}
	}
	same := [][2]string{
		{"PAM", "PAMELA"}, {"JEFF", "JEFFREY"}, {"PEGGY", "MARGARET"}, {"BILL", "WILLIAM"}, {"LIZ", "ELIZABETH"},
		{"SANDY", "SANDRA"}, {"ALEX", "ALEXANDER"}, {"ALEX", "ALEXANDRA"}, {"BETTY", "ELIZABETH"}, {"BOB", "ROBERT"},
		{"SANDY", "ALEXANDRA"}, {"KATE", "KATHERINE"}, {"JOHN", "JOHN"}, {"LISA", "LISA"}, {"JACK", "JACK"},
	}
	for _, p := range same {
		if !matchFirst(c, p[0], p[1]) || !matchFirst(c, p[1], p[0]) {
			t.Errorf("%s and %s should match both ways", p[0], p[1])
		}
	}
	differ := [][2]string{
		{"LISA", "BETTY"}, {"LISA", "ELIZABETH"}, {"ALEX", "SANDRA"}, {"ALEXANDER", "ALEXANDRA"}, {"JACK", "JOHN"},
		{"LIZ", "BETTY"}, {"PATRICK", "PATRICIA"}, {"SAMUEL", "SAMANTHA"}, {"CHRISTINA", "CHRISTINE"},
		{"STEPHEN", "STEVEN"}, {"JOHN", "JONATHAN"}, {"HENRY", "HAROLD"}, {"J", "JOHN"}, {"JOHN", "J"},
	}
	for _, p := range differ {
		if matchFirst(c, p[0], p[1]) || matchFirst(c, p[1], p[0]) {
			t.Errorf("%s and %s must not match", p[0], p[1])
		}
	}
}
