// Package handlers holds one file per action of the web site and the JSON API:
// each parses its input, calls the domain (accounts, metering, hygiene; postage
// for every purchase) with the acting user, and renders a view or JSON; errors
// are returned as apperr kinds for the web layer's one mapping. Handlers are
// methods on one Handler built by New; they hold no SQL and no state of their
// own. Who is acting, the session and the CSRF token come from web/request,
// set by web's middleware; handlers export nothing for web to call back.
package handlers
