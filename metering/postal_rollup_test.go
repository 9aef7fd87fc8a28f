package metering_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/metering"
	"indicia/metering/meteringtest"
)

// liveDailyVolumes is the tracking read straight from the labels, the
// rollup's reference: what every tracking number must equal.
func liveDailyVolumes(t *testing.T, pool *pgxpool.Pool, group, origin string, from, to, processedBefore time.Time) []metering.DailyVolume {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT ((i.created_at AT TIME ZONE 'UTC')::date)::text, `+group+`,
			count(*) FILTER (WHERE i.status = 'issued'), COALESCE(sum(i.postage) FILTER (WHERE i.status = 'issued'), 0),
			count(*) FILTER (WHERE i.status = 'issued' AND i.used_at IS NULL AND i.mailing_date >= $3::date),
			count(*) FILTER (WHERE i.status = 'issued' AND (i.used_at IS NOT NULL OR i.mailing_date < $3::date)),
			COALESCE(sum(i.postage) FILTER (WHERE i.status = 'issued' AND i.used_at IS NULL AND i.mailing_date >= $3::date), 0),
			count(*) FILTER (WHERE i.status = 'voided')
		FROM indicia i
		WHERE i.created_at >= $1 AND i.created_at < $2 AND ($4 = '' OR i.origin_zip = $4 OR (length($4) = 3 AND left(i.origin_zip, 3) = $4))
		GROUP BY 1, 2 ORDER BY 1, 2`, from, to, processedBefore.Format(time.DateOnly), origin)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (metering.DailyVolume, error) {
		var v metering.DailyVolume
		err := r.Scan(&v.Day, &v.Origin, &v.Pieces, &v.Postage, &v.InProcess, &v.Processed, &v.PostageInProcess, &v.Voided)
		return v, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func liveTopOrigins(t *testing.T, pool *pgxpool.Pool, group string, from, to time.Time) []metering.OriginTotal {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT `+group+`, count(*), sum(i.postage) FROM indicia i
		WHERE i.created_at >= $1 AND i.created_at < $2 AND i.status = 'issued' GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT 10`, from, to)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[metering.OriginTotal])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func liveVolumesByOrigin(t *testing.T, pool *pgxpool.Pool, now time.Time, days int) []metering.OriginVolume {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT origin_zip,
			count(*) FILTER (WHERE status = 'issued' AND created_at >= $1),
			COALESCE(sum(postage) FILTER (WHERE status = 'issued' AND created_at >= $1), 0),
			count(*) FILTER (WHERE status = 'voided' AND created_at >= $1),
			(count(*) FILTER (WHERE status = 'issued' AND created_at >= $2))::float8 / 4
		FROM indicia WHERE created_at >= LEAST($1, $2)
		GROUP BY origin_zip ORDER BY 3 DESC, 1`, now.AddDate(0, 0, -days), now.AddDate(0, 0, -28))
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[metering.OriginVolume])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Every tracking number read through the rollup equals the same number
// read from the labels: before the rollup, after it, and after labels of
// rolled-up days are voided and scanned (which the rollup does not see).
func TestPostalRollupEqualsTheLabels(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, _, pool := setupPool(t, b, 1_000_000)
	ctx := context.Background()
	now := time.Now().UTC()
	today := now.Truncate(24 * time.Hour)
	origins := []string{"06901", "10001", "10002", "60601"}
	var labels []metering.Label
	k := 0
	for _, ago := range []int{200, 90, 61, 45, 31, 29, 10, 2, 1, 0} {
		for i := 0; i < 4; i++ {
			ls := buyPieces(t, svc, owner, 3, func(j int) int64 { return int64(50 + 10*k + j) })
			at := today.AddDate(0, 0, -ago).Add(time.Duration(i*5) * time.Hour)
			if at.After(now) {
				at = now.Add(-time.Minute)
			}
			ids := []string{ls[0].PublicID, ls[1].PublicID, ls[2].PublicID}
			if _, err := pool.Exec(ctx, `UPDATE indicia SET created_at = $1, mailing_date = ($1 AT TIME ZONE 'UTC')::date + $2::int, origin_zip = $3
				WHERE public_id = ANY($4)`, at, i-1, origins[(k+k/4)%len(origins)], ids); err != nil {
				t.Fatal(err)
			}
			labels = append(labels, ls...)
			k++
		}
	}
	// Some used, some voided, the rest left alone.
	for i, l := range labels {
		switch i % 5 {
		case 0:
			if _, err := pool.Exec(ctx, `UPDATE indicia SET used_at = created_at + interval '1 day' WHERE public_id = $1`, l.PublicID); err != nil {
				t.Fatal(err)
			}
		case 1:
			if _, err := pool.Exec(ctx, `UPDATE indicia SET status = 'voided', voided_at = created_at, void_reason = 'voided by the mailer' WHERE public_id = $1`, l.PublicID); err != nil {
				t.Fatal(err)
			}
		}
	}

	check := func(stage string) {
		t.Helper()
		cases := []struct {
			scope  metering.TrackingScope
			group  string
			origin string
			days   int
		}{
			{metering.ScopeAll, `''`, "", 366}, {metering.ScopeZIP, `i.origin_zip`, "", 366}, {metering.ScopeZIP3, `left(i.origin_zip, 3)`, "", 366},
			{metering.ScopeZIP, `i.origin_zip`, "10001", 366}, {metering.ScopeZIP3, `left(i.origin_zip, 3)`, "100", 60},
			{metering.ScopeAll, `''`, "", 30}, {metering.ScopeZIP, `i.origin_zip`, "", 1},
		}
		to := today.AddDate(0, 0, 1)
		for _, c := range cases {
			got, err := svc.DailyVolumes(ctx, staff, c.scope, c.origin, c.days)
			if err != nil {
				t.Fatal(err)
			}
			want := liveDailyVolumes(t, pool, c.group, c.origin, to.AddDate(0, 0, -c.days), to, today.AddDate(0, 0, -metering.MaxAgeDays))
			if len(want) == 0 || !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %s %q %d days:\n got %+v\nwant %+v", stage, c.scope, c.origin, c.days, got, want)
			}
			top, err := svc.TopOrigins(ctx, staff, c.scope, c.days, 10)
			if err != nil {
				t.Fatal(err)
			}
			group := c.group
			if c.scope == metering.ScopeAll {
				group = `i.origin_zip`
			}
			if want := liveTopOrigins(t, pool, group, to.AddDate(0, 0, -c.days), to); fmt.Sprint(top) != fmt.Sprint(want) {
				t.Errorf("%s: top %s %d days: got %v, want %v", stage, c.scope, c.days, top, want)
			}
		}
		// The per-origin rows page by page: each page its days, newest first.
		for _, c := range []struct {
			scope metering.TrackingScope
			group string
			days  int
		}{{metering.ScopeZIP, `i.origin_zip`, 30}, {metering.ScopeZIP3, `left(i.origin_zip, 3)`, 366}, {metering.ScopeAll, `''`, 10}} {
			for page := 1; ; page++ {
				got, pages, err := svc.DailyVolumesPage(ctx, staff, c.scope, "", c.days, page)
				if err != nil {
					t.Fatal(err)
				}
				if want := (c.days + metering.TrackingPageDays - 1) / metering.TrackingPageDays; pages != want {
					t.Fatalf("%s: %s %d days: %d pages, want %d", stage, c.scope, c.days, pages, want)
				}
				pto := to.AddDate(0, 0, -(page-1)*metering.TrackingPageDays)
				pfrom := pto.AddDate(0, 0, -metering.TrackingPageDays)
				if first := to.AddDate(0, 0, -c.days); first.After(pfrom) {
					pfrom = first
				}
				want := liveDailyVolumes(t, pool, c.group, "", pfrom, pto, today.AddDate(0, 0, -metering.MaxAgeDays))
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s: %s %d days page %d:\n got %+v\nwant %+v", stage, c.scope, c.days, page, got, want)
				}
				if page == pages {
					break
				}
			}
			if _, _, err := svc.DailyVolumesPage(ctx, staff, c.scope, "", c.days, 99); err == nil {
				t.Errorf("%s: page 99 of %d days was answered", stage, c.days)
			}
		}
		for _, days := range []int{1, 30, 100, 366} {
			got, err := svc.VolumesByOrigin(ctx, staff, days)
			if err != nil {
				t.Fatal(err)
			}
			if want := liveVolumesByOrigin(t, pool, time.Now(), days); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: volumes by origin %d days: got %v, want %v", stage, days, got, want)
			}
		}
	}
	check("before the rollup")

	// Two workers roll up at once while purchases go on and labels of the
	// days being rolled up are voided through the void path: every day is
	// added once, and nothing the writers do is lost.
	var wg sync.WaitGroup
	added := make([]int, 2)
	for w := range added {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := svc.RollUpPostalDays(ctx, now)
			if err != nil {
				t.Error(err)
			}
			added[w] = n
		}()
	}
	var toVoid []string
	for i, l := range labels {
		if i%5 == 4 {
			toVoid = append(toVoid, l.PublicID)
		}
	}
	vrows, err := pool.Query(ctx, `SELECT public_id FROM indicia WHERE public_id = ANY($1) AND created_at >= $2 AND created_at < $3`,
		toVoid, now.AddDate(0, 0, -29), today.AddDate(0, 0, -1))
	if err != nil {
		t.Fatal(err)
	}
	if toVoid, err = pgx.CollectRows(vrows, pgx.RowTo[string]); err != nil || len(toVoid) == 0 {
		t.Fatalf("labels of rolled-up days to void: %v (%v)", toVoid, err)
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		for range 5 {
			buyPieces(t, svc, owner, 2, func(j int) int64 { return int64(70 + j) })
		}
	}()
	go func() {
		defer wg.Done()
		for _, id := range toVoid {
			if _, err := svc.Void(ctx, owner, id); err != nil {
				t.Errorf("void %s: %v", id, err)
			}
		}
	}()
	wg.Wait()
	var rolled, inRollup int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM indicia WHERE created_at < $1`, today.AddDate(0, 0, -1)).Scan(&rolled); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT COALESCE(sum(pieces), 0) FROM postal_days`).Scan(&inRollup); err != nil {
		t.Fatal(err)
	}
	if rolled == 0 || inRollup != rolled {
		t.Fatalf("rollup holds %d pieces, the labels of its days are %d", inRollup, rolled)
	}
	rollupConsistent(t, pool, "after the rollup")
	check("after the rollup")

	// Labels of rolled-up days change: voided by the mailer (recent ones) or
	// refunded by the system (old ones) through the void path, while
	// purchases go on, and scanned.
	var recent, old []string
	for i, l := range labels {
		switch i % 5 {
		case 2:
			var created time.Time
			if err := pool.QueryRow(ctx, `SELECT created_at FROM indicia WHERE public_id = $1`, l.PublicID).Scan(&created); err != nil {
				t.Fatal(err)
			}
			if now.Sub(created) < 29*24*time.Hour {
				recent = append(recent, l.PublicID)
			} else {
				old = append(old, l.PublicID)
			}
		case 3:
			if _, err := pool.Exec(ctx, `UPDATE indicia SET used_at = now() WHERE public_id = $1`, l.PublicID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(recent) == 0 || len(old) == 0 {
		t.Fatalf("labels to void: %d recent, %d old", len(recent), len(old))
	}
	wg.Add(3)
	go func() {
		defer wg.Done()
		for range 5 {
			buyPieces(t, svc, owner, 2, func(j int) int64 { return int64(90 + j) })
		}
	}()
	for _, v := range []struct {
		who accounts.User
		ids []string
	}{{owner, recent}, {accounts.System, old}} {
		go func() {
			defer wg.Done()
			for _, id := range v.ids {
				if _, err := svc.Void(ctx, v.who, id); err != nil {
					t.Errorf("void %s: %v", id, err)
				}
			}
		}()
	}
	wg.Wait()
	rollupConsistent(t, pool, "after voids and refunds of rolled-up days")
	check("after voids and scans of rolled-up days")
	if n, err := svc.RollUpPostalDays(ctx, now); err != nil || n != 0 {
		t.Fatalf("a second rollup the same day added %d days (%v)", n, err)
	}
	if n, err := svc.RollUpPostalDays(ctx, now.AddDate(0, 0, 1)); err != nil || n != 1 {
		t.Fatalf("the next day's rollup added %d days (%v), want 1", n, err)
	}
	rollupConsistent(t, pool, "after the next day's rollup")
}

// rollupConsistent checks the rollup's summaries against postal_days and
// postal_days against the labels of its days: each origin's running totals
// are the sums of its days so far, each day's all-origins row the sum of
// its origins, every origin is listed, and every day's pieces and postage
// are the labels', voided ones included.
func rollupConsistent(t *testing.T, pool *pgxpool.Pool, stage string) {
	t.Helper()
	var bad [6]int64
	err := pool.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM (SELECT cum_pieces, cum_postage, cum_voided, cum_voided_postage, sum(pieces) OVER w AS cp, sum(postage) OVER w AS cq,
				sum(voided) OVER w AS cv, sum(voided_postage) OVER w AS cvq FROM postal_days
			WINDOW w AS (PARTITION BY origin_zip ORDER BY day)) c
			WHERE cum_pieces <> cp OR cum_postage <> cq OR cum_voided <> cv OR cum_voided_postage <> cvq),
		(SELECT count(*) FROM (SELECT day, sum(pieces) AS p, sum(postage) AS q, sum(voided) AS v, sum(voided_postage) AS vq FROM postal_days GROUP BY day HAVING sum(pieces) > 0) d
			FULL JOIN postal_days_all a USING (day)
			WHERE a.pieces IS DISTINCT FROM d.p OR a.postage IS DISTINCT FROM d.q OR a.voided IS DISTINCT FROM d.v OR a.voided_postage IS DISTINCT FROM d.vq),
		(SELECT count(DISTINCT origin_zip) FROM postal_days WHERE origin_zip NOT IN (SELECT origin_zip FROM postal_origins)),
		(SELECT count(*) FROM (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, origin_zip, count(*) AS p, sum(postage) AS q FROM indicia
			WHERE created_at < (SELECT built_through FROM postal_rollup) GROUP BY 1, 2) l
			FULL JOIN (SELECT * FROM postal_days WHERE pieces > 0) d USING (day, origin_zip) WHERE d.pieces IS DISTINCT FROM l.p OR d.postage IS DISTINCT FROM l.q),
		(SELECT count(*) FROM (SELECT origin_zip, min(day) AS first, count(*) AS n FROM postal_days GROUP BY 1) o
			WHERE o.n <> (SELECT built_through FROM postal_rollup) - o.first),
		(SELECT count(*) FROM (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, origin_zip, count(*) FILTER (WHERE status = 'voided') AS v,
				coalesce(sum(postage) FILTER (WHERE status = 'voided'), 0) AS vq FROM indicia
			WHERE created_at < (SELECT built_through FROM postal_rollup) GROUP BY 1, 2) l
			JOIN postal_days d USING (day, origin_zip) WHERE d.voided <> l.v OR d.voided_postage <> l.vq)`).
		Scan(&bad[0], &bad[1], &bad[2], &bad[3], &bad[4], &bad[5])
	if err != nil {
		t.Fatal(err)
	}
	if bad != [6]int64{} {
		t.Errorf("%s: running totals off %d, all-origins days off %d, origins unlisted %d, days off the labels %d, origins missing days %d, voids off the labels %d",
			stage, bad[0], bad[1], bad[2], bad[3], bad[4], bad[5])
	}
}
