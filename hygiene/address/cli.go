package address

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
// to w; RunCLI with this Cleanser's reference file. A line too long to be an
// address still gets its object (status invalid), and the run goes on.
func (c *Cleanser) WriteJSONLines(r io.Reader, w io.Writer) error {
	br := bufio.NewReaderSize(r, 64*1024)
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for {
		line, long, err := readLine(br)
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("address: reading addresses: %w", err)
		}
		if len(line) == 0 && !long {
			continue
		}
		text := line
		if strings.Contains(line, `\n`) {
			text = strings.ReplaceAll(line, `\n`, "\n")
		}
		var res Result
		if long {
			res = Result{Input: line + "…", Status: StatusInvalid, Reasons: []string{strings.TrimPrefix(ErrTooLong.Error(), "address: ")}, Components: []Component{}}
		} else {
			res = c.Cleanse(text)
			res.Input = line
		}
		if err := enc.Encode(res); err != nil {
			return fmt.Errorf("address: writing JSON: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("address: writing JSON: %w", err)
	}
	return nil
}

// readLine returns the next line without its line ending, cut to
// MaxInputLen bytes (long reports the cut); the rest of a long line is
// skipped.
func readLine(br *bufio.Reader) (line string, long bool, err error) {
	var buf []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if err != nil {
			if err == io.EOF && (len(buf) > 0 || long) {
				return string(buf), long, nil
			}
			return "", false, err
		}
		if room := MaxInputLen + 1 - len(buf); room > 0 {
			buf = append(buf, chunk[:min(room, len(chunk))]...)
		}
		if !isPrefix {
			break
		}
	}
	if len(buf) > MaxInputLen {
		return string(buf[:MaxInputLen]), true, nil
	}
	return string(buf), false, nil
}
