package main

import (
	"context"
	"log/slog"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"syscall"

	"indicia/metering/box"
)

func runBox(args []string) error {
	fs := flags("box", "Run the secure boxes (meter box, steel box, transaction and authentication boxes) on the unix socket BOX_SOCKET.\n"+
		"Needs the keystore BOX_KEYSTORE (create it with `indicia keys init`) and its passphrase BOX_PASSPHRASE or BOX_PASSPHRASE_FILE,\n"+
		"or with KEYSTORE=pkcs11 the token PKCS11_TOKEN_LABEL in PKCS11_MODULE and its PIN PKCS11_PIN or PKCS11_PIN_FILE;\n"+
		"keeps its freshness store in BOX_STATE_DIR. Serves only the uids in BOX_ALLOWED_UIDS (default: its own).\n"+
		"Only this process ever holds key material. With BOX_PEERS and BOX_NODE_ID it is one member of a box cluster:\n"+
		"the freshness store is replicated with raft over mutual TLS on BOX_PEER_ADDR, and only the leader serves.")
	if done, err := parse(fs, args); done {
		return err
	}
	cfg, err := box.ConfigFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	cfg.Version = version
	if addr := os.Getenv("PPROF_ADDR"); addr != "" {
		// For load tests, on a loopback address: profiles hold stacks and timings, never memory contents.
		go func() { slog.Warn("pprof", "err", http.ListenAndServe(addr, nil)) }()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return box.RunServer(ctx, cfg)
}
