// Package reports produces the account reports: the transaction register,
// the spend summary, the funding history with its running balance and the
// refunds report. It only reads; the register streams its rows so a
// download of any size keeps the server's memory flat.
package reports
