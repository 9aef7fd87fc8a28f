package metering

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/metering/box"
	"indicia/metering/indicium"
)

// AuditReport is what `indicia audit` prints.
type AuditReport struct {
	Meters       int
	Transactions int
	Pieces       int64
	Postage      int64
	Credited     int64
	Debited      int64 // taken back out of meters (outside refunds, disputes)
	Transfers    int
	Voided       int // voided labels, each checked for exactly one void credit
	Problems     []string
}

// OK reports an audit without violations.
func (r AuditReport) OK() bool { return len(r.Problems) == 0 }

func (r *AuditReport) fail(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// Audit checks every meter: the box verifies its record (MAC and freshness),
// its transaction records form an unbroken, correctly signed chain ending at
// the record's chain head, AR + DR = total credited less debited, AR = postage dispensed
// (so AR never decreased), piece count = postage transactions = stored
// indicia; the funds-transfer chain of the transaction box is intact; and
// every voided label has exactly one void credit of its postage.
func (s *Service) Audit(ctx context.Context) (AuditReport, error) {
	var rep AuditReport
	keys, err := s.box.Certificates(ctx)
	if err != nil {
		return rep, fmt.Errorf("metering: audit: box certificates: %w", err)
	}
	roots, err := indicium.ParseCertificatesPEM(keys.RootCertPEM)
	if err != nil || len(roots) == 0 {
		return rep, fmt.Errorf("metering: audit: root certificate: %v", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+meterColumns+` FROM meters ORDER BY id`)
	if err != nil {
		return rep, fmt.Errorf("metering: audit: list meters: %w", err)
	}
	meters, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Meter, error) { return scanMeter(r) })
	if err != nil {
		return rep, fmt.Errorf("metering: audit: %w", err)
	}
	credits := map[int64]int64{}
	chained := map[string]chainCredit{}
	for _, m := range meters {
		rep.Meters++
		if err := s.auditMeter(ctx, &rep, m, roots[0], credits, chained); err != nil {
			return rep, err
		}
	}
	if err := s.auditTransfers(ctx, &rep, keys.TxKeyPEM, credits, chained); err != nil {
		return rep, err
	}
	if err := s.auditVoids(ctx, &rep); err != nil {
		return rep, err
	}
	return rep, nil
}

// chainCredit is a credit record of a meter's chain, by funds-transfer id.
type chainCredit struct {
	serial string
	amount int64
}

func (s *Service) auditMeter(ctx context.Context, rep *AuditReport, m Meter, root *x509.Certificate, credits map[int64]int64, chained map[string]chainCredit) error {
	r := m.Record
	if err := s.box.VerifyRecord(ctx, r); err != nil {
		rep.fail("meter %s: the box refuses its record: %v", r.Serial, err)
	}
	certs, err := indicium.ParseCertificatesPEM([]byte(m.CertPEM))
	if err != nil || len(certs) == 0 {
		rep.fail("meter %s: unreadable certificate", r.Serial)
		return nil
	}
	if err := certs[0].CheckSignatureFrom(root); err != nil {
		rep.fail("meter %s: certificate not signed by the vendor root: %v", r.Serial, err)
	}
	pub, ok := certs[0].PublicKey.(*ecdsa.PublicKey)
	if !ok {
		rep.fail("meter %s: certificate key is not ECDSA", r.Serial)
		return nil
	}
	rows, err := s.pool.Query(ctx, `SELECT kind, counter, at, indicium_date, origin_zip, delivery_zip, amount, piece_number, transfer_id, detail,
		prev_hash, hash, signature FROM meter_transactions WHERE meter_id = $1 ORDER BY id`, m.ID)
	if err != nil {
		return fmt.Errorf("metering: audit %s: %w", r.Serial, err)
	}
	defer rows.Close()
	var prev []byte
	var ar, credited, debited, pieces int64
	var lastCounter int64
	for rows.Next() {
		t := box.TxRecord{Serial: r.Serial}
		if err := rows.Scan(&t.Kind, &t.Counter, &t.Time, &t.IndiciumDate, &t.OriginZIP, &t.DeliveryZIP, &t.Amount, &t.PieceNumber,
			&t.TransferID, &t.Detail, &t.PrevHash, &t.Hash, &t.Signature); err != nil {
			return fmt.Errorf("metering: audit %s: %w", r.Serial, err)
		}
		rep.Transactions++
		if err := t.Verify(pub); err != nil {
			rep.fail("meter %s: transaction record %x does not verify: %v", r.Serial, t.Hash[:6], err)
		}
		if !bytes.Equal(t.PrevHash, prev) {
			rep.fail("meter %s: hash chain broken before record %x (a record was deleted, inserted or reordered)", r.Serial, t.Hash[:6])
		}
		if t.Counter < lastCounter {
			rep.fail("meter %s: update counter went backwards at record %x", r.Serial, t.Hash[:6])
		}
		lastCounter = t.Counter
		prev = t.Hash
		switch t.Kind {
		case box.TxPostage:
			if t.Amount <= 0 {
				rep.fail("meter %s: postage record with amount %d", r.Serial, t.Amount)
			}
			ar += t.Amount
			pieces++
			if t.PieceNumber != pieces {
				rep.fail("meter %s: piece number %d where %d was expected", r.Serial, t.PieceNumber, pieces)
			}
		case box.TxCredit:
			credited += t.Amount
			if _, dup := chained[t.TransferID]; dup {
				rep.fail("meter %s: transfer %q is credited twice in the meter chains", r.Serial, t.TransferID)
			}
			chained[t.TransferID] = chainCredit{serial: r.Serial, amount: t.Amount}
		case box.TxDebit:
			// A debit is a funds transfer out: its transfer row carries
			// the amount negated.
			if t.Amount <= 0 {
				rep.fail("meter %s: debit record with amount %d", r.Serial, t.Amount)
			}
			debited += t.Amount
			if _, dup := chained[t.TransferID]; dup {
				rep.fail("meter %s: transfer %q is in the meter chains twice", r.Serial, t.TransferID)
			}
			chained[t.TransferID] = chainCredit{serial: r.Serial, amount: -t.Amount}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if !bytes.Equal(prev, r.ChainHead) {
		rep.fail("meter %s: the record's chain head does not match its last transaction record", r.Serial)
	}
	if r.AR != ar {
		rep.fail("meter %s: ascending register %d but postage records sum to %d", r.Serial, r.AR, ar)
	}
	if r.AR+r.DR != credited-debited {
		rep.fail("meter %s: AR + DR = %d but %d was credited and %d debited", r.Serial, r.AR+r.DR, credited, debited)
	}
	if r.PieceCount != pieces {
		rep.fail("meter %s: piece count %d but %d postage records", r.Serial, r.PieceCount, pieces)
	}
	var stored int64
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM indicia WHERE meter_id = $1`, m.ID).Scan(&stored); err != nil {
		return err
	}
	if stored != pieces {
		rep.fail("meter %s: %d indicia stored for %d postage records", r.Serial, stored, pieces)
	}
	rep.Pieces += pieces
	rep.Postage += ar
	rep.Credited += credited
	rep.Debited += debited
	credits[m.ID] = credited - debited
	return nil
}

// auditTransfers checks the funds-transfer chain of the transaction box as
// the meter chains are checked: every record verifies, the chain is unbroken
// from seq 1, each row's columns are what the box signed, and every transfer
// is exactly one credit record of its meter's chain (and the other way round).
func (s *Service) auditTransfers(ctx context.Context, rep *AuditReport, txKeyPEM []byte, credits map[int64]int64, chained map[string]chainCredit) error {
	blk, _ := pem.Decode(txKeyPEM)
	if blk == nil {
		return fmt.Errorf("metering: audit: transaction box key is not PEM")
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return fmt.Errorf("metering: audit: transaction box key: %w", err)
	}
	pub, _ := k.(*ecdsa.PublicKey)
	rows, err := s.pool.Query(ctx, `SELECT f.transfer_id, m.serial, f.meter_id, f.account_id, f.amount, f.reason, f.created_at,
			f.tx_seq, f.tx_time, f.tx_payload, f.tx_prev, f.tx_hash, f.tx_sig
		FROM funds_transfers f JOIN meters m ON m.id = f.meter_id ORDER BY f.tx_seq`)
	if err != nil {
		return fmt.Errorf("metering: audit transfers: %w", err)
	}
	defer rows.Close()
	sums := map[int64]int64{}
	var prev []byte
	var lastSeq int64
	for rows.Next() {
		var col transferPayload
		var meter int64
		t := box.SignedTx{Kind: "funds_transfer"}
		if err := rows.Scan(&col.TransferID, &col.Serial, &meter, &col.AccountID, &col.Amount, &col.Reason, &col.At,
			&t.Seq, &t.Time, &t.Payload, &t.PrevHash, &t.Hash, &t.Signature); err != nil {
			return fmt.Errorf("metering: audit transfers: %w", err)
		}
		rep.Transfers++
		if err := t.Verify(pub); err != nil {
			rep.fail("funds transfer %d (%s) does not verify: %v", t.Seq, col.TransferID, err)
		} else {
			var signed transferPayload
			if err := json.Unmarshal(t.Payload, &signed); err != nil {
				rep.fail("funds transfer %d: its signed payload is not readable: %v", t.Seq, err)
			} else if d := transferDiff(signed, col); d != "" {
				rep.fail("funds transfer %d (%s): %s differs from the signed record (changed after signing)", t.Seq, col.TransferID, d)
			}
		}
		if t.Seq != lastSeq+1 {
			rep.fail("funds-transfer chain: transfer %d follows %d (transfers are missing)", t.Seq, lastSeq)
		}
		if !bytes.Equal(t.PrevHash, prev) {
			rep.fail("funds-transfer chain broken before transfer %d", t.Seq)
		}
		prev, lastSeq = t.Hash, t.Seq
		sums[meter] += col.Amount
		c, ok := chained[col.TransferID]
		switch {
		case !ok:
			rep.fail("funds transfer %d (%s): no credit or debit record in meter %s's chain", t.Seq, col.TransferID, col.Serial)
		case c.serial != col.Serial || c.amount != col.Amount:
			rep.fail("funds transfer %d (%s): %d to meter %s, but the meter chain credits %d to meter %s", t.Seq, col.TransferID, col.Amount, col.Serial, c.amount, c.serial)
		}
		delete(chained, col.TransferID)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("metering: audit transfers: %w", err)
	}
	for _, id := range slices.Sorted(maps.Keys(chained)) {
		rep.fail("meter %s: credit or debit %q has no funds transfer", chained[id].serial, id)
	}
	for id, c := range credits {
		if sums[id] != c {
			rep.fail("meter id %d: credited %d net of debits in its chain but funds transfers sum to %d", id, c, sums[id])
		}
	}
	return nil
}

// transferDiff names the fields of a stored transfer that differ from what
// the box signed.
func transferDiff(signed, stored transferPayload) string {
	var d []string
	if signed.TransferID != stored.TransferID {
		d = append(d, "transfer_id")
	}
	if signed.Serial != stored.Serial {
		d = append(d, "meter")
	}
	if signed.AccountID != stored.AccountID {
		d = append(d, "account_id")
	}
	if signed.Amount != stored.Amount {
		d = append(d, "amount")
	}
	if signed.Reason != stored.Reason {
		d = append(d, "reason")
	}
	if diff := signed.At.Sub(stored.At); diff >= time.Microsecond || diff <= -time.Microsecond {
		d = append(d, "created_at")
	}
	return strings.Join(d, ", ")
}
