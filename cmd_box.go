package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"indicia/hygiene/address"
	"indicia/metering/box"
)

func runBox(args []string) error {
	fs := flags("box", "Run the secure boxes (meter box, steel box, transaction and authentication boxes) on the unix socket BOX_SOCKET.\n"+
		"Needs the keystore BOX_KEYSTORE (create it with `indicia keys init`) and its passphrase BOX_PASSPHRASE or BOX_PASSPHRASE_FILE;\n"+
		"keeps its freshness store in BOX_STATE_DIR. Only this process ever holds key material.")
	if done, err := parse(fs, args); done {
		return err
	}
	cfg, err := box.ConfigFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return box.RunServer(ctx, cfg)
}

func runKeys(args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Println("Usage: indicia keys init|rotate|export-public [options]\n\n" +
			"Manage the box's keystore (BOX_KEYSTORE, encrypted with BOX_PASSPHRASE or BOX_PASSPHRASE_FILE):\n" +
			"  init           create a new keystore: vendor root key and certificate, master, MAC, transaction and pepper keys\n" +
			"  rotate         add this month's record-MAC key version (old versions keep verifying)\n" +
			"  export-public  print the vendor root certificate and the transaction box public key (PEM)")
		return nil
	}
	return box.RunKeysCLI(args, os.Getenv, os.Stdout, os.Stderr)
}

func runAddresses(args []string) error {
	fs := flags("addresses", "Cleanse addresses: read one address per line on stdin (lines of one address separated by commas\n"+
		"or a literal \\n) and write one JSON object per line: input, components (label/text/standard), standardized, status, reasons, zip, zip4, dpv.")
	if done, err := parse(fs, args); done {
		return err
	}
	return address.RunCLI(os.Stdin, os.Stdout)
}
