package metering

// Validate checks and normalizes a purchase request as Purchase would (mailing
// dates default to today), without dispensing. Card funding (package payments)
// calls it before charging a card so that an invalid request is refused before
// any money moves.
func (s *Service) Validate(req *PurchaseRequest) error { return s.validate(req) }
