package web

import "github.com/gofiber/fiber/v3"

// get registers a GET route and its HEAD twin at the same place in the
// table. Fiber's automatic HEAD routes are appended after every other
// route, behind the "" groups' middleware, so an anonymous HEAD of a public
// path met requireLogin and got 401 where GET answered.
func get(r fiber.Router, path string, handler any, handlers ...any) {
	r.Add([]string{fiber.MethodGet, fiber.MethodHead}, path, handler, handlers...)
}
