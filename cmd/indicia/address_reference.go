package main

import (
	"errors"
	"fmt"
	"os"

	"indicia/hygiene/address"
)

// runAddressReference is `indicia address-reference check FILE` (load a
// delivery-point reference as serve and worker would with
// ADDRESS_REFERENCE, and report it) and `indicia address-reference
// convert-openaddresses IN OUT` (build one from an OpenAddresses extract).
func runAddressReference(args []string) error {
	fs := flags("address-reference", "Delivery-point reference files (docs/ADDRESS_REFERENCE.md):\n"+
		"  indicia address-reference check FILE                   load FILE as ADDRESS_REFERENCE would and report its rows\n"+
		"  indicia address-reference convert-openaddresses IN OUT  write a reference from an OpenAddresses CSV extract")
	if done, err := parse(fs, args); done {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return errors.New("address-reference: say check FILE or convert-openaddresses IN OUT")
	}
	switch rest[0] {
	case "check":
		if len(rest) != 2 {
			return errors.New("address-reference check: one FILE")
		}
		ref, err := address.LoadReferenceFile(rest[1])
		if err != nil {
			return err
		}
		fmt.Printf("%s: %d rows loaded. Set ADDRESS_REFERENCE=%s for serve and worker to confirm delivery points with it.\n", rest[1], ref.Len(), rest[1])
		return nil
	case "convert-openaddresses":
		if len(rest) != 3 {
			return errors.New("address-reference convert-openaddresses: IN and OUT")
		}
		in, err := os.Open(rest[1])
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(rest[2])
		if err != nil {
			return err
		}
		st, err := address.ConvertOpenAddresses(in, out)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		fmt.Printf("%d delivery points written to %s, %d rows skipped\n", st.Written, rest[2], st.Skipped)
		for _, s := range st.FirstSkips {
			fmt.Println("  skipped", s)
		}
		return nil
	}
	return fmt.Errorf("address-reference: unknown action %q (check or convert-openaddresses)", rest[0])
}
