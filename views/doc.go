// Package views holds the templ components of the web site: the layout, one
// component per page and small shared parts. Views take view-model structs
// shaped like the screen and never query anything; handlers build the models.
package views
