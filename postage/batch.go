package postage

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"indicia/hygiene/address"
	"indicia/metering/rating"
)

// MaxBatchRows is the most recipients one batch file may hold: one purchase
// of at most this many pieces.
const MaxBatchRows = 1000

// BatchSpec names the columns of a batch file: the recipient (one address
// column, or its parts), and per row the piece.
var BatchSpec = address.ImportSpec{
	Columns: []string{"name", "company", "address", "line1", "line2", "city", "state", "zip", "weight_oz", "class", "services",
		"cost_code", "reference", "mailing_date", "preset", "length", "width", "height"},
	// A row's weight comes from its weight_oz, or from the saved package
	// preset its preset column names.
	Required: [][]string{{"address", "weight_oz"}, {"line1", "city", "state", "zip", "weight_oz"}, {"address", "preset"}, {"line1", "city", "state", "zip", "preset"}},
	Aliases: map[string]string{"weight": "weight_oz", "ounces": "weight_oz", "mail_class": "class", "zip code": "zip", "address1": "line1",
		"address2": "line2", "cost code": "cost_code", "department": "cost_code", "ref": "reference", "date": "mailing_date"},
}

// BatchTemplate is the downloadable template of a batch file.
const BatchTemplate = "name,company,address,weight_oz,class,services,cost_code,reference,mailing_date\r\n" +
	"Ann Lee,,\"9 Elm Street, Beverly Hills CA 90210\",1,FCM_LETTER,,,Invoice 1001,\r\n" +
	"Bob Ray,Ray Tools,\"350 Fifth Avenue, New York NY 10118\",12,GROUND_ADVANTAGE,CERTIFIED,,Order 77,\r\n"

// BatchRow is one row of a batch: its line in the file (or its place in a
// selection) and the piece it asks for.
type BatchRow struct {
	Line  int        `json:"line"`
	Label string     `json:"label,omitempty"` // how to name the row to a person when it has no line ("Ann Lee")
	Piece BatchPiece `json:"piece"`
}

// BatchPiece is a row's piece as text, exactly as the file or the form gave
// it, so a reviewed batch can be carried to the buy step and read again.
type BatchPiece struct {
	Name        string `json:"name,omitempty"`
	Company     string `json:"company,omitempty"`
	Address     string `json:"address"`
	WeightOz    string `json:"weight_oz"`
	Class       string `json:"class,omitempty"`
	Services    string `json:"services,omitempty"`
	CostCode    string `json:"cost_code,omitempty"`
	Reference   string `json:"reference,omitempty"`
	MailingDate string `json:"mailing_date,omitempty"`
	// Preset names a saved package preset; its class, weight, sizes and
	// services fill the row's empty ones (see Preset.Fill).
	Preset string `json:"preset,omitempty"`
	Length string `json:"length,omitempty"`
	Width  string `json:"width,omitempty"`
	Height string `json:"height,omitempty"`
}

// BadRow is a row refused with its reason.
type BadRow struct {
	Line  int
	Label string
	Name  string // the recipient's name, when the row could be read
	// Piece is the row as read, when it could be: the mailer can fix it
	// on the page and check it again.
	Piece  *BatchPiece
	Field  string // the column at fault, when one is
	Reason string
}

// Where names the row to a person: "Line 7" or the selected recipient.
func (b BadRow) Where() string {
	if b.Line > 0 {
		return "Line " + strconv.Itoa(b.Line)
	}
	return b.Label
}

// ReadBatch reads every row of an opened batch file. Malformed rows are
// returned as bad rows with their line; a file with more than MaxBatchRows
// rows, or one the importer refuses whole, is an error.
func ReadBatch(im *address.Importer) ([]BatchRow, []BadRow, error) {
	var rows []BatchRow
	var bad []BadRow
	col := map[string]int{}
	for i, c := range BatchSpec.Columns {
		col[c] = i
	}
	for {
		r, err := im.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		if len(rows)+len(bad) >= MaxBatchRows {
			return nil, nil, &address.ImportError{Err: address.ErrImportTooMany,
				Message: fmt.Sprintf("Line %d: a batch holds at most %d recipients; split the file.", r.Line, MaxBatchRows)}
		}
		if r.Err != "" {
			bad = append(bad, BadRow{Line: r.Line, Reason: "This row cannot be read: " + r.Err + "."})
			continue
		}
		v := func(c string) string { return r.Values[col[c]] }
		addr := v("address")
		if addr == "" {
			parts := []string{v("line1"), v("line2"), strings.TrimSpace(v("city") + " " + v("state") + " " + v("zip"))}
			var kept []string
			for _, p := range parts {
				if strings.TrimSpace(p) != "" {
					kept = append(kept, p)
				}
			}
			addr = strings.Join(kept, ", ")
		}
		row := BatchRow{Line: r.Line, Piece: BatchPiece{Name: v("name"), Company: v("company"), Address: addr, WeightOz: v("weight_oz"),
			Class: v("class"), Services: v("services"), CostCode: v("cost_code"), Reference: v("reference"), MailingDate: v("mailing_date"),
			Preset: v("preset"), Length: v("length"), Width: v("width"), Height: v("height")}}
		// A row naming a preset is checked once the preset has filled it (FillPresets).
		if _, err := row.Piece.Order(); err != nil && row.Piece.Preset == "" {
			pc := row.Piece
			bad = append(bad, BadRow{Line: r.Line, Name: nonEmpty(v("name"), v("company")), Field: err.Field, Reason: err.Reason, Piece: &pc})
			continue
		}
		rows = append(rows, row)
	}
	if len(rows)+len(bad) == 0 {
		return nil, nil, &address.ImportError{Err: address.ErrImportNoHeader, Message: "The file has a header row but no recipients."}
	}
	return rows, bad, nil
}

// RowError is what is wrong with a row's own text, before any pricing.
type RowError struct {
	Field, Reason string
}

// Order reads the row as a rated piece; an error names the column.
func (b BatchPiece) Order() (Piece, *RowError) {
	if strings.TrimSpace(b.Address) == "" {
		return Piece{}, &RowError{"address", "The address is empty."}
	}
	w, err := strconv.ParseFloat(strings.TrimSpace(b.WeightOz), 64)
	if err != nil || !(w > 0) || w > 1120 {
		return Piece{}, &RowError{"weight_oz", fmt.Sprintf("The weight %q is not a number of ounces above 0 (such as 3.5).", b.WeightOz)}
	}
	class := strings.ToUpper(strings.TrimSpace(b.Class))
	if class == "" {
		class = rating.ClassFirstClassLetter
	}
	if rating.ClassName(class) == "" || class == rating.ClassIntlLetter || class == rating.ClassIntlLargeEnvelope {
		return Piece{}, &RowError{"class", fmt.Sprintf("Unknown mail class %q; use one of FCM_LETTER, FCM_FLAT, GROUND_ADVANTAGE, PRIORITY, PRIORITY_EXPRESS.", b.Class)}
	}
	var services []string
	for _, s := range strings.FieldsFunc(b.Services, func(r rune) bool { return r == ';' || r == '|' || r == ',' || r == ' ' }) {
		s = strings.ToUpper(strings.TrimSpace(s))
		if !KnownService(s) {
			return Piece{}, &RowError{"services", fmt.Sprintf("Unknown extra service %q.", s)}
		}
		services = append(services, s)
	}
	var size [3]float64
	for i, c := range []struct{ name, v string }{{"length", b.Length}, {"width", b.Width}, {"height", b.Height}} {
		if strings.TrimSpace(c.v) == "" {
			continue
		}
		if size[i], err = strconv.ParseFloat(strings.TrimSpace(c.v), 64); err != nil || size[i] < 0 || size[i] > 130 {
			return Piece{}, &RowError{c.name, fmt.Sprintf("The %s %q is not a size in inches (such as 12).", c.name, c.v)}
		}
	}
	var date time.Time
	if d := strings.TrimSpace(b.MailingDate); d != "" {
		if date, err = time.Parse(time.DateOnly, d); err != nil {
			return Piece{}, &RowError{"mailing_date", fmt.Sprintf("Write the date of mailing %q as YYYY-MM-DD.", d)}
		}
	}
	return Piece{Recipient: Recipient{Name: b.Name, Company: b.Company, Address: b.Address}, Rated: true,
		Spec:     rating.Piece{Class: class, WeightOz: w, LengthIn: size[0], WidthIn: size[1], HeightIn: size[2], Services: services, Date: date},
		CostCode: b.CostCode, Reference: b.Reference}, nil
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
