package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"indicia/hygiene/coa"
	"indicia/jobs/tasks"
	"indicia/web/webtest"
)

// Uploaded change-of-address files are personal data: the worker's retention
// deletes them (and stray uploads) once older than UPLOAD_RETENTION, and
// keeps the list's records, which purchases are checked against.
func TestUploadedListFilesAreDeletedAfterRetention(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	d := e.TaskDeps
	if d.UploadRetention != 720*time.Hour || d.UploadDir == "" {
		t.Fatalf("retention %v in %q, want the 30-day default in INDICIA_VAR/uploads", d.UploadRetention, d.UploadDir)
	}
	path, err := coa.SaveUpload(d.UploadDir, strings.NewReader(coaCSVHeader+"individual,Robert,,Movewell,,12 Willow St,,,,06901,34 Aspen Rd,,,,06902,2026-07,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	l, _, err := e.COA.CreateList(ctx, e.Users["staff"], coa.COAListInput{Source: "USPS test", Filename: "t.csv", Path: path})
	if err == nil {
		_, err = e.COA.ImportList(ctx, l.ID, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	stray := filepath.Join(d.UploadDir, "coa-stray.upload")
	if err := os.WriteFile(stray, []byte("name,address\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-800 * time.Hour)
	os.Chtimes(stray, old, old)

	// Today: the list's file is recent and stays; the stray one is old and goes.
	if err := tasks.PurgeUploads(ctx, d, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("a list uploaded today lost its file: %v", err)
	}
	if _, err := os.Stat(stray); !os.IsNotExist(err) {
		t.Errorf("a stray upload older than the retention is still there (%v)", err)
	}
	// 31 days on, the list's file goes too; its records stay.
	if err := tasks.PurgeUploads(ctx, d, time.Now().Add(31*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the list's file is still there after the retention (%v)", err)
	}
	var records int
	e.Pool.QueryRow(ctx, `SELECT count(*) FROM coa_records WHERE list_id = $1`, l.ID).Scan(&records)
	if records != 1 {
		t.Errorf("%d records left, want the list's 1", records)
	}
}
