package box

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"indicia/metering/indicium"
)

// RunKeysCLI is `indicia keys init|rotate|export-public|fingerprint`. The keystore path
// and passphrase come from BOX_KEYSTORE and BOX_PASSPHRASE(_FILE), or
// -keystore. A running box reads the keystore at start: restart it after a
// rotation.
func RunKeysCLI(args []string, env func(string) string, stdout, stderr io.Writer) error {
	usage := "usage: indicia keys init|rotate [-month YYYY-MM]|export-public|fingerprint [-keystore PATH]"
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errors.New("keys: missing subcommand")
	}
	fs := flag.NewFlagSet("keys "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("keystore", envOr(env, "BOX_KEYSTORE", DefaultKeystorePath), "keystore file")
	month := fs.String("month", time.Now().UTC().Format("2006-01"), "rotate: the new record-MAC key version")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	pass, err := passphraseFromEnv(env)
	if err != nil {
		return err
	}
	switch args[0] {
	case "init":
		if _, err := os.Stat(*path); err == nil {
			return fmt.Errorf("keys: %s exists; refusing to overwrite key material", *path)
		}
		ks, err := NewKeystore(time.Now())
		if err != nil {
			return err
		}
		if err := ks.Save(*path, pass); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "keystore %s created; record-MAC key version %s\n", *path, ks.CurrentMACVersion())
	case "rotate":
		ks, err := OpenKeystore(*path, pass)
		if err != nil {
			return err
		}
		if err := ks.Rotate(*month); err != nil {
			return err
		}
		if err := ks.Save(*path, pass); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "record-MAC key version %s added to %s; restart the box\n", *month, *path)
	case "export-public":
		ks, err := OpenKeystore(*path, pass)
		if err != nil {
			return err
		}
		pk, err := ks.PublicKeys()
		if err != nil {
			return err
		}
		stdout.Write(pk.RootCertPEM)
		stdout.Write(pk.TxKeyPEM)
		// On stderr, so the output stays a plain PEM file.
		fmt.Fprintf(stderr, "vendor root SHA-256 fingerprint: %s\n", indicium.Fingerprint(ks.RootCert))
	case "fingerprint":
		ks, err := OpenKeystore(*path, pass)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, indicium.Fingerprint(ks.RootCert))
	default:
		fmt.Fprintln(stderr, usage)
		return fmt.Errorf("keys: unknown subcommand %q", args[0])
	}
	return nil
}
