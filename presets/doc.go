// Package presets keeps a mailer account's saved package presets: a name
// for what it ships often (class, weight, dimensions, extra services), picked
// on the purchase page, through the API, or named in a batch file's preset
// column. It owns the package_presets table.
package presets
