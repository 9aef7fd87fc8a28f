// Package labels prints and reads Indicia postage labels. A Label is the view
// model of one printed piece: the indicium's barcode text (Data Matrix, see
// docs/INDICIUM.md), the human-readable block a clerk checks (postage, date of
// mailing, origin ZIP, class, services, meter serial, piece number) and the
// sender and recipient addresses. One layout drives every format — PDF4x6,
// PDFLetter2Up and PDFEnvelope10 (one combined PDF per batch), PNG (one label
// at 300 dpi by default) and ZPL (II, 203 dpi thermal printers) — and every
// renderer is deterministic, so a reprint from the stored indicium is byte for
// byte the same file. DecodeImage is the other direction: it finds the Data
// Matrix in an uploaded label image (pure Go, gozxing) and returns its text for
// indicium.ParseText. Fonts are the Go fonts (BSD licence), embedded, so nothing
// depends on the system's fonts.
package labels
