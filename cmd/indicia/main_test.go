package main

import (
	"bytes"
	"strings"
	"testing"
)

// Every subcommand answers --help without reading settings or opening anything.
func TestEveryCommandHasHelp(t *testing.T) {
	for name, c := range commands() {
		if err := c.run([]string{"--help"}); err != nil {
			t.Errorf("indicia %s --help: %v", name, err)
		}
	}
}

func TestUsageListsEveryCommand(t *testing.T) {
	var b bytes.Buffer
	usage(&b)
	for name := range commands() {
		if !strings.Contains(b.String(), "  "+name+" ") {
			t.Errorf("usage does not list %s:\n%s", name, b.String())
		}
	}
}
