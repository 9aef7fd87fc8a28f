// Package addressbook holds what mailers keep in the database about their
// recipients: the address book (Book; tables address_book and
// address_history), with its spreadsheet import and its export, and batch
// cleansing of uploaded lists (Batches; tables cleanse_batches, cleanse_rows
// and cleanse_results), run by the worker. Addresses are cleansed and keyed by
// package address; the change-of-address service (package coa) moves entries
// through Book.ApplyMove and reads them through Book.Entries.
package addressbook
