package csvsafe

import "testing"

func TestCell(t *testing.T) {
	cases := map[string]string{
		"":                   "",
		"Jane Doe":           "Jane Doe",
		"=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0",
		"+1+1":               "'+1+1",
		"-2+3":               "'-2+3",
		"@SUM(A1)":           "'@SUM(A1)",
		"\t=1":               "'\t=1",
		"\r=1":               "'\r=1",
		"a=1":                "a=1",
		"'already quoted":    "'already quoted",
		"123 Main St":        "123 Main St",
	}
	for in, want := range cases {
		if got := Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRow(t *testing.T) {
	r := Row([]string{"ok", "=1", "@x"})
	if r[0] != "ok" || r[1] != "'=1" || r[2] != "'@x" {
		t.Fatalf("Row = %q", r)
	}
}
