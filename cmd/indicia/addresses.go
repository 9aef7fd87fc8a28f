package main

import (
	"os"

	"indicia/hygiene/address"
)

func runAddresses(args []string) error {
	fs := flags("addresses", "Cleanse addresses: read one address per line on stdin (lines of one address separated by commas\n"+
		"or a literal \\n) and write one JSON object per line: input, components (label/text/standard), standardized, status, reasons, zip, zip4, dpv.")
	if done, err := parse(fs, args); done {
		return err
	}
	return address.RunCLI(os.Stdin, os.Stdout)
}
