package address

import (
	"strings"
	"unicode/utf8"
)

// token is one word of the input.
type token struct {
	raw   string // as written, without a trailing comma
	up    string // upper case, periods and apostrophes removed: the matching form
	line  int
	comma bool // a comma or semicolon followed it
}

// tokenBuf holds the tokens of one address while it is parsed; parsers
// reuse them (the tokens were half the bytes allocated per address).
type tokenBuf struct {
	all   []token
	lines [][]token
}

// reset empties b, dropping its references to the last text.
func (b *tokenBuf) reset() {
	clear(b.all[:cap(b.all)])
	clear(b.lines[:cap(b.lines)])
	b.all, b.lines = b.all[:0], b.lines[:0]
}

// tokenize splits text into lines of tokens. Commas and semicolons end a token
// and are remembered; '#' is always a token of its own; other punctuation
// except '-', '/', '&' and '.' is treated as space. The tokens live in buf
// until it is reset.
func tokenize(text string, buf *tokenBuf) [][]token {
	// One backing array for every line's tokens, reused from the last
	// address: it has room once a parser has seen a few. Each line is a
	// slice of it capped at its end, so a line stays as it is when the
	// array is grown for later ones.
	all, out := buf.all[:0], buf.lines[:0]
	// Most words' matching form is the word in capitals: the text is
	// upper-cased once and such a word's form is a slice of it, so that a
	// lower-case address costs one string, not one per word.
	upper := upperASCII(text)
	line := 0
	for rest := text; len(rest) > 0; {
		off := len(text) - len(rest)
		l := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			l, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		first := len(all)
		start := -1
		flush := func(end int) {
			if start >= 0 && end > start {
				raw := l[start:end]
				if up := matchFormUpper(raw, upper[off+start:off+end]); up != "" {
					all = append(all, token{raw: raw, up: up, line: line})
				}
			}
			start = -1
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			switch {
			case c == ',' || c == ';':
				flush(i)
				if n := len(all); n > first {
					all[n-1].comma = true
				}
			case c == '#':
				flush(i)
				all = append(all, token{raw: "#", up: "#", line: line})
			case tokenSep[c]:
				flush(i)
			default:
				if start < 0 {
					start = i
				}
			}
		}
		flush(len(l))
		toks := joinMailStops(all[first:len(all):len(all)])
		all = all[:first+len(toks)]
		if len(toks) > 0 {
			out = append(out, toks)
			line++
		}
	}
	buf.all, buf.lines = all, out
	return out
}

// tokenSep marks the bytes that separate words like a space: white space and
// punctuation other than hyphens, slashes, ampersands, periods, apostrophes,
// commas, semicolons and '#'.
var tokenSep = func() (t [256]bool) {
	for _, c := range []byte(" \t\r\v\f()\":|*!?<>[]{}=+_`~@$%^\\") {
		t[c] = true
	}
	return t
}()

// upperASCII is s with its ASCII letters in capitals; other bytes are kept,
// so every word of s is at the same place in it.
func upperASCII(s string) string {
	i := 0
	for i < len(s) && (s[i] < 'a' || s[i] > 'z') {
		i++
	}
	if i == len(s) {
		return s
	}
	var buf [256]byte // most addresses: capitals made on the stack, one copy out
	b := append(buf[:0], s...)
	for ; i < len(b); i++ {
		if c := b[i]; c >= 'a' && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
	return string(b)
}

// matchFormUpper is matchForm(raw) given upper, raw upper-cased by
// upperASCII: a slice of upper when raw needs nothing more than capitals
// (and dropping trailing periods, as in "St.").
func matchFormUpper(raw, upper string) string {
	n := len(raw)
	for n > 0 && raw[n-1] == '.' {
		n--
	}
	for i := 0; i < n; i++ {
		if c := raw[i]; c == '.' || c == '\'' || c >= 0x80 || c < ' ' || c == 0x7f {
			return matchForm(raw)
		}
	}
	return trimDashSlash(upper[:n])
}

// trimDashSlash is strings.Trim(s, "-/").
func trimDashSlash(s string) string {
	for len(s) > 0 && (s[0] == '-' || s[0] == '/') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == '-' || s[len(s)-1] == '/') {
		s = s[:len(s)-1]
	}
	return s
}

// matchForm upper-cases s and removes periods and apostrophes; leading and
// trailing hyphens and slashes go too. Non-ASCII letters are kept.
func matchForm(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'a' && c <= 'z') || c == '.' || c == '\'' || c >= 0x80 || c < ' ' || c == 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return trimDashSlash(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r == '.' || r == '\'' || r == '’' || r == utf8.RuneError || r < ' ' || r == 0x7f {
			continue
		}
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		} else if r >= 0x80 {
			r = foldAccent(r)
		}
		b.WriteRune(r)
	}
	return trimDashSlash(b.String())
}

// foldAccent maps the accented letters of Spanish addresses (Puerto Rico) to
// their plain capitals, as Publication 28 writes them.
func foldAccent(r rune) rune {
	switch r {
	case 'á', 'Á', 'à', 'À':
		return 'A'
	case 'é', 'É', 'è', 'È':
		return 'E'
	case 'í', 'Í':
		return 'I'
	case 'ó', 'Ó':
		return 'O'
	case 'ú', 'Ú', 'ü', 'Ü':
		return 'U'
	case 'ñ', 'Ñ':
		return 'N'
	}
	if r >= 'a' && r <= 'z' {
		return r - ('a' - 'A')
	}
	return []rune(strings.ToUpper(string(r)))[0]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// allDigits reports whether s is non-empty and only ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// hasDigit reports whether s holds an ASCII digit.
func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}

func joinRaw(ts []token) string {
	switch len(ts) {
	case 0:
		return ""
	case 1:
		return ts[0].raw
	}
	n := len(ts) - 1
	for _, t := range ts {
		n += len(t.raw)
	}
	var b strings.Builder
	b.Grow(n)
	for i, t := range ts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.raw)
	}
	return b.String()
}

func joinUp(ts []token) string {
	switch len(ts) {
	case 0:
		return ""
	case 1:
		return ts[0].up
	}
	n := len(ts) - 1
	for _, t := range ts {
		n += len(t.up)
	}
	var b strings.Builder
	b.Grow(n)
	for i, t := range ts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.up)
	}
	return b.String()
}

// appendUp appends the tokens' matching forms, space-separated, to dst.
func appendUp(dst []byte, ts []token) []byte {
	for i, t := range ts {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, t.up...)
	}
	return dst
}

// joinMailStops makes "MAIL CODE 12" and "MAIL STOP 12" one designator
// token followed by the identifier, so they read like "MSC 12".
func joinMailStops(toks []token) []token {
	for i := 0; i+2 < len(toks); i++ {
		a, b := toks[i], toks[i+1]
		if a.up == "MAIL" && (b.up == "CODE" || b.up == "STOP") && !a.comma && (idLike(toks[i+2].up) || toks[i+2].up == "#") {
			toks[i] = token{raw: a.raw + " " + b.raw, up: "MAIL " + b.up, line: a.line, comma: b.comma}
			toks = append(toks[:i+1], toks[i+2:]...)
		}
	}
	return toks
}
