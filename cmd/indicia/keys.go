package main

import (
	"fmt"
	"os"

	"indicia/metering/box"
)

func runKeys(args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Println("Usage: indicia keys init|rotate|export-public|fingerprint [options]\n\n" +
			"Manage the box's keystore: the file BOX_KEYSTORE, encrypted with BOX_PASSPHRASE or BOX_PASSPHRASE_FILE, or with KEYSTORE=pkcs11\n" +
			"the PKCS#11 token PKCS11_TOKEN_LABEL in the module PKCS11_MODULE, logged in with PKCS11_PIN or PKCS11_PIN_FILE:\n" +
			"  init           create a new keystore (in a token: its objects): vendor root key and certificate, master, MAC, transaction and pepper keys\n" +
			"  rotate         add this month's record-MAC key version (old versions keep verifying)\n" +
			"  export-public  print the vendor root certificate and the transaction box public key (PEM)\n" +
			"  fingerprint    print the vendor root's SHA-256 fingerprint, which offline verifiers pin")
		return nil
	}
	return box.RunKeysCLI(args, os.Getenv, os.Stdout, os.Stderr)
}
