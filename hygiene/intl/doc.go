// Package intl holds what a purchase needs to mail a piece abroad: the ISO
// 3166-1 country list with English names (data/countries.tsv, from Debian's
// iso-codes), the postal-code patterns of the countries mailers write to
// most, and the check of a foreign address. A foreign address keeps the
// lines the mailer typed, in the country's own order: no US standardization
// applies to it, only the lines every country needs (a street line and a
// locality line, the postal code where the country uses one). The label
// prints the country's English name in capitals as the last line, as the
// UPU's S42 address standard asks. Pure: no database, no other package of
// the module.
package intl
