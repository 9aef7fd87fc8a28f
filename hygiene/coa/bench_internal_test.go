package coa

import (
	"testing"

	"indicia/hygiene/address"
)

// BenchmarkCOAStandardizeRow is the CPU cost of one list row: validation,
// two standardized addresses and the name keys.
func BenchmarkCOAStandardizeRow(b *testing.B) {
	c, err := address.New()
	if err != nil {
		b.Fatal(err)
	}
	coa := &Service{c: c, nicks: nicknameIndex()}
	row := []string{"individual", "ROBERT", "", "SMITH", "", "123 Main St", "", "", "", "10001", "77 Oak Ave", "", "", "", "10008", "2026-05", "", ""}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, reason := coa.standardizeRow(1, 2, row); reason != "" {
			b.Fatal(reason)
		}
	}
}

func BenchmarkCheckFields(b *testing.B) {
	c, err := address.New()
	if err != nil {
		b.Fatal(err)
	}
	f := address.Fields{Line1: "123 Main St", ZIP: "10001"}
	for b.Loop() {
		c.CheckFields(f)
	}
}
