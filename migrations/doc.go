// Package migrations embeds the SQL schema migrations (NNNN_name.sql, goose
// format), applied in order by `indicia migrate` and checked by `indicia serve`
// at start-up. Files are append-only: a change to the schema is a new file.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
