package coa_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"indicia/hygiene/coa"
)

// TestCOAKnownTruthWorld builds a small world whose truth is known: book
// entries whose person moved (written with another unit designator, or
// with a nickname or the formal name), households where someone else at the
// same address moved (a different given name that shares a formal name, a
// different unit), and entries nobody moved from. Every match must be a
// true one (precision 100 %), and nearly every move must be found.
func TestCOAKnownTruthWorld(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a few hundred address-book entries")
	}
	e := newCOAEnv(t, 0)
	rng := rand.New(rand.NewPCG(17, 2026))
	units := []string{"Apt %d", "#%d", "Unit %d", "Apt. #%d", "Ste %d", "Apartment %d", "# %d"}
	// Same person: book name, record first name.
	same := [][2]string{{"Carol", "Carol"}, {"Bill", "William"}, {"William", "Bill"}, {"Liz", "Elizabeth"}, {"Pam", "Pamela"},
		{"Jeffrey", "Jeff"}, {"Peggy", "Margaret"}, {"Bob", "Robert"}, {"Sandy", "Sandra"}, {"Alex", "Alexander"},
		{"Alexandra", "Alex"}, {"Kate", "Katherine"}, {"Mike", "Michael"}, {"Jack", "Jack"}, {"Lisa", "Lisa"}}
	// Someone else: book name, record first name.
	other := [][2]string{{"Lisa", "Betty"}, {"Alex", "Sandra"}, {"Jack", "John"}, {"Alexander", "Alexandra"},
		{"Stephen", "Steven"}, {"Liz", "Betty"}, {"Patrick", "Patricia"}, {"Samuel", "Samantha"}, {"John", "Jonathan"}}
	lasts := []string{"Reed", "Lane", "Moss", "Hart", "Cole", "Wade", "Bell", "Ross"}
	const n = 600
	var rows []string
	want := map[string]bool{} // book names that must match
	for i := 0; i < n; i++ {
		last := lasts[i%len(lasts)] + fmt.Sprint(i)
		unit := 1 + rng.IntN(40)
		bookLine := fmt.Sprintf("%d Elm St "+units[rng.IntN(len(units))], 100+i, unit)
		recLine := fmt.Sprintf("%d Elm St "+units[rng.IntN(len(units))], 100+i, unit)
		var bookFirst, recFirst string
		match := false
		switch k := i % 10; {
		case k < 6: // the person moved
			p := same[rng.IntN(len(same))]
			bookFirst, recFirst, match = p[0], p[1], true
		case k < 8: // someone else of the household moved
			p := other[rng.IntN(len(other))]
			bookFirst, recFirst = p[0], p[1]
		case k < 9: // the same name moved from another unit of the building
			p := same[rng.IntN(len(same))]
			bookFirst, recFirst = p[0], p[1]
			recLine = fmt.Sprintf("%d Elm St Apt %d", 100+i, unit+100)
		default: // nobody moved
			bookFirst = "Nora"
		}
		name := bookFirst + " " + last
		e.add(e.owner, name, "", bookLine, "06901")
		if recFirst != "" {
			rows = append(rows, fmt.Sprintf("individual,%s,,%s,,%s,,,,06901,%d Oak Ave,,,,06902,2026-06,,", recFirst, last, recLine, 100+i))
		}
		want[name] = match
	}
	e.load(rows...)
	got := map[string]bool{}
	for off := 0; ; off += 500 {
		list, _, err := e.coa.Matches(t.Context(), e.owner, "", off, 500)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list {
			if m.Code == coa.CodeNewAddress {
				got[m.Name] = true
			}
		}
		if len(list) < 500 {
			break
		}
	}
	var truePos, falsePos, moves int
	for name, w := range want {
		if w {
			moves++
		}
		switch {
		case got[name] && w:
			truePos++
		case got[name]:
			falsePos++
			t.Errorf("%s matched someone else's move", name)
		case w:
			t.Logf("missed %s", name)
		}
	}
	recall := float64(truePos) / float64(moves)
	t.Logf("known-truth world: %d entries, %d moves, %d found (recall %.1f%%), %d wrong matches", n, moves, truePos, 100*recall, falsePos)
	if recall < 0.99 {
		t.Errorf("recall %.3f, want at least 0.99", recall)
	}
}
