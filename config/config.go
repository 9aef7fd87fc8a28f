package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"indicia/metering/tracking"
)

// Config holds the settings of the serve, worker, migrate and seed processes.
type Config struct {
	HTTPAddr    string
	BaseURL     string
	DatabaseURL string
	RedisURL    string
	RedisPrefix string
	// DatabaseReplicaURL, when set, serves the read-heavy pages (reports,
	// postal views, the label history) from a standby.
	DatabaseReplicaURL string
	// RedisSentinels (host:port list) selects Sentinel mode: the master is
	// found by name and followed through a failover.
	RedisSentinels  []string
	RedisMasterName string
	BoxSocket       string
	// BoxTLSCert, BoxTLSKey and BoxTLSRoot are the client certificate, its
	// key and the vendor root for boxes reached over TLS.
	BoxTLSCert, BoxTLSKey, BoxTLSRoot string
	SessionIdle                       time.Duration
	SessionAbsolute                   time.Duration
	LoginMaxFails                     int
	// SignUpsPerHour is how many accounts one network address may open an hour.
	SignUpsPerHour int
	LoginLockout   time.Duration
	LogLevel       string
	LogFormat      string
	TrustProxy     bool
	PprofAddr      string
	// MetricsToken, when set, is the bearer token /metrics requires;
	// unset, /metrics answers loopback clients only.
	MetricsToken string
	Committers   int
	Pipeline     bool
	// Change-of-address service and email.
	COAWindowMonths int
	SMTPURL         string
	MailFrom        string
	VarDir          string
	// AddressReference is the delivery-point reference file ("" none).
	AddressReference string
	VoidWindow       time.Duration
	RefundAfter      time.Duration
	// FraudFarZone is the largest USPS zone between a label's origin and
	// its first scan that raises no far-from-origin fraud signal.
	FraudFarZone    int
	UploadRetention time.Duration
	RateTablePubKey string
	// JobMaxCrashes is how many attempts of a job may die unfinished before it is dead.
	JobMaxCrashes int
	// Card funding: without a secret key the stand-in is used.
	StripeSecretKey      string
	StripePublishableKey string
	StripeWebhookSecret  string
	StripeAPIURL         string
	StripeStubAddr       string
	// MailerID builds IMpb tracking numbers; empty: none are printed.
	MailerID tracking.MailerID
}

// Getenv is the environment lookup; tests pass a map-backed one.
type Getenv func(string) string

// Setting documents one variable; README's configuration table is checked against this list.
type Setting struct {
	Name, Default, Help string
	Secret              bool
}

// Settings lists every variable Load reads.
var Settings = []Setting{
	{"HTTP_ADDR", ":8080", "address the web server listens on", false},
	{"BASE_URL", "http://localhost:8080", "public URL; an https:// URL turns on Secure cookies and HSTS", false},
	{"DATABASE_URL", "postgres://postgres@127.0.0.1:5432/indicia?sslmode=disable", "PostgreSQL connection URL", true},
	{"REDIS_URL", "redis://127.0.0.1:6379/0", "Redis URL (sessions, throttling, job queue)", true},
	{"REDIS_PREFIX", "indicia:", "prefix of every Redis key this instance writes", false},
	{"DATABASE_REPLICA_URL", "", "PostgreSQL standby for the read-heavy pages (reports, postal views, label history); empty reads from DATABASE_URL. DATABASE_URL itself may name several hosts with target_session_attrs=read-write", true},
	{"REDIS_SENTINELS", "", "comma-separated host:port list of Redis Sentinels; when set, REDIS_MASTER_NAME is asked for the master (REDIS_URL then gives only the database number and password)", false},
	{"REDIS_MASTER_NAME", "indicia", "the master's name the Sentinels monitor (with REDIS_SENTINELS)", false},
	{"BOX_SOCKET", "./var/box/box.sock", "unix socket of the secure box process; for a box cluster, every member's socket separated by commas (requests go to the leader, and follow it when it changes)", false},
	{"BOX_TLS_CERT", "", "a box client certificate (`indicia keys issue-client`), for boxes on other hosts listed as tls://host:port in BOX_SOCKET", false},
	{"BOX_TLS_KEY", "", "the key of BOX_TLS_CERT (PEM), mode 0600", true},
	{"BOX_TLS_ROOT", "", "the vendor root certificate (`indicia keys export-public`) a box reached over TLS must chain to", false},
	{"SESSION_IDLE", "30m", "a session ends after this long without a request", false},
	{"SESSION_ABSOLUTE", "12h", "a session ends this long after login whatever happens", false},
	{"SIGNUP_LIMIT_PER_HOUR", "5", "accounts one network address may open by public sign-up in an hour (new and taken addresses count alike)", false},
	{"LOGIN_MAX_FAILS", "5", "failed logins for one email from one network address before that address is locked out of it (the owner elsewhere is not); past 4x this from all addresses within LOGIN_LOCKOUT, addresses the account never logged in from get one attempt a minute", false},
	{"LOGIN_LOCKOUT", "15m", "how long a locked address stays locked (a password reset ends it at once)", false},
	{"LOG_LEVEL", "info", "debug, info, warn or error", false},
	{"LOG_FORMAT", "json", "json or text", false},
	{"TRUST_PROXY", "false", "take the client IP from X-Forwarded-For (only behind a proxy you run)", false},
	{"METERING_COMMITTERS", "2", "purchase transactions of many meters that may run at once (1 to 16): more suits a disk with slow commits, fewer a busy CPU", false},
	{"METERING_PIPELINE", "true", "pipeline the purchases of one busy meter: the box signs the next group while the previous one commits", false},
	{"METRICS_TOKEN", "", "bearer token GET /metrics requires (Authorization: Bearer ...); empty: /metrics answers only clients connected from loopback without a proxy in between", true},
	{"PPROF_ADDR", "", "when set (e.g. 127.0.0.1:6060), serve (and box, when set in its environment) exposes Go's pprof profiles on this separate address, for load tests", false},
	{"COA_WINDOW_MONTHS", "18", "change-of-address moves older than this many months are not matched (1 to 48)", false},
	{"SMTP_URL", "smtp://127.0.0.1:1025", "SMTP server for notification emails: smtp://[user:pass@]host:port (STARTTLS when offered) or smtps://", true},
	{"MAIL_FROM", "Indicia <no-reply@localhost>", "sender of notification emails", false},
	{"INDICIA_VAR", "./var", "directory for uploaded files waiting for a job (uploads/ under it); serve and worker must share it", false},
	{"ADDRESS_REFERENCE", "", "CSV file of delivery points and ZIP+4 ranges (docs/ADDRESS_REFERENCE.md) that serve and worker load at start-up to confirm delivery points; empty: addresses are checked to the ZIP and city, delivery points are not checked", false},
	{"VOID_WINDOW", "720h", "how long after purchase a mailer may void an unused label (720h = 30 days)", false},
	{"UPLOAD_RETENTION", "720h", "uploaded personal data (change-of-address list files, batch cleansing rows and results) is deleted this long after upload or cleansing (720h = 30 days); the worker checks hourly", false},
	{"REFUND_AFTER", "1080h", "unused, never-scanned labels this long past their date of mailing are submitted for refund daily (1080h = 45 days)", false},
	{"STRIPE_SECRET_KEY", "", "Stripe secret key (sk_live_... or sk_test_...); empty runs the built-in Stripe stand-in and shows the TEST MODE banner", true},
	{"STRIPE_PUBLISHABLE_KEY", "", "Stripe publishable key; set, the billing page collects cards with Stripe's Payment Element", false},
	{"STRIPE_WEBHOOK_SECRET", "", "signing secret of the POST /stripe/webhook endpoint (whsec_...); required with a live key; without a key the stand-in's random secret in INDICIA_VAR/stripe-stub is used", true},
	{"STRIPE_API_URL", "", "Stripe API base URL; empty is https://api.stripe.com with a key, else the stand-in on STRIPE_STUB_ADDR", false},
	{"STRIPE_STUB_ADDR", "127.0.0.1:12113", "loopback address of the Stripe stand-in (no STRIPE_SECRET_KEY): serve starts it there unless `indicia stripe-stub` already listens; the worker calls it there; its state is kept in INDICIA_VAR/stripe-stub", false},
	{"FRAUD_FAR_ZONE", "2", "a label first scanned more than this USPS zone (1 to 8) from its origin ZIP raises a far-from-origin fraud signal for postal review (2: up to 150 miles is the origin's neighbourhood)", false},
	{"JOB_MAX_CRASHES", "3", "a job whose attempts end this many times without an outcome (the worker died, the handler panicked) goes to the dead letters (/admin/jobs)", false},
	{"TRACKING_MAILER_ID", "", "USPS Mailer ID (9 digits, or 6) that builds the Intelligent Mail package barcode's tracking numbers on packages and Certified Mail; empty prints none", false},
	{"RATE_TABLE_PUBKEY", "", "PEM ECDSA P-256 public key the rate tables must be signed with; empty uses the embedded development key (logged as a warning)", false},
}

// BoxSettings lists the variables only `indicia box` reads
// (metering/box.ConfigFromEnv). No other process is given them: `make run`
// and the systemd units pass them to the box alone, and serve and worker drop
// any they find. README's secure-box table is checked against this list.
var BoxSettings = []Setting{
	{"BOX_SOCKET", "./var/box/box.sock", "the unix socket (mode 0600 in a 0700 directory, or 0660 for the directory's group when it is 0710/0750); every connection is authenticated by the kernel's peer credentials", false},
	{"BOX_KEYSTORE", "./var/keystore.bin", "the keystore file (AES-256-GCM under a key derived from the passphrase); mode 0600, owned by the box's user", false},
	{"BOX_PASSPHRASE", "", "the keystore passphrase (at least 12 characters); this or BOX_PASSPHRASE_FILE is required", true},
	{"BOX_PASSPHRASE_FILE", "", "a file holding the passphrase, mode 0600, owned by the box's user; `make run` generates var/box-passphrase", true},
	{"BOX_STATE_DIR", "./var/box", "the freshness store (bbolt, fsync on every step)", false},
	{"BOX_ALLOWED_UIDS", "", "comma-separated uids or user names the box serves (the peer's uid as the kernel reports it); empty: the box's own uid only. Every other uid is refused on every operation", false},
	{"KEYSTORE", "file", "where the box keeps its own keys: file (BOX_KEYSTORE, under the passphrase) or pkcs11 (a PKCS#11 token: PKCS11_MODULE, PKCS11_TOKEN_LABEL, PKCS11_PIN); create either with `indicia keys init`", false},
	{"PKCS11_MODULE", "", "KEYSTORE=pkcs11: the token's PKCS#11 library (SoftHSM2: /usr/lib/softhsm/libsofthsm2.so; in production the HSM vendor's module)", false},
	{"PKCS11_TOKEN_LABEL", "", "KEYSTORE=pkcs11: the label of the token that holds the box's keys", false},
	{"PKCS11_PIN", "", "KEYSTORE=pkcs11: the token's user PIN; this or PKCS11_PIN_FILE is required", true},
	{"PKCS11_PIN_FILE", "", "KEYSTORE=pkcs11: a file holding the user PIN, mode 0600, owned by the box's user; `scripts/services.sh softhsm` writes var/softhsm/pin", true},
	{"BOX_PEERS", "", "a box cluster's members as id=host:port,... (an odd number, usually 3; the same list on every member); empty: one box with its own freshness log", false},
	{"BOX_NODE_ID", "", "this box's id in BOX_PEERS (1-32 of a-z, 0-9 and -); required with BOX_PEERS", false},
	{"BOX_PEER_ADDR", "", "host:port this box listens on for its peers (mutual TLS, certificates issued by the vendor root); empty: its address in BOX_PEERS", false},
	{"BOX_RAFT_DIR", "", "the cluster's raft log, stable store and snapshots; empty: BOX_STATE_DIR/raft", false},
	{"BOX_CLIENT_ADDR", "", "host:port where the box also serves serve and worker on other hosts over mutual TLS (client certificates from `indicia keys issue-client`); empty: the socket only", false},
}

// Load reads the configuration. Unknown or malformed values are errors, not silent defaults.
func Load(getenv Getenv) (Config, error) {
	v := func(name string) (string, error) { return lookup(getenv, name) }
	var c Config
	var err error
	var errs []string
	str := func(name string, dst *string) {
		s, e := v(name)
		if e != nil {
			errs = append(errs, e.Error())
		}
		*dst = s
	}
	dur := func(name string, dst *time.Duration) {
		s, _ := v(name)
		d, e := time.ParseDuration(s)
		if e != nil || d <= 0 {
			errs = append(errs, fmt.Sprintf("%s: %q is not a positive duration like 30m", name, s))
		}
		*dst = d
	}
	str("HTTP_ADDR", &c.HTTPAddr)
	str("BASE_URL", &c.BaseURL)
	str("DATABASE_URL", &c.DatabaseURL)
	str("REDIS_URL", &c.RedisURL)
	str("REDIS_PREFIX", &c.RedisPrefix)
	str("DATABASE_REPLICA_URL", &c.DatabaseReplicaURL)
	str("REDIS_MASTER_NAME", &c.RedisMasterName)
	if s, _ := v("REDIS_SENTINELS"); s != "" {
		for _, a := range strings.Split(s, ",") {
			a = strings.TrimSpace(a)
			if _, port, ok := strings.Cut(a, ":"); !ok || port == "" {
				errs = append(errs, fmt.Sprintf("REDIS_SENTINELS: %q is not host:port", a))
				continue
			}
			c.RedisSentinels = append(c.RedisSentinels, a)
		}
	}
	str("BOX_SOCKET", &c.BoxSocket)
	str("BOX_TLS_CERT", &c.BoxTLSCert)
	str("BOX_TLS_KEY", &c.BoxTLSKey)
	str("BOX_TLS_ROOT", &c.BoxTLSRoot)
	dur("SESSION_IDLE", &c.SessionIdle)
	dur("SESSION_ABSOLUTE", &c.SessionAbsolute)
	dur("LOGIN_LOCKOUT", &c.LoginLockout)
	dur("VOID_WINDOW", &c.VoidWindow)
	dur("REFUND_AFTER", &c.RefundAfter)
	dur("UPLOAD_RETENTION", &c.UploadRetention)
	str("LOG_LEVEL", &c.LogLevel)
	str("LOG_FORMAT", &c.LogFormat)
	str("PPROF_ADDR", &c.PprofAddr)
	str("METRICS_TOKEN", &c.MetricsToken)
	str("RATE_TABLE_PUBKEY", &c.RateTablePubKey)
	if s, _ := v("TRACKING_MAILER_ID"); s != "" {
		if c.MailerID, err = tracking.ParseMailerID(s); err != nil {
			errs = append(errs, "TRACKING_MAILER_ID: "+err.Error())
		}
	}
	str("STRIPE_SECRET_KEY", &c.StripeSecretKey)
	str("STRIPE_PUBLISHABLE_KEY", &c.StripePublishableKey)
	str("STRIPE_WEBHOOK_SECRET", &c.StripeWebhookSecret)
	str("STRIPE_API_URL", &c.StripeAPIURL)
	str("STRIPE_STUB_ADDR", &c.StripeStubAddr)
	str("SMTP_URL", &c.SMTPURL)
	str("MAIL_FROM", &c.MailFrom)
	str("INDICIA_VAR", &c.VarDir)
	str("ADDRESS_REFERENCE", &c.AddressReference)
	months, _ := v("COA_WINDOW_MONTHS")
	if c.COAWindowMonths, err = strconv.Atoi(months); err != nil || c.COAWindowMonths < 1 || c.COAWindowMonths > 48 {
		errs = append(errs, fmt.Sprintf("COA_WINDOW_MONTHS: %q is not a number of months from 1 to 48", months))
	}
	s, _ := v("LOGIN_MAX_FAILS")
	if c.LoginMaxFails, err = strconv.Atoi(s); err != nil || c.LoginMaxFails < 1 {
		errs = append(errs, fmt.Sprintf("LOGIN_MAX_FAILS: %q is not a positive integer", s))
	}
	s, _ = v("SIGNUP_LIMIT_PER_HOUR")
	if c.SignUpsPerHour, err = strconv.Atoi(s); err != nil || c.SignUpsPerHour < 1 {
		errs = append(errs, fmt.Sprintf("SIGNUP_LIMIT_PER_HOUR: %q is not a positive integer", s))
	}
	s, _ = v("METERING_COMMITTERS")
	if c.Committers, err = strconv.Atoi(s); err != nil || c.Committers < 1 || c.Committers > 16 {
		errs = append(errs, fmt.Sprintf("METERING_COMMITTERS: %q is not a number from 1 to 16", s))
	}
	s, _ = v("METERING_PIPELINE")
	if c.Pipeline, err = strconv.ParseBool(s); err != nil {
		errs = append(errs, fmt.Sprintf("METERING_PIPELINE: %q is not true or false", s))
	}
	s, _ = v("JOB_MAX_CRASHES")
	if c.JobMaxCrashes, err = strconv.Atoi(s); err != nil || c.JobMaxCrashes < 1 || c.JobMaxCrashes > 100 {
		errs = append(errs, fmt.Sprintf("JOB_MAX_CRASHES: %q is not a number from 1 to 100", s))
	}
	s, _ = v("FRAUD_FAR_ZONE")
	if c.FraudFarZone, err = strconv.Atoi(s); err != nil || c.FraudFarZone < 1 || c.FraudFarZone > 8 {
		errs = append(errs, fmt.Sprintf("FRAUD_FAR_ZONE: %q is not a zone from 1 to 8", s))
	}
	s, _ = v("TRUST_PROXY")
	if c.TrustProxy, err = strconv.ParseBool(s); err != nil {
		errs = append(errs, fmt.Sprintf("TRUST_PROXY: %q is not true or false", s))
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("config: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// Secure reports whether the site is served over HTTPS.
func (c Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// lookup returns NAME, or the contents of the file NAME_FILE, or the default.
func lookup(getenv Getenv, name string) (string, error) {
	if s := getenv(name); s != "" {
		return s, nil
	}
	if f := getenv(name + "_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("%s_FILE: %w", name, err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	for _, s := range Settings {
		if s.Name == name {
			return s.Default, nil
		}
	}
	return "", nil
}

// Lookup exposes the NAME / NAME_FILE / default rule to other subcommands' settings.
func Lookup(getenv Getenv, name, def string) (string, error) {
	s, err := lookup(getenv, name)
	if err == nil && s == "" {
		s = def
	}
	return s, err
}
