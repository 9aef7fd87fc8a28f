// Package metering is the domain core: meters and their signed records,
// registers, funds transfers, purchases and the indicia they produce, tamper
// alerts and the audit. Every change to a meter record goes through the secure
// box (metering/box) and is stored with its signed transaction records in one
// PostgreSQL transaction; after the commit the box is told to make the step
// final (the hand-off of docs/ARCHITECTURE.md), so a crash at any point loses
// no funds and raises no false tamper alert. Concurrent purchases on one meter
// are coalesced into one box call and one commit. Its SQL lives here.
package metering
