package rating

import (
	"crypto/ecdsa"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

// embedded holds the shipped, signed tables.
//
//go:embed tables
var embedded embed.FS

// zip3File is the name of the ZIP3 centroid table in a table directory.
const zip3File = "zip3.csv"

// Rater prices pieces from verified rate tables. It is immutable after
// loading and safe for concurrent use.
type Rater struct {
	lists []*priceList // ascending by effective date
	zips  *zipTable
	now   func() time.Time
}

// LoadEmbedded loads the tables compiled into the binary, verifying each
// with pub (nil means the embedded development key).
func LoadEmbedded(pub *ecdsa.PublicKey) (*Rater, error) {
	sub, err := fs.Sub(embedded, "tables")
	if err != nil {
		return nil, fmt.Errorf("rating: embedded tables: %w", err)
	}
	return load(sub, "embedded:tables", pub)
}

// LoadDir loads the tables in dir (every .json price list and zip3.csv, each
// with its .sig), verifying each with pub (nil means the development key).
func LoadDir(dir string, pub *ecdsa.PublicKey) (*Rater, error) {
	return load(os.DirFS(dir), dir, pub)
}

func load(fsys fs.FS, where string, pub *ecdsa.PublicKey) (*Rater, error) {
	if pub == nil {
		var err error
		if pub, err = DevPublicKey(); err != nil {
			return nil, err
		}
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("rating: read tables %s: %w", where, err)
	}
	r := &Rater{now: time.Now}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !isTableFile(name) {
			continue
		}
		data, err := readVerified(fsys, name, pub)
		if err != nil {
			return nil, fmt.Errorf("rating: refusing table %s: %w", path.Join(where, name), err)
		}
		if name == zip3File {
			if r.zips, err = parseZip3(name, data); err != nil {
				return nil, err
			}
			continue
		}
		if strings.HasSuffix(name, ".json") {
			pl, err := parsePriceList(name, data)
			if err != nil {
				return nil, err
			}
			r.lists = append(r.lists, pl)
		}
	}
	if r.zips == nil {
		return nil, fmt.Errorf("rating: tables %s: no %s", where, zip3File)
	}
	if len(r.lists) == 0 {
		return nil, fmt.Errorf("rating: tables %s: no price lists", where)
	}
	sort.Slice(r.lists, func(a, b int) bool { return r.lists[a].effective.Before(r.lists[b].effective) })
	for i := 1; i < len(r.lists); i++ {
		if r.lists[i].effective.Equal(r.lists[i-1].effective) {
			return nil, fmt.Errorf("rating: tables %s: %s and %s take effect the same day", where, r.lists[i-1].version, r.lists[i].version)
		}
	}
	return r, nil
}

func readVerified(fsys fs.FS, name string, pub *ecdsa.PublicKey) ([]byte, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	sig, err := fs.ReadFile(fsys, name+SigSuffix)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no signature file %s%s", name, SigSuffix)
	}
	if err != nil {
		return nil, err
	}
	if err := VerifyBytes(data, sig, pub); err != nil {
		return nil, err
	}
	return data, nil
}

// WithClock returns a copy of r that reads "today" from now; it is used when
// a piece has no mailing date.
func (r *Rater) WithClock(now func() time.Time) *Rater {
	c := *r
	c.now = now
	return &c
}

// Versions lists the loaded price lists as "version (effective YYYY-MM-DD)".
func (r *Rater) Versions() []string {
	out := make([]string, len(r.lists))
	for i, l := range r.lists {
		out[i] = fmt.Sprintf("%s (effective %s)", l.version, l.effective.Format("2006-01-02"))
	}
	return out
}

// listFor picks the price list in effect on the calendar date of t (in t's
// own location): the latest whose effective date is not after it.
func (r *Rater) listFor(t time.Time) (*priceList, *FieldError) {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	for i := len(r.lists) - 1; i >= 0; i-- {
		if !r.lists[i].effective.After(day) {
			return r.lists[i], nil
		}
	}
	return nil, fieldErr("date", "no price list is in effect on %s (the earliest takes effect %s)",
		day.Format("2006-01-02"), r.lists[0].effective.Format("2006-01-02"))
}
