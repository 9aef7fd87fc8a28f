// Package labels prints and reads Indicia postage labels. A Label is the view
// model of one printed piece — the indicium's barcode text, the human-readable
// block a clerk checks (postage, date of mailing, origin ZIP, class, services,
// meter serial, piece number), sender and recipient lines, an optional
// reference and the label id — built with FromIndicium from the stored
// indicium so the printed block can never disagree with what is signed
// (Validate, run by every renderer, refuses a label that does). One layout
// drives every format: PDF4x6, PDFLetter2Up (two 4x6 labels per US Letter
// sheet) and PDFEnvelope10 write one combined PDF per batch, PNG (and Image)
// one 4x6 label at 300 dpi by default, ZPL one ^XA..^XZ format per label for
// 203 dpi thermal printers. The barcode is Data Matrix ECC 200 on every layout
// with a 2-module quiet zone (docs/INDICIUM.md explains why not PDF417), its
// modules snapped to whole dots at 300 dpi (PDF, PNG) or 203 dpi (ZPL), in a
// 1.5 in square on every layout: room for a 72x72 symbol (today's longest
// indicium needs 64x64) at 15 mil or more; a renderer refuses rather than
// print a smaller module. Every
// renderer is deterministic — the PDF carries no creation date and an empty
// document ID — so a reprint is byte for byte the first print. Fonts are the
// embedded Go fonts (BSD licence), so nothing depends on the system.
// DecodeImage is the other direction: it finds the Data Matrix in an uploaded
// PNG or JPEG of a label or of the barcode alone, in pure Go (gozxing), and
// returns the text for indicium.ParseText, or ErrNoBarcode.
package labels
