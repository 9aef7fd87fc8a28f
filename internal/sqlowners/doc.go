// Package sqlowners checks that SQL on a table lives only in the package that
// owns it. The owners are read from the "## Table owners" section of
// docs/ARCHITECTURE.md, so the document and the check cannot disagree.
package sqlowners
