package box

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"indicia/metering/indicium"
)

// stateRootName is the file in BOX_STATE_DIR naming the vendor root whose
// meters its freshness store holds.
const stateRootName = "vendor-root.sha256"

// checkStateRoot ties a state directory to the keystore that first used it:
// the freshness of one vendor root's meters means nothing under another's
// (its serials would collide with the new database's meters and look like
// replays), so a box started on a state directory of another keystore stops
// with a clear message instead of raising tamper alerts.
func checkStateRoot(stateDir string, root *x509.Certificate) error {
	fp := indicium.Fingerprint(root)
	path := filepath.Join(stateDir, stateRootName)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if held := strings.TrimSpace(string(b)); held != fp {
			return fmt.Errorf("box: BOX_STATE_DIR %s holds the freshness store of another vendor root (%s); this keystore's is %s: use the keystore it belongs to, or another state directory", stateDir, held, fp)
		}
		return nil
	case errors.Is(err, fs.ErrNotExist):
		tmp, err := writeTempSync(path, []byte(fp+"\n"))
		if err != nil {
			return fmt.Errorf("box: state dir: %w", err)
		}
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("box: state dir: %w", err)
		}
		return nil
	default:
		return fmt.Errorf("box: state dir: %w", err)
	}
}
