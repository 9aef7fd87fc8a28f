package postage_test

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"indicia/hygiene/address"
	"indicia/postage"
)

func readBatch(t *testing.T, text string) ([]postage.BatchRow, []postage.BadRow, error) {
	t.Helper()
	b := []byte(text)
	im, err := address.NewImport(bytes.NewReader(b), int64(len(b)), "batch.csv", postage.BatchSpec)
	if err != nil {
		return nil, nil, err
	}
	defer im.Close()
	return postage.ReadBatch(im)
}

// A batch file's bad rows are named by their line in the file (the header is
// line 1, a quoted address spanning lines counts them), with the column at
// fault; the good rows keep their lines.
func TestReadBatchNamesBadRowsByLine(t *testing.T) {
	csv := "Name,Address,Weight,Class,Services,Cost code,Reference\n" +
		"Ann Lee,\"9 Elm Street, Beverly Hills CA 90210\",1,FCM_LETTER,,MKT,Inv 1\n" + // line 2
		"Bob Ray,\"350 Fifth Avenue,\nNew York NY 10118\",12,ground_advantage,certified;signature_confirmation,,\n" + // lines 3-4
		"Cy Doe,,1,FCM_LETTER,,,\n" + // line 5: no address
		"\n" + // line 6: blank, skipped
		"Di Fox,\"1 Main St, Stamford CT 06901\",heavy,FCM_LETTER,,,\n" + // line 7: weight
		"Ed Go,\"1 Main St, Stamford CT 06901\",2,AIRMAIL,,,\n" + // line 8: class
		"Flo Hu,\"1 Main St, Stamford CT 06901\",2,,GIFTWRAP,,\n" + // line 9: service
		"Gus Ivy,\"1 Main St, Stamford CT 06901\",2,FCM_LETTER,,,,extra\n" // line 10: too many cells
	rows, bad, err := readBatch(t, csv)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Line != 2 || rows[1].Line != 3 || rows[0].Piece.CostCode != "MKT" || rows[0].Piece.Reference != "Inv 1" {
		t.Fatalf("good rows: %+v", rows)
	}
	p, rerr := rows[1].Piece.Order()
	if rerr != nil || p.Spec.Class != "GROUND_ADVANTAGE" || p.Spec.WeightOz != 12 || strings.Join(p.Spec.Services, " ") != "CERTIFIED SIGNATURE_CONFIRMATION" {
		t.Errorf("row 3 as a piece: %+v %v", p, rerr)
	}
	want := []struct {
		line  int
		field string
		text  string
	}{{5, "address", "empty"}, {7, "weight_oz", `"heavy"`}, {8, "class", `"AIRMAIL"`}, {9, "services", `"GIFTWRAP"`}, {10, "", "cells"}}
	if len(bad) != len(want) {
		t.Fatalf("bad rows: %+v", bad)
	}
	for i, w := range want {
		if b := bad[i]; b.Line != w.line || b.Field != w.field || !strings.Contains(b.Reason, w.text) || b.Where() != "Line "+strconv.Itoa(w.line) {
			t.Errorf("bad row %d: %+v, want line %d field %q mentioning %s", i, b, w.line, w.field, w.text)
		}
	}
}

// A file the batch cannot take is refused whole, naming why.
func TestReadBatchRefusesWholeFiles(t *testing.T) {
	for name, c := range map[string]struct{ text, msg string }{
		"no weight column": {"name,address\nAnn,\"9 Elm St, Beverly Hills CA 90210\"\n", "weight_oz"},
		"header only":      {"name,address,weight_oz\n", "no recipients"},
		"too many rows":    {"address,weight_oz\n" + strings.Repeat("\"9 Elm St, Beverly Hills CA 90210\",1\n", postage.MaxBatchRows+1), "Line 1002"},
	} {
		_, _, err := readBatch(t, c.text)
		var ie *address.ImportError
		if !errors.As(err, &ie) || !strings.Contains(ie.Message, c.msg) {
			t.Errorf("%s: %v, want a refusal mentioning %q", name, err, c.msg)
		}
	}
}

// The template a mailer downloads reads back without a bad row.
func TestBatchTemplateReads(t *testing.T) {
	rows, bad, err := readBatch(t, postage.BatchTemplate)
	if err != nil || len(bad) != 0 || len(rows) != 2 {
		t.Fatalf("template: %d rows, bad %+v, %v", len(rows), bad, err)
	}
}

// An Excel list reads like a CSV one: numbers as numbers, ZIPs Excel stored
// as numbers get their zeros back, and bad rows keep their sheet row number.
func TestReadBatchXLSX(t *testing.T) {
	f := excelize.NewFile()
	rows := [][]any{
		{"Name", "Line1", "City", "State", "ZIP", "Weight oz", "Class", "Cost code"},
		{"Ann Lee", "1 Main St", "Stamford", "CT", 6901, 2.5, "FCM_FLAT", "MKT"},
		{"Bob Ray", "1 Main St", "Stamford", "CT", 6901, 0, "FCM_LETTER", ""},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	im, err := address.NewImport(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "list.xlsx", postage.BatchSpec)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	good, bad, err := postage.ReadBatch(im)
	if err != nil {
		t.Fatal(err)
	}
	if len(good) != 1 || good[0].Line != 2 || good[0].Piece.Address != "1 Main St, Stamford CT 06901" || good[0].Piece.WeightOz != "2.5" || good[0].Piece.CostCode != "MKT" {
		t.Errorf("good rows: %+v", good)
	}
	if len(bad) != 1 || bad[0].Line != 3 || bad[0].Field != "weight_oz" || bad[0].Name != "Bob Ray" {
		t.Errorf("bad rows: %+v", bad)
	}
}
