package static

import "embed"

// FS holds the static files.
//
//go:embed css js
var FS embed.FS
