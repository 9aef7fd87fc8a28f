// Command gen maintains the rating package's data: it signs rate tables,
// builds the ZIP3 centroid file from published ZIP datasets and makes
// signing key pairs.
//
//	go run ./metering/rating/gen sign   [-dir metering/rating/tables] [-key metering/rating/devkey/rate-signing-dev.key.pem]
//	go run ./metering/rating/gen zip3   -geonames PATH/US.txt -usps PATH/codes.js [-out metering/rating/tables/zip3.csv]
//	go run ./metering/rating/gen keygen -out DIR
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "sign":
		err = runSign(os.Args[2:])
	case "zip3":
		err = runZip3(os.Args[2:])
	case "keygen":
		err = runKeygen(os.Args[2:])
	case "-h", "--help", "help":
		usage()
		return
	default:
		usage()
		os.Exit(2)
	}
	if err != nil {
		slog.Error("gen failed", "cmd", os.Args[1], "err", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage: gen <command> [flags]

commands:
  sign    write a .sig beside every .json/.csv table in -dir, signed with -key
  zip3    build the ZIP3 centroid table from GeoNames US.txt and the USPS-derived codes.js
  keygen  make a new ECDSA P-256 rate-signing key pair in -out`)
}

func newFlags(name string) *flag.FlagSet {
	return flag.NewFlagSet(name, flag.ExitOnError)
}
