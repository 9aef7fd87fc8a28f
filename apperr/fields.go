package apperr

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// PiecePrefix names piece i of a batch of n in an error's field: "" for a
// single piece (its fields stand alone, as the page's form names them),
// "pieces[i]." in a batch, as the API's JSON names them.
func PiecePrefix(i, n int) string {
	if n == 1 {
		return ""
	}
	return fmt.Sprintf("pieces[%d].", i)
}

// PieceField is field of piece i of a batch of n (see PiecePrefix).
func PieceField(i, n int, field string) string { return PiecePrefix(i, n) + field }

// Sentence capitalises a message from a lower layer (the rater's reasons are
// lower-case fragments) and ends it with a full stop, as every message a
// person reads does.
func Sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
