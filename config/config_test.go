package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) Getenv { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8080" || c.SessionIdle != 30*time.Minute || c.LoginMaxFails != 5 || c.Secure() {
		t.Errorf("defaults: %+v", c)
	}
}

func TestSecretFromFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "db")
	os.WriteFile(f, []byte("postgres://secret@db/indicia\n"), 0o600)
	c, err := Load(env(map[string]string{"DATABASE_URL_FILE": f, "BASE_URL": "https://indicia.example"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "postgres://secret@db/indicia" || !c.Secure() {
		t.Errorf("got %q secure=%v", c.DatabaseURL, c.Secure())
	}
	if _, err := Load(env(map[string]string{"REDIS_URL_FILE": "/does/not/exist"})); err == nil {
		t.Error("a missing _FILE was accepted")
	}
}

func TestBadValuesAreErrorsNamingTheVariable(t *testing.T) {
	_, err := Load(env(map[string]string{"SESSION_IDLE": "forever", "LOGIN_MAX_FAILS": "-1"}))
	if err == nil || !strings.Contains(err.Error(), "SESSION_IDLE") || !strings.Contains(err.Error(), "LOGIN_MAX_FAILS") {
		t.Fatalf("got %v", err)
	}
}

// TestREADMEListsEverySetting keeps the README's configuration table true.
func TestREADMEListsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range append(slices.Clone(Settings), BoxSettings...) {
		row := "| `" + s.Name + "` | `" + s.Default + "` |"
		if !strings.Contains(string(b), row) {
			t.Errorf("README.md has no row starting %q", row)
		}
	}
}

// REDIS_SENTINELS must be host:port entries; a malformed one stops the start.
func TestRedisSentinelsSetting(t *testing.T) {
	c, err := Load(env(map[string]string{"REDIS_SENTINELS": "10.0.0.1:26379, 10.0.0.2:26379"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.RedisSentinels) != 2 || c.RedisSentinels[1] != "10.0.0.2:26379" || c.RedisMasterName != "indicia" {
		t.Errorf("got %q master %q", c.RedisSentinels, c.RedisMasterName)
	}
	if _, err := Load(env(map[string]string{"REDIS_SENTINELS": "10.0.0.1"})); err == nil || !strings.Contains(err.Error(), "REDIS_SENTINELS") {
		t.Errorf("a sentinel without a port: %v", err)
	}
}
