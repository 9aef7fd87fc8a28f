package accounts

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"strings"
	"sync"
	"unicode"
)

//go:embed data/common-passwords.txt.gz
var commonPasswordsGz []byte

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	zr, err := gzip.NewReader(bytes.NewReader(commonPasswordsGz))
	if err != nil {
		panic("accounts: embedded password list: " + err.Error())
	}
	m := make(map[string]struct{}, 41000)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		m[sc.Text()] = struct{}{}
	}
	if sc.Err() != nil {
		panic("accounts: embedded password list: " + sc.Err().Error())
	}
	return m
})

// isCommonPassword reports a password from the leaked-password list, also
// when it is one of them with digits or symbols added at the end
// ("password12", "sunflower2024!"), the commonest way people lengthen one.
func isCommonPassword(pw string) bool {
	list := commonPasswords()
	lower := strings.ToLower(pw)
	if _, ok := list[lower]; ok {
		return true
	}
	base := strings.TrimRightFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	if len(base) >= 6 && base != lower {
		_, ok := list[base]
		return ok
	}
	return false
}
