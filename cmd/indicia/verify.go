package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"indicia/hygiene/address"
	"indicia/labels"
	"indicia/metering"
	"indicia/metering/indicium"
	"indicia/views"
)

// errInvalid makes `indicia verify` exit 1 after it printed INVALID or REVOKED.
var errInvalid = errors.New("the indicium is INVALID")

// runVerify checks one indicium offline: no database, no box, only the
// published certificate bundle (/.well-known/indicia/certs) and the signed
// revocation list beside it (/.well-known/indicia/revocations). Void status
// is server state and is not known here.
func runVerify(args []string) error {
	return verifyCommand(args, os.Stdin, os.Stdout, os.Getenv, time.Now)
}

func verifyCommand(args []string, stdin io.Reader, out io.Writer, getenv func(string) string, now func() time.Time) error {
	fs := flags("verify", "Verify an indicium offline from the published certificates: indicia verify [options] FILE|TEXT|-\n"+
		"FILE is a PNG or JPEG label image or a text file with the barcode text; - reads the text from stdin.\n"+
		"The vendor root is pinned: give its SHA-256 fingerprint (--root-fingerprint or "+rootFingerprintEnv+"),\n"+
		"shown on the server's /verify page and printed by `indicia keys fingerprint`.\n"+
		"Exit code 0: VALID (a warning line may follow); 1: INVALID, REVOKED or an error.")
	certsPath := fs.String("certs", "./var/certs.pem", "PEM bundle: the vendor root and the meter certificates")
	certsURL := fs.String("certs-url", "", "fetch the bundle and the revocation list from this server (base URL or full URL; https, or http to localhost) once, save them beside --certs, then verify")
	rootFP := fs.String("root-fingerprint", "", "SHA-256 fingerprint of the vendor root certificate (default $"+rootFingerprintEnv+")")
	revPath := fs.String("revocations", "", "the signed revocation list, cached by --certs-url and used until its next update (24 h after signing) (default revocations.pem beside --certs)")
	addr := fs.String("address", "", "recipient address read from the piece; checked against the indicium's address hash")
	if done, err := parse(fs, args); done {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("give exactly one FILE, TEXT or -")
	}
	pin, err := rootPin(*rootFP, getenv)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if *certsURL != "" {
		if err := checkCertsURL(*certsURL); err != nil {
			return err
		}
		if err := fetchCerts(ctx, *certsURL, *certsPath); err != nil {
			return err
		}
		if err := fetchRevocations(ctx, *certsURL, *certsPath, revocationsPath(*revPath, *certsPath)); err != nil {
			return err
		}
	}
	pemData, err := os.ReadFile(*certsPath)
	if err != nil {
		return fmt.Errorf("read certificates (use --certs FILE or --certs-url URL): %w", err)
	}
	certs, err := indicium.ParseCertificatesPEM(pemData)
	if err != nil {
		return fmt.Errorf("certificates %s: %w", *certsPath, err)
	}
	if err := checkBundleRoot(certs, pin, *certsPath); err != nil {
		return err
	}
	text, err := readIndiciumArg(fs.Arg(0), stdin)
	if err != nil {
		return err
	}
	in, verr := metering.CheckOffline(text, certs, pin)
	if verr == nil {
		// Only the chain the indicium verified with is trusted: a list signed
		// by another root the bundle happens to hold proves nothing.
		root, meter, cerr := indicium.PinnedChain(in, certs, pin)
		if cerr != nil {
			return fmt.Errorf("verify: %w", cerr)
		}
		if verr, err = checkRevocations(in, []*x509.Certificate{meter, root}, revocationsPath(*revPath, *certsPath), time.Now()); err != nil {
			return err
		}
	}
	if verr == nil && *addr != "" {
		c, err := address.New()
		if err != nil {
			return err
		}
		res := c.Cleanse(*addr)
		switch {
		case res.Standardized.OneLine == "":
			verr = fmt.Errorf("the address could not be standardized: %s", strings.Join(res.Reasons, "; "))
		case indicium.RecipientHash(res.Standardized.OneLine) != in.RecipientHash:
			verr = fmt.Errorf("the recipient address %q is not the one this postage was bought for", res.Standardized.OneLine)
		}
	}
	fmt.Fprintln(out, verdictWord(verr))
	if verr != nil {
		fmt.Fprintf(out, "reason            %v\n", verr)
	}
	if in.MeterSerial != "" {
		if w := metering.MailingDateWarning(in.MailingDate, now()); w != "" {
			fmt.Fprintf(out, "warning           %s\n", w)
		}
	}
	if in.MeterSerial != "" {
		printDecoded(out, metering.Decode(in))
		if *addr != "" && verr == nil {
			fmt.Fprintln(out, "recipient         matches")
		}
	}
	if verr != nil {
		return errInvalid
	}
	return nil
}

func printDecoded(w io.Writer, d metering.Decoded) {
	rows := [][2]string{{"version", fmt.Sprint(d.Version)}, {"meter serial", d.Serial}}
	if d.KeyID != "" {
		rows = append(rows, [2]string{"key id", d.KeyID})
	}
	if d.CertSerial != "" {
		rows = append(rows, [2]string{"certificate", d.CertSerial})
	}
	rows = append(rows, [][2]string{
		{"date of mailing", d.MailingDate.Format("2006-01-02")},
		{"postage", views.Money(d.Postage)}, {"ascending register", views.Money(d.AR)},
	}...)
	if d.DR != nil {
		rows = append(rows, [2]string{"descending reg.", views.Money(*d.DR)})
	}
	rows = append(rows, [][2]string{{"piece number", fmt.Sprint(d.PieceNumber)},
		{"origin ZIP", d.OriginZIP}, {"destination ZIP", d.DestZIP}, {"dest. country", d.DestCountry}, {"mail class", d.MailClass},
		{"services", fmt.Sprintf("%#x", d.Services)}, {"recipient hash", d.RecipientHash},
	}...)
	if d.Software != "" {
		rows = append(rows, [2]string{"software", d.Software})
	}
	for _, r := range rows {
		fmt.Fprintf(w, "%-18s%s\n", r[0], r[1])
	}
}

// readIndiciumArg turns the argument into barcode text: "-" is stdin, an
// existing file is an image (decoded) or text, anything else is the text.
func readIndiciumArg(arg string, stdin io.Reader) (string, error) {
	var data []byte
	var err error
	switch {
	case arg == "-":
		data, err = io.ReadAll(io.LimitReader(stdin, 1<<20))
	default:
		if st, serr := os.Stat(arg); serr == nil && !st.IsDir() {
			data, err = os.ReadFile(arg)
		} else {
			return strings.TrimSpace(arg), nil
		}
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", arg, err)
	}
	if isImage(data) {
		text, err := labels.DecodeImage(bytes.NewReader(data))
		if err != nil {
			return "", fmt.Errorf("%s: %w", arg, err)
		}
		return text, nil
	}
	if bytes.HasPrefix(data, []byte("%PDF")) {
		return "", fmt.Errorf("%s is a PDF: rasterise it first (pdftoppm -png -r 300) or pass the PNG label", arg)
	}
	return strings.TrimSpace(string(data)), nil
}

func isImage(b []byte) bool {
	return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) || bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF})
}

// fetchCerts downloads the published bundle and saves it for later offline use.
func fetchCerts(ctx context.Context, url, path string) error {
	if !strings.Contains(url, "/.well-known/") {
		url = strings.TrimRight(url, "/") + "/.well-known/indicia/certs"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("certificates URL: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("fetch certificates: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetch certificates from %s: status %s", url, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("fetch certificates: %w", err)
	}
	if _, err := indicium.ParseCertificatesPEM(data); err != nil {
		return fmt.Errorf("%s did not return certificates: %w", url, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("save certificates: %w", err)
	}
	return os.Rename(tmp, path)
}
