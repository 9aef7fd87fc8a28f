package main

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"

	"indicia/metering/box"
)

// boxOnlyVars are the settings of `indicia box` that name or hold key
// material; no other process should be given them.
var boxOnlyVars = []string{"BOX_KEYSTORE", "BOX_PASSPHRASE", "BOX_PASSPHRASE_FILE", "BOX_STATE_DIR", "BOX_ALLOWED_UIDS",
	"KEYSTORE", "PKCS11_MODULE", "PKCS11_TOKEN_LABEL", "PKCS11_PIN", "PKCS11_PIN_FILE"}

// guardKeyMaterial runs first in serve and worker. It drops the box's
// settings from this process's environment (so nothing it starts inherits
// them), then tries to open the key material it can name and says whether
// it could: in production serve and worker run as another user than the
// box and must not be able to (deploy/systemd).
func guardKeyMaterial(process string) {
	paths := map[string]string{"BOX_KEYSTORE": box.DefaultKeystorePath}
	for _, name := range boxOnlyVars {
		v, ok := os.LookupEnv(name)
		if !ok {
			continue
		}
		slog.Warn(process+" was given a setting of the secure box; only `indicia box` should have it, and it is dropped", "variable", name)
		if name == "BOX_KEYSTORE" || name == "BOX_PASSPHRASE_FILE" || name == "PKCS11_PIN_FILE" {
			paths[name] = v
		}
		os.Unsetenv(name)
	}
	for name, path := range paths {
		f, err := os.Open(path)
		switch {
		case err == nil:
			f.Close()
			slog.Warn(process+" can read the box's key material: run the box as its own user (deploy/systemd)", "variable", name, "path", path)
		case errors.Is(err, fs.ErrNotExist):
		default:
			slog.Info(process+" cannot read the box's key material, as it should be", "variable", name, "path", path, "err", err.Error())
		}
	}
}
