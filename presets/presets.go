package presets

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db"
	"indicia/metering/rating"
)

// Preset is one saved package: what the purchase form and a batch row take
// from it. Dimensions are inches, 0 when not given.
type Preset struct {
	ID        int64     `json:"id"`
	AccountID int64     `json:"-"`
	Name      string    `json:"name"`
	MailClass string    `json:"mail_class"`
	WeightOz  float64   `json:"weight_oz"`
	Length    float64   `json:"length"`
	Width     float64   `json:"width"`
	Height    float64   `json:"height"`
	Services  []string  `json:"services"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Input is a new preset, or a change: nil fields stay as they are.
type Input struct {
	Name      *string
	MailClass *string
	WeightOz  *float64
	Length    *float64
	Width     *float64
	Height    *float64
	Services  *[]string
}

// Service keeps the presets.
type Service struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// New builds the service.
func New(pool *pgxpool.Pool) *Service { return &Service{pool: pool, now: time.Now} }

const columns = `id, account_id, name, mail_class, weight_oz::float8, length_in::float8, width_in::float8, height_in::float8, services, created_at, updated_at`

func scan(r pgx.Row) (Preset, error) {
	var p Preset
	err := r.Scan(&p.ID, &p.AccountID, &p.Name, &p.MailClass, &p.WeightOz, &p.Length, &p.Width, &p.Height, &p.Services, &p.CreatedAt, &p.UpdatedAt)
	if p.Services == nil {
		p.Services = []string{}
	}
	return p, err
}

// canRead lets every user of a mailer account read its presets.
func canRead(actor accounts.User) error {
	if !actor.Role.IsMailer() || actor.AccountID == 0 {
		return apperr.Forbidden("Package presets belong to a mailer account.")
	}
	return nil
}

// canManage lets whoever buys postage for the account keep its presets.
func canManage(actor accounts.User) error {
	if err := canRead(actor); err != nil {
		return err
	}
	if !actor.Can(accounts.PermBuyPostage) {
		return apperr.Forbidden("Saving package presets needs the \"Buy postage\" permission.")
	}
	return nil
}

// List lists the account's presets by name.
func (s *Service) List(ctx context.Context, actor accounts.User) ([]Preset, error) {
	if err := canRead(actor); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT `+columns+` FROM package_presets WHERE account_id = $1 ORDER BY lower(name), id`, actor.AccountID)
	if err != nil {
		return nil, fmt.Errorf("presets: list: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Preset, error) { return scan(r) })
	if err != nil {
		return nil, fmt.Errorf("presets: scan: %w", err)
	}
	return out, nil
}

// Get loads one preset of the actor's account; another account's is not found.
func (s *Service) Get(ctx context.Context, actor accounts.User, id int64) (Preset, error) {
	if err := canRead(actor); err != nil {
		return Preset{}, err
	}
	return s.one(ctx, `SELECT `+columns+` FROM package_presets WHERE id = $1 AND account_id = $2`, id, actor.AccountID)
}

// ByName finds a preset of the actor's account by its name, in any case
// (a batch file's preset column).
func (s *Service) ByName(ctx context.Context, actor accounts.User, name string) (Preset, error) {
	if err := canRead(actor); err != nil {
		return Preset{}, err
	}
	return s.one(ctx, `SELECT `+columns+` FROM package_presets WHERE account_id = $1 AND lower(name) = lower($2)`, actor.AccountID, strings.TrimSpace(name))
}

func (s *Service) one(ctx context.Context, sql string, args ...any) (Preset, error) {
	p, err := scan(s.pool.QueryRow(ctx, sql, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return Preset{}, apperr.NotFound("No such package preset.")
	}
	if err != nil {
		return Preset{}, fmt.Errorf("presets: load: %w", err)
	}
	return p, nil
}

// check validates a preset as it will be stored; problems are field errors.
func check(p *Preset) error {
	p.Name, p.MailClass = strings.TrimSpace(p.Name), strings.ToUpper(strings.TrimSpace(p.MailClass))
	f := apperr.Fields{}
	switch {
	case p.Name == "":
		f["name"] = "Enter a name for the preset (such as Small box)."
	case len([]rune(p.Name)) > 60:
		f["name"] = "Use at most 60 characters."
	default:
		if err := apperr.CheckText("name", p.Name); err != nil {
			f["name"] = err.(*apperr.Error).Message
		}
	}
	if p.MailClass == "" {
		f["mail_class"] = "Choose a mail class."
	} else if rating.ClassName(p.MailClass) == "" {
		f["mail_class"] = fmt.Sprintf("Unknown mail class %q; use one of %s.", p.MailClass, strings.Join(rating.Classes(), ", "))
	}
	if !(p.WeightOz > 0) || p.WeightOz > 1120 || math.IsInf(p.WeightOz, 0) {
		f["weight_oz"] = "The weight must be more than 0 oz and at most 1120 oz (70 lb)."
	}
	for k, v := range map[string]float64{"length": p.Length, "width": p.Width, "height": p.Height} {
		if v < 0 || v > 130 || math.IsNaN(v) {
			f[k] = "Give the size in inches, from 0 (not given) to 130."
		}
	}
	seen := []string{}
	for _, c := range p.Services {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c == "" || slices.Contains(seen, c) {
			continue
		}
		if rating.ServiceName(c) == "" {
			f["services"] = fmt.Sprintf("Unknown extra service %q; the services are %s.", c, strings.Join(rating.Services(), ", "))
			break
		}
		seen = append(seen, c)
	}
	p.Services = seen
	return f.Err()
}

// unique turns a clash with another preset of the account into a field error.
func unique(err error) error {
	if db.IsUniqueViolation(err, "package_presets_account_name_key") {
		return apperr.Fields{"name": "Another preset of this account has this name."}.Err()
	}
	return nil
}

// Create saves a preset.
func (s *Service) Create(ctx context.Context, actor accounts.User, in Input) (Preset, error) {
	if err := canManage(actor); err != nil {
		return Preset{}, err
	}
	var p Preset
	apply(&p, in)
	if err := check(&p); err != nil {
		return Preset{}, err
	}
	now := s.now()
	p, err := scan(s.pool.QueryRow(ctx, `INSERT INTO package_presets (account_id, name, mail_class, weight_oz, length_in, width_in, height_in, services, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING `+columns,
		actor.AccountID, p.Name, p.MailClass, p.WeightOz, p.Length, p.Width, p.Height, p.Services, now))
	if e := unique(err); e != nil {
		return Preset{}, e
	}
	if err != nil {
		return Preset{}, fmt.Errorf("presets: create: %w", err)
	}
	return p, nil
}

// Update changes a preset of the actor's account.
func (s *Service) Update(ctx context.Context, actor accounts.User, id int64, in Input) (Preset, error) {
	if err := canManage(actor); err != nil {
		return Preset{}, err
	}
	p, err := s.Get(ctx, actor, id)
	if err != nil {
		return Preset{}, err
	}
	apply(&p, in)
	if err := check(&p); err != nil {
		return Preset{}, err
	}
	p, err = scan(s.pool.QueryRow(ctx, `UPDATE package_presets SET name = $1, mail_class = $2, weight_oz = $3, length_in = $4, width_in = $5, height_in = $6,
			services = $7, updated_at = $8
		WHERE id = $9 AND account_id = $10 RETURNING `+columns, p.Name, p.MailClass, p.WeightOz, p.Length, p.Width, p.Height, p.Services, s.now(), id, actor.AccountID))
	if e := unique(err); e != nil {
		return Preset{}, e
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return Preset{}, apperr.NotFound("No such package preset.")
	}
	if err != nil {
		return Preset{}, fmt.Errorf("presets: update %d: %w", id, err)
	}
	return p, nil
}

// Delete removes a preset; labels bought with it are not tied to it.
func (s *Service) Delete(ctx context.Context, actor accounts.User, id int64) error {
	if err := canManage(actor); err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM package_presets WHERE id = $1 AND account_id = $2`, id, actor.AccountID)
	if err != nil {
		return fmt.Errorf("presets: delete %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.NotFound("No such package preset.")
	}
	return nil
}

func apply(p *Preset, in Input) {
	set := func(dst *float64, v *float64) {
		if v != nil {
			*dst = *v
		}
	}
	if in.Name != nil {
		p.Name = *in.Name
	}
	if in.MailClass != nil {
		p.MailClass = *in.MailClass
	}
	set(&p.WeightOz, in.WeightOz)
	set(&p.Length, in.Length)
	set(&p.Width, in.Width)
	set(&p.Height, in.Height)
	if in.Services != nil {
		p.Services = *in.Services
	}
}
