// Package systemd holds the service units of a production install; this
// test checks that they parse and keep the properties the deployment relies on.
package systemd

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"indicia/metering/meteringtest"
)

var units = []string{"indicia-box.service", "indicia-serve.service", "indicia-worker.service"}

// unit is a parsed unit file: section -> key -> values in order.
type unit map[string]map[string][]string

func parse(t *testing.T, name string) unit {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u := unit{}
	section := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.Trim(line, "[]")
			u[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s:%d: not a key=value in a section: %q", name, n, line)
			}
			u[section][k] = append(u[section][k], v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return u
}

func (u unit) get(section, key string) string {
	v := u[section][key]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// env returns the unit's Environment= assignments by name.
func (u unit) env() map[string]string {
	m := map[string]string{}
	for _, v := range u["Service"]["Environment"] {
		k, val, _ := strings.Cut(v, "=")
		m[k] = val
	}
	return m
}

func TestUnitsKeepTheirGuarantees(t *testing.T) {
	for _, name := range units {
		u := parse(t, name)
		want := map[string]string{
			"Restart": "always", "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
			"PrivateTmp": "yes", "CapabilityBoundingSet": "", "RestartPreventExitStatus": "78", "UMask": "0077",
		}
		for k, v := range want {
			if _, ok := u["Service"][k]; !ok || u.get("Service", k) != v {
				t.Errorf("%s: [Service] %s=%q, want %q", name, k, u.get("Service", k), v)
			}
		}
		if u.get("Unit", "StartLimitIntervalSec") != "0" {
			t.Errorf("%s: without StartLimitIntervalSec=0 systemd gives up restarting", name)
		}
		env := u.env()
		for _, k := range []string{"BOX_KEYSTORE", "BOX_PASSPHRASE", "BOX_PASSPHRASE_FILE", "BOX_STATE_DIR", "BOX_ALLOWED_UIDS"} {
			_, has := env[k]
			if isBox := name == "indicia-box.service"; has != isBox && !(isBox && k == "BOX_PASSPHRASE") {
				t.Errorf("%s: Environment %s present=%v; only the box unit names key material", name, k, has)
			}
		}
		if env["BOX_SOCKET"] != "/run/indicia-box/box.sock" {
			t.Errorf("%s: BOX_SOCKET=%q, want the box's runtime directory", name, env["BOX_SOCKET"])
		}
		cred := u["Service"]["LoadCredential"]
		switch name {
		case "indicia-box.service":
			if u.get("Service", "User") != "indicia-box" || len(cred) != 1 || !strings.HasPrefix(cred[0], "box-passphrase:") ||
				env["BOX_PASSPHRASE_FILE"] != "%d/box-passphrase" || env["BOX_ALLOWED_UIDS"] != "indicia" {
				t.Errorf("%s: the box must run as indicia-box with its passphrase as its own credential, serving indicia", name)
			}
			if u.get("Service", "RuntimeDirectoryMode") != "0710" || u.get("Service", "PrivateNetwork") != "yes" {
				t.Errorf("%s: the socket directory must be 0710 and the box without a network", name)
			}
			if ef := u["Service"]["EnvironmentFile"]; len(ef) != 0 {
				t.Errorf("%s: EnvironmentFile %v: the box's settings are in its unit", name, ef)
			}
		default:
			if u.get("Service", "User") != "indicia" || u.get("Service", "SupplementaryGroups") != "indicia-box" || len(cred) != 0 {
				t.Errorf("%s: must run as indicia (group indicia-box for the socket) with no credential", name)
			}
			if !slices.Contains(strings.Fields(u.get("Unit", "Wants")), "indicia-box.service") ||
				slices.Contains(strings.Fields(u.get("Unit", "Requires")), "indicia-box.service") {
				t.Errorf("%s: must want the box but not stop with it", name)
			}
		}
		sub := strings.TrimSuffix(strings.TrimPrefix(name, "indicia-"), ".service")
		if got := u.get("Service", "ExecStart"); got != "/usr/local/bin/indicia "+sub {
			t.Errorf("%s: ExecStart=%q", name, got)
		}
	}
}

// systemd-analyze verify parses the units as systemd would, with ExecStart
// pointed at a built binary (it insists the command exists).
func TestUnitsVerify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed; TestUnitsKeepTheirGuarantees still checks the keys")
	}
	bin := meteringtest.Binary(t)
	dir := t.TempDir()
	var paths []string
	for _, name := range units {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(string(b), "/usr/local/bin/indicia", bin)), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	out, err := exec.Command(analyze, append([]string{"verify"}, paths...)...).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}
