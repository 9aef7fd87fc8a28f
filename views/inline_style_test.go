package views

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The Content-Security-Policy forbids inline styles, so a style attribute
// in a template silently does nothing: every look comes from app.css.
func TestNoTemplateHasAnInlineStyle(t *testing.T) {
	files, err := filepath.Glob("*.templ")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates found: %v", err)
	}
	attr := regexp.MustCompile(`\sstyle\s*=`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if attr.MatchString(line) {
				t.Errorf("%s:%d has an inline style: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}

// Each verdict is told apart by a class (colour), an icon and the word, not
// by colour alone.
func TestVerdictHasClassIconAndWord(t *testing.T) {
	for result, want := range map[string][2]string{
		"VALID": {"verdict-valid", "✓"}, "INVALID": {"verdict-invalid", "✗"},
		"VOID": {"verdict-refused", "!"}, "DUPLICATE": {"verdict-refused", "!"}, "REVOKED": {"verdict-refused", "!"},
	} {
		var b bytes.Buffer
		if err := Verify(Page{Title: "Verify"}, Form{}, &VerifyResultVM{Result: result}, nil, "").Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		html := b.String()
		if !strings.Contains(html, want[0]) || !strings.Contains(html, `aria-hidden="true">`+want[1]+`<`) ||
			!strings.Contains(html, `id="verdict-result" class="verdict-word">`+result+`<`) {
			t.Errorf("%s: want class %s, icon %s and the word", result, want[0], want[1])
		}
		if strings.Contains(html, "style=") {
			t.Errorf("%s: the page carries an inline style", result)
		}
	}
}
