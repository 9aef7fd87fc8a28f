package accounts

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"indicia/metering/box"
)

// ChainReport is what the audit found in the login chain.
type ChainReport struct {
	Records  int // signed records
	Segments int
	Unsigned int
	// Breaks describes every break that a segment start and an alert
	// explain, one line each, whether the alert is resolved or not.
	Breaks   []string
	Problems []string
}

// OK reports a chain without problems. An explained break is not a problem
// once a vendor admin has resolved its alert.
func (r ChainReport) OK() bool { return len(r.Problems) == 0 }

func (r *ChainReport) fail(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

type auditRow struct {
	chainRecord
	userID  int64
	email   string
	success bool
	reason  string
	ip      string
	at      time.Time
}

type auditAlert struct {
	id, brokenID, segmentID int64
	detail                  string
	resolved, seen          bool
}

// AuditLoginChain checks the login history with the transaction box's public
// key: every signed record verifies and matches its row, each segment is an
// unbroken chain from seq 1, every segment after the first starts with a
// record that names the last record of the segment before (the break) and
// has an alert, every record that no longer verifies is such a break, and
// every record is signed. An open alert is a problem until resolved.
func (s *Service) AuditLoginChain(ctx context.Context, pub *ecdsa.PublicKey) (ChainReport, error) {
	var rep ChainReport
	alerts, err := s.loadChainAlerts(ctx)
	if err != nil {
		return rep, err
	}
	rows, err := s.pool.Query(ctx, `SELECT id, tx_segment, tx_seq, tx_time, tx_payload, tx_prev, tx_hash, tx_sig,
			coalesce(user_id, 0), email, success, reason, ip, at
		FROM login_history WHERE tx_seq IS NOT NULL ORDER BY tx_segment, tx_seq`)
	if err != nil {
		return rep, fmt.Errorf("accounts: audit login chain: %w", err)
	}
	defer rows.Close()
	failing := map[int64]string{} // records that do not verify: why
	explained := map[int64]bool{} // records named by a segment start
	var prev *auditRow
	for rows.Next() {
		r := auditRow{chainRecord: chainRecord{tx: box.SignedTx{Kind: loginKind}}}
		if err := rows.Scan(&r.id, &r.segment, &r.tx.Seq, &r.tx.Time, &r.tx.Payload, &r.tx.PrevHash, &r.tx.Hash, &r.tx.Signature,
			&r.userID, &r.email, &r.success, &r.reason, &r.ip, &r.at); err != nil {
			return rep, fmt.Errorf("accounts: audit login chain: %w", err)
		}
		rep.Records++
		where := fmt.Sprintf("login record #%d (segment %d, seq %d)", r.id, r.segment, r.tx.Seq)
		var p loginPayload
		if r.tx.Verify(pub) != nil {
			_, failing[r.id] = recordFault(where, r.tx, pub)
		} else if err := json.Unmarshal(r.tx.Payload, &p); err != nil {
			rep.fail("%s: its signed payload is not readable: %v", where, err)
		} else {
			rep.checkRow(where, r, p)
		}
		if prev == nil || r.segment != prev.segment {
			rep.Segments++
			rep.checkSegmentStart(where, r, p, prev, alerts, explained)
		} else {
			if r.tx.Seq != prev.tx.Seq+1 {
				rep.fail("%s: records are missing before it (the one before is seq %d)", where, prev.tx.Seq)
			}
			if !bytes.Equal(r.tx.PrevHash, prev.tx.Hash) {
				rep.fail("%s: the chain is broken before it (a record was deleted, inserted or its hash replaced)", where)
			}
			if p.SegmentStart {
				rep.fail("%s: it claims to start a segment in the middle of one", where)
			}
		}
		prev = &r
	}
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("accounts: audit login chain: %w", err)
	}
	for _, id := range slices.Sorted(maps.Keys(failing)) {
		if !explained[id] {
			rep.fail("%s, and no segment start or alert explains it", failing[id])
		}
	}
	for _, id := range slices.Sorted(maps.Keys(alerts)) {
		if a := alerts[id]; !a.seen {
			rep.fail("login chain alert #%d names record #%d as the start of a segment, but no such segment start is in the chain", a.id, a.segmentID)
		}
	}
	var unsigned []int64
	if err := s.pool.QueryRow(ctx, `SELECT count(*), coalesce((array_agg(id ORDER BY id))[1:10], '{}') FROM login_history WHERE tx_seq IS NULL`).
		Scan(&rep.Unsigned, &unsigned); err != nil {
		return rep, fmt.Errorf("accounts: audit login chain: %w", err)
	}
	if rep.Unsigned > 0 {
		rep.fail("%d login records are not signed (the box could not sign them), first ids %v", rep.Unsigned, unsigned)
	}
	return rep, nil
}

// checkRow compares the row's columns with what the box signed.
func (rep *ChainReport) checkRow(where string, r auditRow, p loginPayload) {
	var diff []string
	if p.ID != r.id {
		diff = append(diff, fmt.Sprintf("id (signed for #%d)", p.ID))
	}
	if p.Email != r.email {
		diff = append(diff, "email")
	}
	if p.Success != r.success {
		diff = append(diff, "success")
	}
	if p.Reason != r.reason {
		diff = append(diff, "reason")
	}
	if p.IP != r.ip {
		diff = append(diff, "ip")
	}
	if d := p.At.Sub(r.at); d >= time.Microsecond || d <= -time.Microsecond {
		diff = append(diff, "at")
	}
	// user_id becomes NULL when the user is deleted.
	if r.userID != 0 && p.UserID != r.userID {
		diff = append(diff, "user_id")
	}
	if seg := max(p.Segment, 1); seg != r.segment {
		diff = append(diff, fmt.Sprintf("segment (signed for %d)", seg))
	}
	if len(diff) > 0 {
		rep.fail("%s: %s differs from the signed record (changed after signing)", where, strings.Join(diff, ", "))
	}
}

// checkSegmentStart checks r, the first record of a segment; prev is the
// last record of the segment before, nil for the first segment.
func (rep *ChainReport) checkSegmentStart(where string, r auditRow, p loginPayload, prev *auditRow, alerts map[int64]*auditAlert, explained map[int64]bool) {
	if r.tx.Seq != 1 || len(r.tx.PrevHash) != 0 {
		rep.fail("%s: its segment does not begin at seq 1 (records before it are missing)", where)
	}
	if prev == nil {
		if r.segment != 1 {
			rep.fail("%s: the chain begins at segment %d (earlier segments are missing)", where, r.segment)
		}
		if p.SegmentStart {
			rep.fail("%s: the first record claims to follow a break", where)
		}
		return
	}
	if r.segment != prev.segment+1 {
		rep.fail("%s: segments between %d and %d are missing", where, prev.segment, r.segment)
	}
	if !p.SegmentStart || p.BrokenAfterID != prev.id || p.BrokenSeq != prev.tx.Seq || p.BrokenSegment != prev.segment {
		rep.fail("%s: it starts segment %d but does not name the break after login record #%d (segment %d, seq %d)",
			where, r.segment, prev.id, prev.segment, prev.tx.Seq)
		return
	}
	explained[prev.id] = true
	a := alerts[r.id]
	if a == nil || a.brokenID != prev.id {
		rep.fail("%s: it starts segment %d after a break at login record #%d, but no alert for that break exists (deleted?)", where, r.segment, prev.id)
		return
	}
	a.seen = true
	state := "resolved"
	if !a.resolved {
		state = "open"
		rep.fail("login chain broken after login record #%d: alert #%d is still open", prev.id, a.id)
	}
	rep.Breaks = append(rep.Breaks, fmt.Sprintf("segment %d starts at login record #%d after the break at login record #%d (segment %d, seq %d): %s; alert #%d %s",
		r.segment, r.id, prev.id, prev.segment, prev.tx.Seq, a.detail, a.id, state))
}

func (s *Service) loadChainAlerts(ctx context.Context) (map[int64]*auditAlert, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, broken_login_id, segment_login_id, detail, resolved_at IS NOT NULL FROM login_chain_alerts`)
	if err != nil {
		return nil, fmt.Errorf("accounts: audit login chain alerts: %w", err)
	}
	defer rows.Close()
	out := map[int64]*auditAlert{}
	for rows.Next() {
		a := &auditAlert{}
		if err := rows.Scan(&a.id, &a.brokenID, &a.segmentID, &a.detail, &a.resolved); err != nil {
			return nil, fmt.Errorf("accounts: audit login chain alerts: %w", err)
		}
		out[a.segmentID] = a
	}
	return out, rows.Err()
}
