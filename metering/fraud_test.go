package metering_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering"
	"indicia/metering/meteringtest"
)

// storedUser stores a user of the given role (resolved_by references users).
func storedUser(t *testing.T, pool *pgxpool.Pool, role accounts.Role, email, name string) accounts.User {
	t.Helper()
	u := accounts.User{Email: email, Name: name, Role: role}
	err := pool.QueryRow(context.Background(), `INSERT INTO users (email, name, password_hash, role, created_at, updated_at)
		VALUES ($1, $2, 'x', $3, now(), now()) RETURNING id`, email, name, string(role)).Scan(&u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// fraudSignal stores an open fraud signal with the given detail.
func fraudSignal(t *testing.T, pool *pgxpool.Pool, detail string) int64 {
	t.Helper()
	var id int64
	err := pool.QueryRow(context.Background(), `INSERT INTO fraud_signals (kind, detail, created_at) VALUES ('duplicate_use', $1, now()) RETURNING id`, detail).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestResolveFraudSignal(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, _, pool := setupPool(t, b, 1000)
	ctx := context.Background()
	staffer := storedUser(t, pool, accounts.RoleStaff, "sam@usps.example", "Sam Staff")
	admin := storedUser(t, pool, accounts.RoleAdmin, "ada@example.com", "Ada Admin")

	// A real signal: one indicium seen on two pieces.
	text := textOf(t, buyOne(t, svc, owner, 78))
	verify(t, svc, metering.VerifyRequest{Text: text, PieceRef: "PIECE-1"})
	verify(t, svc, metering.VerifyRequest{Text: text, PieceRef: "PIECE-2"})
	signals, err := svc.FraudSignals(ctx, staffer, 10)
	if err != nil || len(signals) != 1 || !signals[0].Open() {
		t.Fatalf("signals %+v %v, want one open", signals, err)
	}
	dup := signals[0].ID
	other := fraudSignal(t, pool, "seen twice")
	if n, err := svc.OpenFraudSignals(ctx, staffer); err != nil || n != 2 {
		t.Fatalf("open signals %d %v, want 2", n, err)
	}

	// Only postal staff and vendor admins see and resolve signals.
	if err := svc.ResolveFraudSignal(ctx, owner, dup, "looked"); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("mailer resolves: %v, want forbidden", err)
	}
	if _, err := svc.FraudSignals(ctx, owner, 10); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("mailer lists: %v, want forbidden", err)
	}
	// A resolution is required, trimmed and at most 500 characters.
	for _, res := range []string{"", "  \t\n", strings.Repeat("é", metering.MaxFraudResolution+1)} {
		err := svc.ResolveFraudSignal(ctx, staffer, dup, res)
		if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.KindInvalid || ae.Field != "resolution" {
			t.Errorf("resolution of %d bytes: %v, want invalid resolution", len(res), err)
		}
	}
	if err := svc.ResolveFraudSignal(ctx, staffer, 1_000_000, "looked"); apperr.KindOf(err) != apperr.KindNotFound {
		t.Errorf("unknown signal: %v, want not found", err)
	}
	if n, _ := svc.OpenFraudSignals(ctx, staffer); n != 2 {
		t.Fatalf("refused resolves closed a signal: %d open, want 2", n)
	}

	if err := svc.ResolveFraudSignal(ctx, staffer, dup, "  Second piece was a reprint by the mailer; warned them.  "); err != nil {
		t.Fatal(err)
	}
	if err := svc.ResolveFraudSignal(ctx, admin, dup, "again"); apperr.KindOf(err) != apperr.KindConflict {
		t.Errorf("second resolve: %v, want conflict", err)
	}
	if err := svc.ResolveFraudSignal(ctx, admin, other, strings.Repeat("x", metering.MaxFraudResolution)); err != nil {
		t.Errorf("admin resolves with %d characters: %v", metering.MaxFraudResolution, err)
	}

	// Open ones first, then resolved ones with who, when and what.
	third := fraudSignal(t, pool, "seen again")
	signals, err = svc.FraudSignals(ctx, admin, 10)
	if err != nil || len(signals) != 3 {
		t.Fatalf("signals %+v %v", signals, err)
	}
	if s := signals[0]; s.ID != third || !s.Open() || s.ResolvedBy != "" || s.Resolution != "" {
		t.Errorf("first listed %+v, want the open signal %d", s, third)
	}
	byID := map[int64]metering.FraudSignal{}
	for _, s := range signals[1:] {
		if s.Open() || s.ResolvedAt == nil || time.Since(*s.ResolvedAt).Abs() > time.Minute {
			t.Errorf("resolved signal %+v lacks its time", s)
		}
		byID[s.ID] = s
	}
	if s := byID[dup]; s.ResolvedBy != "Sam Staff" || s.Resolution != "Second piece was a reprint by the mailer; warned them." || s.Serial == "" {
		t.Errorf("resolved signal %+v, want by Sam Staff with the trimmed resolution", s)
	}
	if s := byID[other]; s.ResolvedBy != "Ada Admin" || len(s.Resolution) != metering.MaxFraudResolution {
		t.Errorf("admin-resolved signal %+v", s)
	}
	if n, _ := svc.OpenFraudSignals(ctx, staffer); n != 1 {
		t.Errorf("open signals %d, want 1", n)
	}
}

func TestResolveFraudSignalConcurrentlyResolvesOnce(t *testing.T) {
	b := meteringtest.Start(t)
	svc, _, _, pool := setupPool(t, b, 0)
	ctx := context.Background()
	people := []accounts.User{
		storedUser(t, pool, accounts.RoleStaff, "sam@usps.example", "Sam Staff"),
		storedUser(t, pool, accounts.RoleAdmin, "ada@example.com", "Ada Admin"),
		storedUser(t, pool, accounts.RoleStaff, "sue@usps.example", "Sue Staff"),
	}
	for round := 0; round < 20; round++ {
		id := fraudSignal(t, pool, "seen twice")
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, len(people))
		for i, u := range people {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = svc.ResolveFraudSignal(ctx, u, id, "resolved by "+u.Name)
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case apperr.KindOf(err) != apperr.KindConflict:
				t.Fatalf("round %d: %v, want nil or conflict", round, err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d resolves succeeded, want exactly 1 (%v)", round, won, errs)
		}
		var by, res string
		if err := pool.QueryRow(ctx, `SELECT u.name, f.resolution FROM fraud_signals f JOIN users u ON u.id = f.resolved_by WHERE f.id = $1`, id).Scan(&by, &res); err != nil {
			t.Fatal(err)
		}
		if res != "resolved by "+by {
			t.Errorf("round %d: resolution %q by %s: the loser overwrote the winner", round, res, by)
		}
	}
}
