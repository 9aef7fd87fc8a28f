package postage

import (
	"math/bits"
	"slices"

	"indicia/metering/rating"
)

// serviceBits gives each extra service its bit in the indicium's services
// field (docs/INDICIUM.md: "bits defined by the rating tables"). The order is
// fixed here, not taken from rating.Services(), so a printed indicium keeps
// its meaning when the rater learns a new service.
func serviceBits() []string {
	return []string{
		rating.ServiceCertified, rating.ServiceReturnReceipt, rating.ServiceReturnReceiptElectronic,
		rating.ServiceRegistered, rating.ServiceInsurance, rating.ServiceSignatureConfirmation,
	}
}

// KnownService reports whether an indicium can carry the extra service.
func KnownService(code string) bool { return slices.Contains(serviceBits(), code) }

// ServicesMask encodes service codes as the indicium's bitmask; unknown
// codes are left out (a purchase refuses them before).
func ServicesMask(codes []string) uint32 {
	var m uint32
	sb := serviceBits()
	for _, c := range codes {
		if i := slices.Index(sb, c); i >= 0 {
			m |= 1 << i
		}
	}
	return m
}

// ServiceCodes decodes the indicium's bitmask back into service codes.
func ServiceCodes(mask uint32) []string {
	out := []string{}
	sb := serviceBits()
	for mask != 0 {
		i := bits.TrailingZeros32(mask)
		mask &^= 1 << i
		if i < len(sb) {
			out = append(out, sb[i])
		}
	}
	return out
}
