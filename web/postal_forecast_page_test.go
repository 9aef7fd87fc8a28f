package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"indicia/metering"
	"indicia/web/webtest"
)

// After the nightly run a clerk reads an origin's forecast: the chart, the
// backtest of both methods and the same numbers day by day, also as JSON.
func TestPostalForecastPageShowsChartAccuracyAndDays(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	for d := 21; d >= 1; d-- {
		labels := buyThree(t, e)
		ids := []string{labels[0].PublicID, labels[1].PublicID, labels[2].PublicID}
		if _, err := e.Pool.Exec(ctx, `UPDATE indicia SET created_at = $1 WHERE public_id = ANY($2)`, today.AddDate(0, 0, -d).Add(9*time.Hour), ids); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Metering.RunForecasts(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}

	list := webtest.Body(t, e.Do("staff", "GET", "/postal/forecasts", nil))
	for _, want := range []string{`href="/postal/forecasts/zip/06901"`, `href="/postal/forecasts/zip3/069"`, "<td>63</td><td>21</td>"} {
		if !strings.Contains(list, want) {
			t.Errorf("forecast list lacks %q:\n%s", want, list)
		}
	}
	body := webtest.Body(t, e.Do("staff", "GET", "/postal/forecasts/zip/06901", nil))
	for _, want := range []string{`<svg viewBox="0 0 640 240"`, `class="chart-line series-actual"`, `class="chart-line series-forecast"`, `class="chart-band band-interval"`,
		"<td>Holt-Winters</td><td>0.0%</td>", "<td>Seasonal naive (baseline)</td><td>0.0%</td>", `id="forecast-days"`,
		"<td>" + today.AddDate(0, 0, -1).Format(time.DateOnly) + "</td><td>3.0</td>", "<td>" + today.Format(time.DateOnly) + "</td><td></td><td>3.0</td><td>3.0 – 3.0</td><td>3.0</td>"} {
		if !strings.Contains(body, want) {
			t.Errorf("forecast page lacks %q", want)
		}
	}
	code, out := apiCall(t, e, key(t, e, e.Users["staff"]), "GET", "/api/v1/postal/forecasts/zip3/069", "")
	days, _ := out["days"].([]any)
	acc, _ := out["accuracy"].([]any)
	if code != 200 || len(days) != metering.ForecastPastDays+metering.ForecastDays || len(acc) != 2 {
		t.Fatalf("API forecast: %d %v", code, out)
	}
	if r := e.Do("staff", "GET", "/postal/forecasts/zip/99999", nil); r.StatusCode != 404 {
		t.Errorf("no forecast: %d", r.StatusCode)
	}
	if r := e.Do("staff", "GET", "/postal/forecasts/city/06901", nil); r.StatusCode != 404 {
		t.Errorf("unknown scope: %d", r.StatusCode)
	}
	if code, _ := apiCall(t, e, key(t, e, e.Users["staff"]), "GET", "/api/v1/postal/forecasts?scope=city", ""); code != 422 {
		t.Errorf("API unknown scope: %d", code)
	}
}
