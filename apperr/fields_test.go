package apperr

import "testing"

func TestPieceFieldNamesBatchPiecesOnly(t *testing.T) {
	if got := PieceField(0, 1, "weight_oz"); got != "weight_oz" {
		t.Errorf("single piece: got %q, want weight_oz", got)
	}
	if got := PieceField(2, 3, "weight_oz"); got != "pieces[2].weight_oz" {
		t.Errorf("batch: got %q, want pieces[2].weight_oz", got)
	}
}

func TestSentence(t *testing.T) {
	for in, want := range map[string]string{"": "", "too heavy": "Too heavy.", "Done.": "Done."} {
		if got := Sentence(in); got != want {
			t.Errorf("Sentence(%q) = %q, want %q", in, got, want)
		}
	}
}
