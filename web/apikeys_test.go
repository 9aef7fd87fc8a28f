package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"indicia/accounts"
	"indicia/web/webtest"
)

// waitCacheLive waits for the API-key cache's invalidation subscription, so
// that the requests after it really are served from the cache.
func waitCacheLive(t *testing.T, e *webtest.Env) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !e.Acc.APIKeyCacheLive(); {
		if time.Now().After(deadline) {
			t.Fatal("the API-key cache never went live")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// An owner makes a key on the API keys page, a client uses it (from then on
// from the cache, as in serve), and revoking it on the page stops it on the
// very next request.
func TestRevokingAKeyOnThePageStopsTheCachedKeyAtOnce(t *testing.T) {
	e := webtest.New(t)
	waitCacheLive(t, e)
	r := e.Do("owner", "POST", "/account/api-keys", url.Values{"name": {"shop robot"}, "scopes": {"buy_postage"}})
	body := webtest.Body(t, r)
	_, rest, ok := strings.Cut(body, `id="new-key">`)
	secret, _, _ := strings.Cut(rest, "<")
	if r.StatusCode != http.StatusOK || !ok || !strings.HasPrefix(secret, "ind_") {
		t.Fatalf("create key: %d\n%.2000s", r.StatusCode, body)
	}
	for i := 0; i < 3; i++ {
		if code, out := apiCall(t, e, secret, "POST", "/api/v1/labels", oneLabel); code != http.StatusCreated {
			t.Fatalf("purchase %d with the new key: %d %v", i, code, out)
		}
	}
	keys, err := e.Acc.ListAPIKeys(context.Background(), e.Owner)
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys %v %v", keys, err)
	}
	r = e.Do("owner", "POST", "/account/api-keys/"+strconv.FormatInt(keys[0].ID, 10)+"/revoke", nil)
	if r.StatusCode >= 400 {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
	code, out := apiCall(t, e, secret, "POST", "/api/v1/labels", oneLabel)
	if code != http.StatusUnauthorized {
		t.Fatalf("purchase with the revoked key: %d %v, want 401", code, out)
	}
	if !e.Acc.APIKeyCacheLive() {
		t.Error("the cache went offline during the test: the refusal did not come from the invalidation")
	}
}

// Disabling the key's creator on the users page stops the cached key too.
func TestDisablingTheCreatorStopsTheCachedKeyAtOnce(t *testing.T) {
	e := webtest.New(t)
	waitCacheLive(t, e)
	// The clerk may manage users, so that it can make its own key.
	clerk, err := e.Acc.UpdateUser(context.Background(), e.Owner, e.Users["clerk"].ID,
		accounts.UpdateInput{Name: "Carl Clerk", Permissions: []string{"buy_postage", "manage_users"}})
	if err != nil {
		t.Fatal(err)
	}
	secret := key(t, e, clerk, "buy_postage")
	if code, out := apiCall(t, e, secret, "POST", "/api/v1/labels", oneLabel); code != http.StatusCreated {
		t.Fatalf("purchase with the clerk's key: %d %v", code, out)
	}
	r := e.Do("owner", "POST", "/account/users/"+strconv.FormatInt(clerk.ID, 10)+"/disable", url.Values{"confirm": {"yes"}})
	if r.StatusCode >= 400 {
		t.Fatalf("disable: %d", r.StatusCode)
	}
	if code, out := apiCall(t, e, secret, "POST", "/api/v1/labels", oneLabel); code != http.StatusUnauthorized {
		t.Fatalf("purchase with a disabled user's key: %d %v, want 401", code, out)
	}
}
