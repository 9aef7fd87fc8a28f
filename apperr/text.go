package apperr

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// CheckText refuses text no field takes: invalid UTF-8, a NUL or another
// control character (tab, CR and LF aside). It is an invalid error on field.
func CheckText(field, s string) error {
	if !utf8.ValidString(s) {
		return Invalid(field, "This field is not valid UTF-8 text.")
	}
	if strings.ContainsFunc(s, func(r rune) bool { return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f }) {
		return Invalid(field, "This field holds a control character (such as a NUL byte); remove it.")
	}
	return nil
}

// CheckLength refuses text longer than max characters. What is what a
// person reads: "Name".
func CheckLength(field, what, s string, max int) error {
	if n := utf8.RuneCountInString(s); n > max {
		return Invalid(field, what+" is "+strconv.Itoa(n)+" characters long; at most "+strconv.Itoa(max)+" fit on a label.")
	}
	return nil
}
