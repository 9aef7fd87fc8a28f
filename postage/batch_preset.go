package postage

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"indicia/accounts"
	"indicia/apperr"
)

// BatchPreset is what a saved package preset gives a batch row.
type BatchPreset struct {
	MailClass             string
	WeightOz              float64
	Length, Width, Height float64
	Services              []string
}

// PresetFinder finds an account's package preset by name (a not-found
// error when it has none of that name).
type PresetFinder func(ctx context.Context, actor accounts.User, name string) (BatchPreset, error)

// FillPresets fills every row that names a preset from it: the class,
// weight, sizes and services the row leaves empty. A row naming a preset the
// account does not have, or still incomplete once filled, becomes a bad row
// with its line; the other rows come back in order.
func FillPresets(ctx context.Context, u accounts.User, find PresetFinder, rows []BatchRow) ([]BatchRow, []BadRow, error) {
	found := map[string]BatchPreset{}
	out := make([]BatchRow, 0, len(rows))
	var bad []BadRow
	for _, r := range rows {
		name := strings.TrimSpace(r.Piece.Preset)
		if name == "" {
			out = append(out, r)
			continue
		}
		key := strings.ToLower(name)
		p, ok := found[key]
		if !ok {
			var err error
			p, err = find(ctx, u, name)
			if apperr.KindOf(err) == apperr.KindNotFound {
				pc := r.Piece
				bad = append(bad, BadRow{Line: r.Line, Label: r.Label, Name: nonEmpty(r.Piece.Name, r.Piece.Company), Field: "preset", Piece: &pc,
					Reason: fmt.Sprintf("There is no package preset named %q; save it on the presets page or fix the name.", name)})
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			found[key] = p
		}
		r.Piece.fill(p)
		if _, rerr := r.Piece.Order(); rerr != nil {
			pc := r.Piece
			bad = append(bad, BadRow{Line: r.Line, Label: r.Label, Name: nonEmpty(r.Piece.Name, r.Piece.Company), Field: rerr.Field, Reason: rerr.Reason, Piece: &pc})
			continue
		}
		out = append(out, r)
	}
	return out, bad, nil
}

// fill takes what the row leaves empty from the preset.
func (b *BatchPiece) fill(p BatchPreset) {
	num := func(v float64) string {
		if v == 0 {
			return ""
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	set := func(dst *string, v string) {
		if strings.TrimSpace(*dst) == "" {
			*dst = v
		}
	}
	set(&b.Class, p.MailClass)
	set(&b.WeightOz, num(p.WeightOz))
	set(&b.Length, num(p.Length))
	set(&b.Width, num(p.Width))
	set(&b.Height, num(p.Height))
	set(&b.Services, strings.Join(p.Services, ";"))
}
