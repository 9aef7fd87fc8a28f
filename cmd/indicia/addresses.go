package main

import (
	"os"

	"indicia/hygiene/address"
)

func runAddresses(args []string) error {
	fs := flags("addresses", "Cleanse addresses: read one address per line on stdin (lines of one address separated by commas\n"+
		"or a literal \\n) and write one JSON object per line: input, components (label/text/standard), standardized, status, reasons, zip, zip4, dpv.")
	ref := fs.String("reference", os.Getenv("ADDRESS_REFERENCE"), "delivery-point reference file (default $ADDRESS_REFERENCE; empty: delivery points not checked)")
	if done, err := parse(fs, args); done {
		return err
	}
	if *ref == "" {
		return address.RunCLI(os.Stdin, os.Stdout)
	}
	r, err := address.LoadReferenceFile(*ref)
	if err != nil {
		return err
	}
	c, err := address.New(address.WithReference(r))
	if err != nil {
		return err
	}
	return c.WriteJSONLines(os.Stdin, os.Stdout)
}
