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

// RunKeysCLI is `indicia keys init|rotate|export-public|fingerprint`, for
// either keystore (KEYSTORE). The file keystore's path and passphrase come
// from BOX_KEYSTORE and BOX_PASSPHRASE(_FILE), or -keystore; the token from
// PKCS11_MODULE, PKCS11_TOKEN_LABEL and PKCS11_PIN(_FILE). A running box
// adds a month's record-MAC key itself (RotateMAC); after `keys rotate`
// restart it.
func RunKeysCLI(args []string, env func(string) string, stdout, stderr io.Writer) error {
	usage := "usage: indicia keys init|rotate [-month YYYY-MM]|export-public|fingerprint|issue-client -name NAME -cert FILE -key FILE [-days N] [-keystore PATH]"
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errors.New("keys: missing subcommand")
	}
	fs := flag.NewFlagSet("keys "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("keystore", envOr(env, "BOX_KEYSTORE", DefaultKeystorePath), "keystore file (KEYSTORE=file)")
	month := fs.String("month", time.Now().UTC().Format("2006-01"), "rotate: the new record-MAC key version")
	name := fs.String("name", "", "issue-client: the client's name (its host or service)")
	certOut := fs.String("cert", "", "issue-client: where to write the client certificate (PEM)")
	keyOut := fs.String("key", "", "issue-client: where to write the client's private key (PEM, mode 0600)")
	days := fs.Int("days", 365, "issue-client: validity in days")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	kind, err := keystoreKind(env)
	if err != nil {
		return err
	}
	cfg := Config{Keystore: kind, KeystorePath: *path}
	if kind == KeystorePKCS11 {
		cfg.Token, err = tokenFromEnv(env)
	} else {
		cfg.Passphrase, err = passphraseFromEnv(env)
	}
	if err != nil {
		return err
	}
	where := *path
	if kind == KeystorePKCS11 {
		where = fmt.Sprintf("token %q", cfg.Token.Label)
	}
	switch args[0] {
	case "init":
		ops, err := initKeyOps(cfg, time.Now())
		if err != nil {
			return err
		}
		defer ops.Close()
		fmt.Fprintf(stdout, "keystore %s created; record-MAC key version %s\n", where, ops.MACVersions()[0])
	case "rotate":
		ops, err := openKeyOps(cfg)
		if err != nil {
			return err
		}
		defer ops.Close()
		if err := checkNewMACVersion(ops.MACVersions(), *month); err != nil {
			return err
		}
		if err := ops.AddMACVersion(*month); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "record-MAC key version %s added to %s; restart the box\n", *month, where)
	case "export-public", "fingerprint":
		ops, err := openKeyOps(cfg)
		if err != nil {
			return err
		}
		defer ops.Close()
		fp := indicium.Fingerprint(ops.RootCert())
		if args[0] == "fingerprint" {
			fmt.Fprintln(stdout, fp)
			return nil
		}
		pk, err := publicKeys(ops)
		if err != nil {
			return err
		}
		stdout.Write(pk.RootCertPEM)
		stdout.Write(pk.TxKeyPEM)
		// On stderr, so the output stays a plain PEM file.
		fmt.Fprintf(stderr, "vendor root SHA-256 fingerprint: %s\n", fp)
	case "issue-client":
		if *name == "" || *certOut == "" || *keyOut == "" || *days < 1 {
			fmt.Fprintln(stderr, usage)
			return errors.New("keys issue-client: -name, -cert and -key are required, -days at least 1")
		}
		ops, err := openKeyOps(cfg)
		if err != nil {
			return err
		}
		defer ops.Close()
		certPEM, keyPEM, err := IssueClientCertificate(ops, *name, time.Now(), time.Duration(*days)*24*time.Hour)
		if err != nil {
			return err
		}
		if err := os.WriteFile(*keyOut, keyPEM, 0o600); err != nil {
			return fmt.Errorf("keys issue-client: %w", err)
		}
		if err := os.WriteFile(*certOut, certPEM, 0o644); err != nil {
			return fmt.Errorf("keys issue-client: %w", err)
		}
		fmt.Fprintf(stdout, "box client certificate for %q (valid %d days) in %s, its key in %s\n", *name, *days, *certOut, *keyOut)
	default:
		fmt.Fprintln(stderr, usage)
		return fmt.Errorf("keys: unknown subcommand %q", args[0])
	}
	return nil
}

// initKeyOps makes a new keystore: the file (refused if it exists) or the
// token's objects (refused if it holds a vendor root).
func initKeyOps(cfg Config, now time.Time) (KeyOps, error) {
	if cfg.Keystore == KeystorePKCS11 {
		return InitToken(cfg.Token, now)
	}
	if _, err := os.Stat(cfg.KeystorePath); err == nil {
		return nil, fmt.Errorf("keys: %s exists; refusing to overwrite key material", cfg.KeystorePath)
	}
	ks, err := NewKeystore(now)
	if err != nil {
		return nil, err
	}
	if err := ks.Save(cfg.KeystorePath, cfg.Passphrase); err != nil {
		return nil, err
	}
	return newFileKeys(ks, cfg.KeystorePath, cfg.Passphrase), nil
}

// checkNewMACVersion is what `keys rotate` asks of a version: a month newer
// than every one held.
func checkNewMACVersion(held []string, version string) error {
	if !macVersionRE.MatchString(version) {
		return fmt.Errorf("box: keystore: version %q: want YYYY-MM", version)
	}
	if cur := held[len(held)-1]; version <= cur {
		return fmt.Errorf("box: keystore: version %s is not newer than the current %s", version, cur)
	}
	return nil
}
