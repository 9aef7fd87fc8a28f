package postage

import (
	"testing"

	"indicia/metering/rating"
	"indicia/metering/tracking"
)

// The tracking package reads Certified Mail and signature from the same
// services bits this package writes into the indicium.
func TestTrackingReadsTheServiceBits(t *testing.T) {
	if got := ServicesMask([]string{rating.ServiceCertified}); got != tracking.CertifiedBit {
		t.Errorf("Certified Mail is bit %b here, %b in tracking", got, tracking.CertifiedBit)
	}
	if got := ServicesMask([]string{rating.ServiceSignatureConfirmation}); got != tracking.SignatureBit {
		t.Errorf("signature confirmation is bit %b here, %b in tracking", got, tracking.SignatureBit)
	}
}
