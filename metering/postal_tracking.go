package metering

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
)

// DailyVolume is one day of issue's mail (UTC) for one origin ZIP, ZIP3 or
// all of them: the pieces paid for (voided ones left out) and their postage,
// split into those still in process and those processed, and the voided.
type DailyVolume struct {
	Day       string `json:"day"`
	Origin    string `json:"origin"`
	Pieces    int64  `json:"pieces"`
	Postage   int64  `json:"postage"`
	InProcess int64  `json:"in_process"`
	Processed int64  `json:"processed"`
	// PostageInProcess is the postage of the in-process pieces.
	PostageInProcess int64 `json:"postage_in_process"`
	Voided           int64 `json:"voided"`
}

// TrackingScope says how a tracking query groups origins.
type TrackingScope string

// Tracking scopes: every origin together, per origin ZIP, per ZIP3.
const (
	ScopeAll  TrackingScope = "all"
	ScopeZIP  TrackingScope = "zip"
	ScopeZIP3 TrackingScope = "zip3"
)

func trackingGroup(scope TrackingScope) (string, error) {
	switch scope {
	case ScopeAll:
		return `''`, nil
	case ScopeZIP:
		return `i.origin_zip`, nil
	case ScopeZIP3:
		return `left(i.origin_zip, 3)`, nil
	}
	return "", apperr.Invalid("scope", "Choose all, zip or zip3.")
}

// trackingPeriod checks a period of days of issue ending today (UTC).
func (s *Service) trackingPeriod(days int) (from, to time.Time, err error) {
	if days < 1 || days > 366 {
		return from, to, apperr.Invalid("days", "Choose between 1 and 366 days.")
	}
	to = s.now().Truncate(24*time.Hour).AddDate(0, 0, 1)
	return to.AddDate(0, 0, -days), to, nil
}

// DailyVolumes lists the mail of the last days per day of issue, grouped
// by scope, optionally for one origin (a ZIP or a ZIP3, by its length).
func (s *Service) DailyVolumes(ctx context.Context, actor accounts.User, scope TrackingScope, origin string, days int) ([]DailyVolume, error) {
	vs, _, err := s.DailyVolumesPage(ctx, actor, scope, origin, days, 0)
	return vs, err
}

// TrackingPageDays is how many days of issue one page of the per-origin
// tracking rows holds: a year per ZIP is 366,000 rows, too many for one
// answer.
const TrackingPageDays = 7

// DailyVolumesPage is DailyVolumes for one page of TrackingPageDays days,
// page 1 the newest (0: the whole period), and how many pages the period
// has.
func (s *Service) DailyVolumesPage(ctx context.Context, actor accounts.User, scope TrackingScope, origin string, days, page int) ([]DailyVolume, int, error) {
	if err := requirePostal(actor); err != nil {
		return nil, 0, err
	}
	group, err := trackingGroup(scope)
	if err != nil {
		return nil, 0, err
	}
	from, to, err := s.trackingPeriod(days)
	if err != nil {
		return nil, 0, err
	}
	if origin != "" && !(isZIP(origin) || (len(origin) == 3 && isZIP(origin+"00"))) {
		return nil, 0, apperr.Invalid("origin", "Enter a 5-digit origin ZIP or its first 3 digits.")
	}
	pages := (days + TrackingPageDays - 1) / TrackingPageDays
	if page < 0 || page > pages {
		return nil, 0, apperr.Invalid("page", fmt.Sprintf("Choose a page from 1 to %d.", pages))
	}
	if page > 0 {
		to = to.AddDate(0, 0, -(page-1)*TrackingPageDays)
		if f := to.AddDate(0, 0, -TrackingPageDays); f.After(from) {
			from = f
		}
	} else {
		pages = 1
	}
	args, err := s.postalRowsArgs(ctx, from, to, origin)
	if err != nil {
		return nil, 0, err
	}
	rolled := rolledPerDay
	if scope == ScopeAll && origin == "" {
		rolled = rolledAllOrigins
	}
	rows, err := s.reads().Query(ctx, `SELECT i.day::text, `+group+`, sum(i.pieces - i.voided)::bigint, sum(i.postage - i.voided_postage)::bigint,
			sum(i.in_process)::bigint, sum(i.pieces - i.voided - i.in_process)::bigint, sum(i.postage_in_process)::bigint, sum(i.voided)::bigint
		FROM (`+postalRows(rolled)+`) i
		GROUP BY 1, 2 ORDER BY 1, 2`, pgx.QueryExecModeExec, args)
	if err != nil {
		return nil, 0, fmt.Errorf("metering: daily volumes: %w", err)
	}
	vs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DailyVolume, error) {
		var v DailyVolume
		err := r.Scan(&v.Day, &v.Origin, &v.Pieces, &v.Postage, &v.InProcess, &v.Processed, &v.PostageInProcess, &v.Voided)
		return v, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("metering: daily volumes: %w", err)
	}
	return vs, pages, nil
}

// OriginTotal is one origin's mail over a period.
type OriginTotal struct {
	Origin  string `json:"origin"`
	Pieces  int64  `json:"pieces"`
	Postage int64  `json:"postage"`
}

// TopOrigins lists the origins (ZIPs or ZIP3s) with the most postage over
// the last days, at most limit.
func (s *Service) TopOrigins(ctx context.Context, actor accounts.User, scope TrackingScope, days, limit int) ([]OriginTotal, error) {
	if err := requirePostal(actor); err != nil {
		return nil, err
	}
	if scope == ScopeAll {
		scope = ScopeZIP
	}
	group, err := trackingGroup(scope)
	if err != nil {
		return nil, err
	}
	from, to, err := s.trackingPeriod(days)
	if err != nil {
		return nil, err
	}
	args, err := s.postalRowsArgs(ctx, from, to, "")
	if err != nil {
		return nil, err
	}
	args["limit"] = limit
	rows, err := s.reads().Query(ctx, `SELECT `+group+`, sum(i.pieces - i.voided)::bigint, sum(i.postage - i.voided_postage)::bigint
		FROM (`+postalRows(rolledPerOrigin)+`) i
		GROUP BY 1 HAVING sum(i.pieces - i.voided) > 0 ORDER BY 3 DESC, 1 LIMIT @limit`, pgx.QueryExecModeExec, args)
	if err != nil {
		return nil, fmt.Errorf("metering: top origins: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (OriginTotal, error) {
		var o OriginTotal
		err := r.Scan(&o.Origin, &o.Pieces, &o.Postage)
		return o, err
	})
}
