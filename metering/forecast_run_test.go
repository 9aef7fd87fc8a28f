package metering_test

import (
	"context"
	"testing"
	"time"

	"indicia/apperr"
	"indicia/metering"
	"indicia/metering/meteringtest"
)

// Three weeks of a weekly rhythm (4 pieces on weekdays, 1 on weekends) at
// origin 06901; the run forecasts the ZIP and its ZIP3, keeps the week's
// shape, and the view sets actuals beside the forecasts.
func TestNightlyForecastRunStoresBothMethodsAndTheirBacktests(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, _, pool := setupPool(t, b, 100_000)
	ctx := context.Background()
	now := time.Now().UTC()
	today := now.Truncate(24 * time.Hour)
	actual := map[string]float64{}
	for d := 21; d >= 1; d-- {
		day := today.AddDate(0, 0, -d)
		n := 4
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			n = 1
		}
		issuedOn(t, pool, buyPieces(t, svc, owner, n, func(int) int64 { return 1 }), day.Add(9*time.Hour))
		actual[day.Format(time.DateOnly)] = float64(n)
	}
	// A voided label was never mailed and is not volume.
	void := buyOne(t, svc, owner, 1)
	if _, err := svc.Void(ctx, owner, void.PublicID); err != nil {
		t.Fatal(err)
	}
	issuedOn(t, pool, []metering.Label{void}, today.AddDate(0, 0, -3).Add(time.Hour))

	if due, err := svc.ForecastsDue(ctx, now); err != nil || !due {
		t.Fatalf("due before the run: %v %v", due, err)
	}
	res, err := svc.RunForecasts(ctx, now)
	if err != nil || res.Series != 2 {
		t.Fatalf("run: %+v %v, want 2 origins (06901 and 069)", res, err)
	}
	if _, err := svc.RunForecasts(ctx, now); err != nil { // a second run of the day replaces the first
		t.Fatal(err)
	}
	if due, _ := svc.ForecastsDue(ctx, now); due {
		t.Error("still due after the run")
	}

	v, err := svc.ForecastOf(ctx, staff, "zip", "06901")
	if err != nil {
		t.Fatal(err)
	}
	if v.MadeOn != today.Format(time.DateOnly) || len(v.Days) != metering.ForecastPastDays+metering.ForecastDays {
		t.Fatalf("view made %s with %d days", v.MadeOn, len(v.Days))
	}
	for _, d := range v.Days[:metering.ForecastPastDays] {
		if d.Actual == nil || *d.Actual != actual[d.Day] {
			t.Errorf("%s: actual %v, want %v", d.Day, d.Actual, actual[d.Day])
		}
	}
	for _, d := range v.Days[metering.ForecastPastDays:] {
		if d.Actual != nil || d.Forecast == nil || d.Baseline == nil || *d.Lower > *d.Forecast || *d.Upper < *d.Forecast {
			t.Fatalf("forecast day %+v", d)
		}
		want := 4.0
		if day, _ := time.Parse(time.DateOnly, d.Day); day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			want = 1
		}
		if *d.Baseline != want || *d.Forecast < want-1 || *d.Forecast > want+1 {
			t.Errorf("%s: forecast %.2f, baseline %.2f, want about %v", d.Day, *d.Forecast, *d.Baseline, want)
		}
	}
	if len(v.Accuracy) != 2 || v.Accuracy[0].Method != "holt_winters" || v.Accuracy[1].Method != "seasonal_naive" || v.Accuracy[0].Days == 0 || v.Accuracy[0].MAPE == nil {
		t.Fatalf("accuracy %+v", v.Accuracy)
	}
	origins, err := svc.ForecastOrigins(ctx, staff, "zip3", 10)
	if err != nil || len(origins) != 1 || origins[0].Origin != "069" || origins[0].HistoryPieces != 66 {
		t.Fatalf("zip3 origins %+v %v", origins, err)
	}

	if _, err := svc.ForecastOf(ctx, staff, "zip", "90210"); apperr.KindOf(err) != apperr.KindNotFound {
		t.Errorf("no forecast: %v", err)
	}
	if _, err := svc.ForecastOf(ctx, owner, "zip", "06901"); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("a mailer reads forecasts: %v", err)
	}
}
