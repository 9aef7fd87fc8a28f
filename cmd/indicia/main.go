// Command indicia is the virtual postage meter data center: one binary whose
// subcommands run as separate processes (web server, secure box, worker) and
// operator tools. This file only dispatches; each subcommand lives in the file named for it.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"indicia/metering"
)

type command struct {
	summary string
	run     func(args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"box":               {"run the secure boxes behind a unix socket; the only process with key material", runBox},
		"keys":              {"manage the box keystore: init, rotate, export-public", runKeys},
		"addresses":         {"cleanse addresses from stdin to JSON lines on stdout", runAddresses},
		"address-reference": {"check a delivery-point reference file, or convert one from OpenAddresses", runAddressReference},
		"serve":             {"run the web server (pages and /api/v1); holds no key material", runServe},
		"mailcatcher":       {"development mail catcher for make run: SMTP on 127.0.0.1:1025 to ./var/mail/*.eml", runMailCatcher},
		"migrate":           {"apply pending database migrations", runMigrate},
		"seed":              {"create the demo accounts and print their logins", runSeed},
		"version":           {"print the version", runVersion},
		"worker":            {"run the background job consumers (Redis queue)", runWorker},
		"verify":            {"verify an indicium offline (text or label image) from the published certificates", runVerify},
		"audit":             {"audit every meter's registers, chains, transfers and voids with the box", runAudit},
		"stripe-stub":       {"serve the Stripe stand-in for test mode (serve and worker share it via STRIPE_API_URL)", runStripeStub},
	}
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: indicia <command> [options]\n\nCommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'indicia <command> --help' for a command's options. Settings come from environment variables (see README.md).")
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage(os.Stdout)
		return
	}
	cmd, ok := commands()[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "indicia: unknown command %q\n\n", os.Args[1])
		usage(os.Stderr)
		os.Exit(2)
	}
	if err := cmd.run(os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "indicia %s: %v\n", os.Args[1], err)
		os.Exit(exitCode(err))
	}
}

// exitKeystoreMismatch (EX_CONFIG) tells a supervisor that restarting will
// not help: the box's keystore is not this database's (scripts/run.sh and
// the systemd units stop on it).
const exitKeystoreMismatch = 78

func exitCode(err error) int {
	var mm *metering.RootMismatchError
	if errors.As(err, &mm) {
		return exitKeystoreMismatch
	}
	return 1
}
