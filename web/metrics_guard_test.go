package web_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v3"

	"indicia/handlers"
	"indicia/web"
)

func metricsStatus(t *testing.T, srv *web.Server, header ...string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := srv.App.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// /metrics is not public: with a token it needs the bearer token, without
// one a client that is not on loopback is told it does not exist.
func TestMetricsNeedTokenOrLoopback(t *testing.T) {
	open := web.New(web.Options{Handler: handlers.New(handlers.Deps{})})
	if code := metricsStatus(t, open); code != http.StatusNotFound {
		t.Errorf("remote client, no token configured: %d, want 404", code)
	}
	tok := web.New(web.Options{Handler: handlers.New(handlers.Deps{}), MetricsToken: "s3cret-metrics"})
	if code := metricsStatus(t, tok); code != http.StatusUnauthorized {
		t.Errorf("no token sent: %d, want 401", code)
	}
	if code := metricsStatus(t, tok, "Authorization", "Bearer wrong"); code != http.StatusUnauthorized {
		t.Errorf("wrong token: %d, want 401", code)
	}
	if code := metricsStatus(t, tok, "Authorization", "Bearer s3cret-metrics"); code != http.StatusOK {
		t.Errorf("right token: %d, want 200", code)
	}
}

// Without a token a loopback client is served, but not one that came
// through a proxy, whatever address X-Forwarded-For claims.
func TestMetricsLoopbackOnlyWithoutToken(t *testing.T) {
	for _, trust := range []bool{false, true} {
		srv := web.New(web.Options{Handler: handlers.New(handlers.Deps{}), TrustProxy: trust})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go srv.App.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true})
		url := "http://" + ln.Addr().String() + "/metrics"
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := readAll(resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "go_goroutines") {
			t.Errorf("trust=%v loopback: %d", trust, resp.StatusCode)
		}
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("X-Forwarded-For", "127.0.0.1")
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("trust=%v forwarded as 127.0.0.1: %d, want 404", trust, resp.StatusCode)
		}
		if err := srv.App.Shutdown(); err != nil {
			t.Error(err)
		}
	}
}

func readAll(resp *http.Response) (string, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}
