package main

import "fmt"

func runVersion(args []string) error {
	fs := flags("version", "Print the version of this binary.")
	if done, err := parse(fs, args); done {
		return err
	}
	fmt.Println("indicia", version)
	return nil
}
