package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v3"
)

// requestWork bounds the work a request does. fasthttp does not tell a
// handler that its client hung up, so every request's context ends at this
// deadline (and when the handler returns); rendering, cleansing and queries
// take that context and stop with it. It matches the write timeout: past
// it no answer reaches the client anyway.
const requestWork = 120 * time.Second

// requestDeadline gives the handlers a context that ends at the deadline or
// when they return. The error handler, which runs after, gets the parent
// back, so an error page still renders.
func requestDeadline(c fiber.Ctx) error {
	parent := c.Context()
	ctx, cancel := context.WithTimeout(parent, requestWork)
	c.SetContext(ctx)
	err := c.Next()
	c.SetContext(parent)
	cancel()
	return err
}
