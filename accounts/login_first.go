package accounts

import "context"

// RecordFirstLogin records in the login history a session that began
// without a password check: accepting an invitation sets the password and
// logs the new user in, and that first login belongs in the history like
// any other.
func (s *Service) RecordFirstLogin(ctx context.Context, u User, ip, userAgent string) {
	s.recordLogin(ctx, u, normalizeEmail(u.Email), true, "", LoginAttempt{IP: ip, UserAgent: userAgent})
}
