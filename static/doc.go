// Package static embeds the site's CSS, JavaScript and images. Pages work
// without JavaScript; the scripts only enhance (confirmations, live checks).
package static
