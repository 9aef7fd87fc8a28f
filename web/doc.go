// Package web assembles the Fiber application: middleware (request IDs, logs,
// metrics, security headers, sessions, CSRF, API keys, roles) and the one route
// table that maps every URL to a handler and the roles allowed to reach it.
package web
