package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestZip3BuildsCentroids(t *testing.T) {
	dir := t.TempDir()
	geo := strings.Join([]string{
		"US\t10001\tNew York\tNew York\tNY\tNew York\t061\t\t\t40.7484\t-73.9967\t4",
		"US\t10003\tNew York\tNew York\tNY\tNew York\t061\t\t\t40.7313\t-73.9892\t4",
		"US\t96813\tHonolulu\tHawaii\tHI\tHonolulu\t003\t\t\t21.3000\t-157.8500\t4",
		"US\t96898\tWake Island\tHawaii\tHI\tHonolulu\t003\t\t\t19.2836\t166.6419\t1",
		"US\t96815\tHonolulu\tHawaii\tHI\tHonolulu\t003\t\t\t21.2800\t-157.8200\t4",
		"US\t09001\tAPO AA\t\t\t\t\t\t\t38.1105\t15.6613\t",
	}, "\n") + "\n"
	usps := `exports.codes = {"00901":{"zip":"00901","latitude":18.46,"longitude":-66.1,"city":"San Juan","state":"PR","country":"US"},"10001":{"zip":"10001","latitude":0,"longitude":0,"state":"NY","country":"US"}};` + "\nexports.stateMap = {};\n"
	gp, up, out := filepath.Join(dir, "US.txt"), filepath.Join(dir, "codes.js"), filepath.Join(dir, "zip3.csv")
	os.WriteFile(gp, []byte(geo), 0o644)
	os.WriteFile(up, []byte(usps), 0o644)
	if err := runZip3([]string{"-geonames", gp, "-usps", up, "-out", out}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	want := "zip3,lat,lon,state\n009,18.4600,-66.1000,PR\n100,40.7399,-73.9929,NY\n968,21.2900,-157.8350,HI\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
