// Package rating prices mail pieces from signed, versioned USPS rate tables:
// a Piece (class, weight, dimensions, ZIPs or country, extra services,
// declared value, mailing date) becomes an itemised Quote in int64 cents, or
// a *FieldError a person can act on. Prices, weight limits, dimensional-weight
// rules and service-combination rules are data (tables/*.json, one file per
// USPS Notice 123 price change, each row citing where it came from), and the
// mailing date picks the price list in effect. Zones come from ZIP3
// centroids derived from GeoNames and the USPS ZIP locale list
// (tables/zip3.csv) with USPS's distance bands. Every table carries an ECDSA
// P-256 signature (the seed's rate-table signature, file.sig beside it); the
// loader refuses any table whose signature does not verify with the
// configured public key (RATE_TABLE_PUBKEY, else the embedded development
// key). Tables are re-signed with `go run ./metering/rating/gen sign`.
package rating
