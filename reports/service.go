package reports

import (
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/apperr"
)

// Service answers report queries.
type Service struct {
	pool *pgxpool.Pool
	// read serves the report queries: a standby when one is configured
	// (ReadFrom), else pool. Statements are written and listed on pool.
	read  *pgxpool.Pool
	now   func() time.Time
	chunk int // rows per query when streaming the register
}

// New builds the reports service on pool.
func New(pool *pgxpool.Pool) *Service {
	return &Service{pool: pool, read: pool, now: time.Now, chunk: streamChunk}
}

// ReadFrom sends the report queries to replica (a streaming standby: a
// report may trail the primary by the replication lag, which is how long a
// just-bought label takes to appear in it).
func (s *Service) ReadFrom(replica *pgxpool.Pool) *Service {
	s.read = replica
	return s
}

// CanRead reports whether u may see reports: account owners, users holding
// "Export reports" (API keys narrowed to that scope), and vendor admins.
func CanRead(u accounts.User) bool {
	if u.Disabled {
		return false
	}
	return u.Role == accounts.RoleAdmin || u.Role == accounts.RoleSystem || u.Can(accounts.PermExportReports)
}

// scope checks the actor and pins the filter to the accounts the actor may
// see: a mailer only ever sees their own account, whatever was asked.
func scope(actor accounts.User, f *Filter) error {
	if !CanRead(actor) {
		return apperr.Forbidden("You do not have the \"" + accounts.PermExportReports.Label() + "\" permission.")
	}
	if actor.Role.IsMailer() {
		f.AccountID = actor.AccountID
	}
	return nil
}
