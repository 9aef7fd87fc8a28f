// Package coa is the change-of-address service: the postal lists of moves
// staff upload (streamed into coa_records by a job), the name keys that
// match a recipient by firm, person (with nicknames and middle initials) or
// family, the set-based matching of the lists against every mailer's address
// book, the matches mailers accept or dismiss with the emails that announce
// them, and the look-up at purchase time. Every read of change-of-address
// data is written to coa_access_log. Addresses are keyed by package address;
// entries are moved and read through package addressbook's Book, and account
// owners are found through package accounts.
package coa
