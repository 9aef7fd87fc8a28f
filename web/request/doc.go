// Package request holds what the web middleware learns about a request (who is
// acting, the session, the CSRF token, the one-time message) so handlers can
// read it without depending on the middleware that set it.
package request
