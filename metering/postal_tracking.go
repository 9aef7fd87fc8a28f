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
	if err := requirePostal(actor); err != nil {
		return nil, err
	}
	group, err := trackingGroup(scope)
	if err != nil {
		return nil, err
	}
	from, to, err := s.trackingPeriod(days)
	if err != nil {
		return nil, err
	}
	if origin != "" && !(isZIP(origin) || (len(origin) == 3 && isZIP(origin+"00"))) {
		return nil, apperr.Invalid("origin", "Enter a 5-digit origin ZIP or its first 3 digits.")
	}
	args, err := s.postalRowsArgs(ctx, from, to, origin)
	if err != nil {
		return nil, err
	}
	rows, err := s.reads().Query(ctx, `SELECT i.day::text, `+group+`, sum(i.pieces - i.voided)::bigint, sum(i.postage - i.voided_postage)::bigint,
			sum(i.in_process)::bigint, sum(i.pieces - i.voided - i.in_process)::bigint, sum(i.postage_in_process)::bigint, sum(i.voided)::bigint
		FROM (`+postalRowsSQL+`) i
		GROUP BY 1, 2 ORDER BY 1, 2`, pgx.QueryExecModeExec, args)
	if err != nil {
		return nil, fmt.Errorf("metering: daily volumes: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (DailyVolume, error) {
		var v DailyVolume
		err := r.Scan(&v.Day, &v.Origin, &v.Pieces, &v.Postage, &v.InProcess, &v.Processed, &v.PostageInProcess, &v.Voided)
		return v, err
	})
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
		FROM (`+postalRowsSQL+`) i
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
