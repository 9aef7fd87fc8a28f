package address

import "testing"

func TestWithZIP(t *testing.T) {
	for _, tc := range []struct{ in, zip, want string }{
		{"1 Main St\nSpringfield IL", "62704", "1 Main St\nSpringfield IL 62704"},
		{"1 Main St, Darien CT 06901", "06820", "1 Main St, Darien CT 06820"},
		{"1 Main St, Darien CT 06901-1234 ", "06820", "1 Main St, Darien CT 06820"},
		{"12345 Main St, Springfield IL,\n", "62704", "12345 Main St, Springfield IL 62704"},
	} {
		if got := WithZIP(tc.in, tc.zip); got != tc.want {
			t.Errorf("WithZIP(%q, %s) = %q, want %q", tc.in, tc.zip, got, tc.want)
		}
	}
}
