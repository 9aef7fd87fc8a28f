package app

import (
	"fmt"
	"strings"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/hygiene/address"
)

// signUpAddresses standardizes the sign-up address with the cleanser that
// checks every recipient, naming the sign-up form's fields.
type signUpAddresses struct{ c *address.Cleanser }

// signUpFields are the sign-up form's names of the cleanser's fields.
var signUpFields = map[string]string{"line1": "address_line1", "city": "city", "state": "state", "zip": "zip"}

func (s signUpAddresses) StandardizeAddress(a accounts.Address) (accounts.Address, map[string]string) {
	fc := s.c.CheckFields(address.Fields{Line1: a.Line1, Line2: a.Line2, City: a.City, State: a.State, ZIP: a.ZIP})
	if f := fc.FaultField(); f != "" {
		why := strings.Join(fc.Result.Reasons, "; ")
		if len(fc.Result.CandidateZIPs) > 0 {
			why = apperr.Sentence(why) + " Choose the ZIP code below."
		} else {
			why = "This address could not be validated: " + why + "."
		}
		return a, map[string]string{signUpFields[f]: why}
	}
	std := fc.Suggested
	if std.Line1 == "" || std.ZIP == "" {
		return a, map[string]string{"address_line1": fmt.Sprintf("This address could not be read as a street address (%s).", fc.Result.Checked)}
	}
	// The apartment or suite is written with the street line by the cleanser.
	return accounts.Address{Line1: std.Line1, Line2: std.Line2, City: std.City, State: std.State, ZIP: std.ZIP}, nil
}
