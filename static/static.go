// Package static embeds the site's CSS, JavaScript and images. Pages work
// without JavaScript; the scripts only enhance (confirmations, live checks).
package static

import "embed"

// FS holds the static files.
//
//go:embed css js
var FS embed.FS
