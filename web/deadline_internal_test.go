package web

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gofiber/fiber/v3"
)

func TestRequestContextHasADeadlineAndEndsWithTheRequest(t *testing.T) {
	app := fiber.New()
	var ctx context.Context
	app.Get("/", requestDeadline, func(c fiber.Ctx) error {
		ctx = c.Context()
		if d, ok := ctx.Deadline(); !ok || time.Until(d) > requestWork {
			t.Errorf("deadline %v %v", d, ok)
		}
		return c.SendString("ok")
	})
	if _, err := app.Test(httptest.NewRequest("GET", "/", nil)); err != nil {
		t.Fatal(err)
	}
	if ctx == nil || ctx.Err() == nil {
		t.Fatal("the request's context is still live after the answer")
	}
}
