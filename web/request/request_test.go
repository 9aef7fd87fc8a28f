package request_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/views"
	"indicia/web/request"
)

// serve runs set then read in one request, the way middleware and handler do.
func serve(t *testing.T, req *http.Request, set, read fiber.Handler) *http.Response {
	t.Helper()
	app := fiber.New()
	app.Get("/", func(c fiber.Ctx) error {
		if err := set(c); err != nil {
			return err
		}
		return read(c)
	})
	resp, err := app.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestAnonymousRequestHasNoActor(t *testing.T) {
	serve(t, httptest.NewRequest("GET", "/", nil), func(fiber.Ctx) error { return nil }, func(c fiber.Ctx) error {
		if u := request.Actor(c); u != nil {
			t.Errorf("actor %+v on a request nobody set", u)
		}
		if id, tok := request.SessionID(c), request.CSRFToken(c); id != "" || tok != "" {
			t.Errorf("session %q, token %q on a request nobody set", id, tok)
		}
		return nil
	})
}

func TestWhatTheMiddlewareSetsTheHandlerReads(t *testing.T) {
	u := &accounts.User{ID: 7, Name: "Olive Owner", Role: accounts.RoleOwner}
	serve(t, httptest.NewRequest("GET", "/", nil), func(c fiber.Ctx) error {
		request.SetActor(c, u)
		request.SetSession(c, "sess-1", "tok-1")
		return nil
	}, func(c fiber.Ctx) error {
		if got := request.Actor(c); got != u {
			t.Errorf("actor %+v, want %+v", got, u)
		}
		if got := request.SessionID(c); got != "sess-1" {
			t.Errorf("session %q", got)
		}
		if got := request.CSRFToken(c); got != "tok-1" {
			t.Errorf("token %q", got)
		}
		return nil
	})
}

func TestPageCarriesUserTokenAndFlashOnce(t *testing.T) {
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: "indicia_flash", Value: "Saved."})
	var p views.Page
	resp := serve(t, req, func(c fiber.Ctx) error {
		request.SetActor(c, &accounts.User{Name: "Uma User", Role: accounts.RoleUser, Permissions: []accounts.Permission{accounts.PermManageUsers}})
		request.SetSession(c, "sess-1", "tok-1")
		return nil
	}, func(c fiber.Ctx) error {
		p = request.Page(c, "Dashboard", "dashboard", true)
		return nil
	})
	if p.Title != "Dashboard" || p.Nav != "dashboard" || !p.TestMode || p.CSRF != "tok-1" || p.Flash != "Saved." {
		t.Errorf("page %+v", p)
	}
	if p.User == nil || p.User.Name != "Uma User" || !p.User.IsMailer || p.User.IsOwner || !p.User.CanManageUsers {
		t.Errorf("user %+v", p.User)
	}
	cleared := false
	for _, c := range resp.Cookies() {
		cleared = cleared || (c.Name == "indicia_flash" && c.Value == "")
	}
	if !cleared {
		t.Error("the one-time message was not cleared")
	}
}

func TestSetFlashIsReadOnTheNextPage(t *testing.T) {
	resp := serve(t, httptest.NewRequest("GET", "/", nil), func(c fiber.Ctx) error {
		request.SetFlash(c, "Card saved.", true)
		return nil
	}, func(fiber.Ctx) error { return nil })
	io.Copy(io.Discard, resp.Body)
	var flash *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "indicia_flash" {
			flash = c
		}
	}
	if flash == nil || !flash.Secure || !flash.HttpOnly {
		t.Fatalf("flash cookie %+v", flash)
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: flash.Name, Value: flash.Value})
	serve(t, req, func(fiber.Ctx) error { return nil }, func(c fiber.Ctx) error {
		if p := request.Page(c, "Billing", "", false); p.Flash != "Card saved." || p.User != nil {
			t.Errorf("next page %+v", p)
		}
		return nil
	})
}
