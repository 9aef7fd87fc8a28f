// Package indicium defines the Indicia indicium: a versioned, big-endian
// binary layout (fixed fields plus length-prefixed strings) that carries the
// postal data of one mail piece and the meter's ECDSA P-256 signature over
// it, its compact text form for Data Matrix barcodes, and offline
// verification against the published vendor root and meter certificates. It
// holds no key material and no state: the box signs, anyone verifies. The
// layout is documented in docs/INDICIUM.md; void status is not part of the
// indicium and comes from the server.
package indicium
