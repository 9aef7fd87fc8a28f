package hygiene

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// RunCLI is `indicia addresses`: it reads one address per line from stdin
// (the lines of one address separated by commas, or by the two characters
// \n, e.g. "Acme Corp\n350 5th Ave\nNew York NY 10118") and writes one JSON
// object per line to stdout: input, components (label, text, standard),
// standardized address, status, reasons, zip, zip4 and dpv. Blank lines are
// skipped. No reference file is loaded.
func RunCLI(stdin io.Reader, stdout io.Writer) error {
	c, err := New()
	if err != nil {
		return err
	}
	return c.WriteJSONLines(stdin, stdout)
}

// WriteJSONLines cleanses every line of r and writes one JSON object per line
// to w; RunCLI with this Cleanser's reference file.
func (c *Cleanser) WriteJSONLines(r io.Reader, w io.Writer) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for sc.Scan() {
		line := sc.Text()
		if len(line) == 0 {
			continue
		}
		text := line
		if strings.Contains(line, `\n`) {
			text = strings.ReplaceAll(line, `\n`, "\n")
		}
		r := c.Cleanse(text)
		r.Input = line
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("hygiene: writing JSON: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("hygiene: reading addresses: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("hygiene: writing JSON: %w", err)
	}
	return nil
}
