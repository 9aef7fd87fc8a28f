package metering

import (
	"context"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering/box"
)

var zip5 = regexp.MustCompile(`^\d{5}$`)

func requireAdmin(actor accounts.User) error {
	if actor.Role != accounts.RoleAdmin && actor.Role != accounts.RoleSystem {
		return apperr.Forbidden("Only vendor admins run the meter lifecycle.")
	}
	return nil
}

// Manufacture makes a new meter for a master account: the steel box creates
// its serial's signing key and certificate and the initial record.
func (s *Service) Manufacture(ctx context.Context, actor accounts.User, accountID int64) (Meter, error) {
	if err := requireAdmin(actor); err != nil {
		return Meter{}, err
	}
	exists, err := accounts.AccountExists(ctx, s.pool, accountID)
	if err != nil {
		return Meter{}, fmt.Errorf("metering: check account: %w", err)
	}
	if !exists {
		return Meter{}, apperr.Invalid("account_id", "No master account has this ID.")
	}
	var seq int64
	if err := s.pool.QueryRow(ctx, `SELECT nextval('meter_serial_seq')`).Scan(&seq); err != nil {
		return Meter{}, fmt.Errorf("metering: next serial: %w", err)
	}
	now := s.now()
	serial := fmt.Sprintf("IN%09d", seq)
	mfg := fmt.Sprintf("VM%d-%06d", now.Year(), seq)
	rec, cert, err := s.box.CreateMeter(ctx, serial, mfg, accountID)
	if err != nil {
		return Meter{}, boxError(err)
	}
	m := Meter{Record: rec, CertPEM: string(cert), CreatedAt: now, UpdatedAt: now}
	err = s.pool.QueryRow(ctx, `INSERT INTO meters (serial, mfg_number, account_id, origin_zip, status, suspend_reason, ar, dr, piece_count, counter,
		wrapped_key, key_version, mac_version, chain_head, mac, cert_pem, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$17) RETURNING id`,
		rec.Serial, rec.MfgNumber, rec.AccountID, rec.OriginZIP, rec.Status, rec.SuspendReason, rec.AR, rec.DR, rec.PieceCount, rec.Counter,
		rec.WrappedKey, rec.KeyVersion, rec.MACVersion, rec.ChainHead, rec.MAC, m.CertPEM, now).Scan(&m.ID)
	if err != nil {
		return Meter{}, fmt.Errorf("metering: store new meter %s: %w", serial, err)
	}
	return m, nil
}

// Register associates the meter with its origin ZIP (or the floating origin
// 00000) and produces the registration record for the post: the signed
// status transaction stored in the meter's chain.
func (s *Service) Register(ctx context.Context, actor accounts.User, meterID int64, originZIP string) (Meter, error) {
	if err := requireAdmin(actor); err != nil {
		return Meter{}, err
	}
	if !zip5.MatchString(originZIP) {
		return Meter{}, apperr.Invalid("origin_zip", "Enter a 5-digit origin ZIP, or 00000 for a floating origin.")
	}
	// Two box steps, each committed on its own: the hand-off protocol allows one
	// pending step per meter, so two steps must never share a database commit.
	m, err := s.apply(ctx, meterID, func(ctx context.Context, m Meter) (box.Record, []box.TxRecord, error) {
		if m.Record.Status != box.StatusManufactured {
			return box.Record{}, nil, apperr.Conflict("status", "Only a manufactured meter can be registered.")
		}
		rec, t, err := s.box.SetOrigin(ctx, m.Record, originZIP)
		return rec, []box.TxRecord{t}, err
	}, nil)
	if err != nil {
		return Meter{}, err
	}
	return s.setStatus(ctx, actor, m.ID, box.StatusRegistered, "", []string{box.StatusManufactured}, nil)
}

// Activate lets a registered (or reactivates a suspended) meter dispense postage.
// A meter whose certificate is revoked stays stopped: what it printed would
// not verify.
func (s *Service) Activate(ctx context.Context, actor accounts.User, meterID int64) (Meter, error) {
	if err := s.refuseRevoked(ctx, actor, meterID); err != nil {
		return Meter{}, err
	}
	return s.setStatus(ctx, actor, meterID, box.StatusActive, "", []string{box.StatusRegistered, box.StatusSuspended}, nil)
}

// Suspend stops a meter for a reason (insufficient funds, inspection, credit
// abuse, meter abuse, tamper); the last three also revoke the meter's
// certificate from now (see SuspendRevoking).
func (s *Service) Suspend(ctx context.Context, actor accounts.User, meterID int64, reason string) (Meter, error) {
	return s.SuspendRevoking(ctx, actor, meterID, reason, RevokeFrom{})
}

// Retire ends a meter for good and revokes its certificate from now (see RetireRevoking).
func (s *Service) Retire(ctx context.Context, actor accounts.User, meterID int64) (Meter, error) {
	return s.RetireRevoking(ctx, actor, meterID, RevokeFrom{})
}

// setStatus runs the box's status step; after, if given, runs in the same
// database transaction (a revocation commits with its suspension).
func (s *Service) setStatus(ctx context.Context, actor accounts.User, meterID int64, status, reason string, from []string,
	after func(pgx.Tx, Meter, box.Record) error) (Meter, error) {
	if err := requireAdmin(actor); err != nil {
		return Meter{}, err
	}
	return s.apply(ctx, meterID, func(ctx context.Context, m Meter) (box.Record, []box.TxRecord, error) {
		ok := false
		for _, f := range from {
			ok = ok || m.Record.Status == f
		}
		if !ok {
			return box.Record{}, nil, apperr.Conflict("status", fmt.Sprintf("A %s meter cannot become %s.", m.Record.Status, status))
		}
		rec, t, err := s.box.SetStatus(ctx, m.Record, status, reason)
		return rec, []box.TxRecord{t}, err
	}, after)
}

// Provision gives a new master account its first meter, active at the
// account's origin ZIP (the end of the seed's sign-up process).
func (s *Service) Provision(ctx context.Context, accountID int64, originZIP string) (Meter, error) {
	m, err := s.Manufacture(ctx, accounts.System, accountID)
	if err != nil {
		return Meter{}, err
	}
	if m, err = s.Register(ctx, accounts.System, m.ID, originZIP); err != nil {
		return Meter{}, err
	}
	return s.Activate(ctx, accounts.System, m.ID)
}
