package metering

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/metering/box"
)

// meterDispense is what one meter's box call produced for its accepted requests.
type meterDispense struct {
	m        Meter
	accepted []*pending
	res      box.DispenseResult
}

var indiciaColumns = []string{"public_id", "purchase_id", "meter_id", "account_id", "piece_number", "mailing_date", "postage", "origin_zip",
	"dest_zip", "mail_class", "services", "recipient", "data", "status", "created_at", "cost_code_id", "reference", "weight_oz", "user_id",
	"dest_country", "ship_from", "tracking_number"}

// copyThreshold is the batch size from which a dispense is stored with COPY.
const copyThreshold = 256

// storeDispenses writes, in the caller's transaction, the new records, the
// transaction records, one purchase per accepted request and one indicium
// per piece, for one or many meters: one pipelined batch of set-based
// statements (a single round trip), or COPY for one big batch.
func (s *Service) storeDispenses(ctx context.Context, tx pgx.Tx, ds []*meterDispense) error {
	r := s.storeRowsOf(ds)
	if err := s.assignTracking(ctx, r, ds); err != nil {
		return err
	}
	if len(ds) == 1 && len(ds[0].res.Pieces) > copyThreshold {
		d := ds[0]
		txs := make([]box.TxRecord, len(d.res.Pieces))
		for i, p := range d.res.Pieces {
			txs[i] = p.Tx
		}
		if err := s.copyDispense(ctx, tx, d.m, d.res.Record, txs, r.pr, r.ir, r.tracked.byLabel(), r.now); err != nil {
			return err
		}
		b := &pgx.Batch{}
		r.rollup.queue(b, r.now)
		if b.Len() == 0 {
			return nil
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("metering: store spend rollup: %w", err)
		}
		return nil
	}
	b := &pgx.Batch{}
	r.queue(b)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("metering: store dispense: %w", err)
	}
	return nil
}

// storeRows are the rows of one or many meters' dispenses, column by column.
type storeRows struct {
	pr purchaseRows
	ir indiciumRows
	rr recordRows
	tr txRows
	// rollup is the group's pieces summed per spend_rollup row.
	rollup rollupRows
	now    time.Time
	// tracked is filled by assignTracking, after the rows are laid out.
	tracked trackedRows
}

// storeRowsOf gives every accepted request its purchase id and labels and
// lays out the rows to store.
func (s *Service) storeRowsOf(ds []*meterDispense) *storeRows {
	r := &storeRows{now: s.now()}
	now := r.now
	for _, d := range ds {
		m := d.m
		k := 0
		for _, p := range d.accepted {
			p.res.PublicID, p.res.CreatedAt = "p_"+publicID(), now
			var sum int64
			for _, pc := range p.req.Pieces {
				sum += pc.Postage
			}
			r.pr.add(p, m, sum, now)
			for _, pc := range p.req.Pieces {
				dp := d.res.Pieces[k]
				k++
				l := newLabel(m, pc, &dp, now)
				p.labels = append(p.labels, l)
				r.ir.add(p.res.PublicID, l)
				r.rollup.addLabel(m, p.actor.ID, l)
			}
		}
		r.rr.add(m.ID, d.res.Record)
		for _, p := range d.res.Pieces {
			r.tr.add(m.ID, p.Tx)
		}
	}
	return r
}

// newLabel is the label of piece pc, signed as dp: a floating meter's piece
// keeps the origin it names, any other the meter's.
func newLabel(m Meter, pc PieceRequest, dp *box.DispensedPiece, now time.Time) Label {
	origin := pc.OriginZIP
	if !m.Floating() || origin == "" {
		origin = m.Record.OriginZIP
	}
	return Label{PublicID: "l_" + publicID(), MeterID: m.ID, Serial: m.Record.Serial, PieceNumber: dp.Tx.PieceNumber, MailingDate: pc.MailingDate,
		Postage: pc.Postage, OriginZIP: origin, DestZIP: pc.DestZIP, DestCountry: destCountry(pc), MailClass: pc.MailClass, Services: pc.Services, Recipient: pc.Recipient,
		Indicium: dp.Indicium, Status: "issued", CreatedAt: now, CostCodeID: pc.CostCodeID, Reference: pc.Reference,
		WeightOz: pc.WeightOz, ShipFrom: pc.ShipFrom}
}

// insertPurchase stores purchase i of pr and returns its id (the COPY paths,
// whose indicia need the id before they are written).
func insertPurchase(ctx context.Context, tx pgx.Tx, pr *purchaseRows, i int) (int64, error) {
	var key any
	if pr.key[i] != "" {
		key = pr.key[i]
	}
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO purchases (public_id, account_id, meter_id, user_id, idempotency_key, request_hash, pieces, postage, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`, pr.publicID[i], pr.account[i], pr.meter[i], pr.user[i], key, pr.hash[i], pr.pieces[i],
		pr.postage[i], pr.at[i]).Scan(&id); err != nil {
		return 0, fmt.Errorf("metering: store purchase: %w", err)
	}
	return id, nil
}

// queue adds the set-based statements that store the rows to b. Each label
// is written whole by its INSERT: its tracking number, country and return
// address were once set by UPDATEs after it, which wrote every label a
// second time (and, for the indexed tracking number, all its index entries).
func (r *storeRows) queue(b *pgx.Batch) {
	pr, ir := &r.pr, &r.ir
	tracking := ir.trackingOf(r.tracked.byLabel())
	r.rr.queue(b, r.now)
	r.tr.queue(b)
	// One statement for the purchases and their indicia: the indicia take
	// their purchase ids from the inserted rows, never from a join on the
	// growing purchases table (whose plan, cached while the table was small,
	// was a sequential scan per dispense).
	b.Queue(`WITH p AS (
			INSERT INTO purchases (public_id, account_id, meter_id, user_id, idempotency_key, request_hash, pieces, postage, created_at)
			SELECT u.pub, u.acct, u.meter, u.usr, NULLIF(u.key, ''), u.hash, u.pieces, u.postage, u.at
			FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::bytea[], $7::int[], $8::bigint[], $9::timestamptz[])
				AS u(pub, acct, meter, usr, key, hash, pieces, postage, at)
			RETURNING id, public_id, meter_id, account_id, user_id, created_at)
		INSERT INTO indicia (public_id, purchase_id, meter_id, account_id, piece_number, mailing_date, postage, origin_zip, dest_zip, mail_class,
			services, recipient, data, status, created_at, cost_code_id, reference, weight_oz, user_id, dest_country, ship_from, tracking_number)
		SELECT u.pub, p.id, p.meter_id, p.account_id, u.piece, u.day, u.postage, u.origin, u.dest, u.class, u.services, u.recipient, u.data, 'issued', p.created_at,
			NULLIF(u.cost, 0), u.ref, u.weight, p.user_id, u.country, u.ship_from, u.tracking
		FROM unnest($10::text[], $11::text[], $12::bigint[], $13::date[], $14::bigint[], $15::text[], $16::text[], $17::text[], $18::int[], $19::jsonb[], $20::bytea[],
				$21::bigint[], $22::text[], $23::float8[], $24::text[], $25::jsonb[], $26::text[])
			WITH ORDINALITY AS u(pub, ppub, piece, day, postage, origin, dest, class, services, recipient, data, cost, ref, weight, country, ship_from, tracking, ord)
		JOIN p ON p.public_id = u.ppub
		ORDER BY u.ord`,
		pr.publicID, pr.account, pr.meter, pr.user, pr.key, pr.hash, pr.pieces, pr.postage, pr.at,
		ir.publicID, ir.purchase, ir.piece, ir.day, ir.postage, ir.origin, ir.dest, ir.class, ir.services, ir.recipient, ir.data, ir.costCode, ir.reference, ir.weight,
		ir.country, ir.shipFrom, tracking)
	r.rollup.queue(b, r.now)
}

// recordRows are new meter records for one multi-row update.
type recordRows struct {
	ids  []int64
	recs []box.Record
}

func (r *recordRows) add(id int64, rec box.Record) {
	r.ids, r.recs = append(r.ids, id), append(r.recs, rec)
}

func (r *recordRows) queue(b *pgx.Batch, now time.Time) {
	if len(r.ids) == 1 {
		queueRecord(b, r.ids[0], r.recs[0], now)
		return
	}
	n := len(r.recs)
	ar, dr, pieces, counter, account := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	origin, status, reason, macVersion := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	keyVersion := make([]int32, n)
	wrapped, chainHead, mac := make([][]byte, n), make([][]byte, n), make([][]byte, n)
	for i, rec := range r.recs {
		ar[i], dr[i], pieces[i], counter[i], account[i] = rec.AR, rec.DR, rec.PieceCount, rec.Counter, rec.AccountID
		origin[i], status[i], reason[i], macVersion[i] = rec.OriginZIP, rec.Status, rec.SuspendReason, rec.MACVersion
		keyVersion[i] = int32(rec.KeyVersion)
		wrapped[i], chainHead[i], mac[i] = rec.WrappedKey, rec.ChainHead, rec.MAC
	}
	b.Queue(`UPDATE meters m SET origin_zip=u.origin, status=u.status, suspend_reason=u.reason, ar=u.ar, dr=u.dr, piece_count=u.pieces,
			counter=u.counter, wrapped_key=u.wrapped, key_version=u.kv, mac_version=u.macv, chain_head=u.head, mac=u.mac, account_id=u.acct, updated_at=$14
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bytea[],
			$10::int[], $11::text[], $12::bytea[], $13::bytea[], $15::bigint[])
			AS u(id, origin, status, reason, ar, dr, pieces, counter, wrapped, kv, macv, head, mac, acct)
		WHERE m.id = u.id`,
		r.ids, origin, status, reason, ar, dr, pieces, counter, wrapped, keyVersion, macVersion, chainHead, mac, now, account)
}

// txRows are signed transaction records of one or many meters, in chain
// order per meter (ids follow the array order).
type txRows struct {
	meter, counter, amount, piece               []int64
	kind, idate, origin, dest, transfer, detail []string
	at                                          []time.Time
	prev, hash, sig                             [][]byte
}

func (t *txRows) add(meterID int64, r box.TxRecord) {
	t.meter, t.counter, t.amount, t.piece = append(t.meter, meterID), append(t.counter, r.Counter), append(t.amount, r.Amount), append(t.piece, r.PieceNumber)
	t.kind, t.idate, t.origin, t.dest = append(t.kind, r.Kind), append(t.idate, r.IndiciumDate), append(t.origin, r.OriginZIP), append(t.dest, r.DeliveryZIP)
	t.transfer, t.detail, t.at = append(t.transfer, r.TransferID), append(t.detail, r.Detail), append(t.at, r.Time)
	t.prev, t.hash, t.sig = append(t.prev, r.PrevHash), append(t.hash, r.Hash), append(t.sig, r.Signature)
}

func (t *txRows) queue(b *pgx.Batch) {
	b.Queue(`INSERT INTO meter_transactions (meter_id, kind, counter, at, indicium_date, origin_zip, delivery_zip, amount, piece_number,
			transfer_id, detail, prev_hash, hash, signature)
		SELECT u.meter, u.kind, u.counter, u.at, u.idate, u.origin, u.dest, u.amount, u.piece, u.transfer, u.detail, u.prev, u.hash, u.sig
		FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::text[],
			$11::text[], $12::bytea[], $13::bytea[], $14::bytea[]) WITH ORDINALITY
			AS u(meter, kind, counter, at, idate, origin, dest, amount, piece, transfer, detail, prev, hash, sig, ord)
		ORDER BY u.ord`, t.meter, t.kind, t.counter, t.at, t.idate, t.origin, t.dest, t.amount, t.piece, t.transfer, t.detail, t.prev, t.hash, t.sig)
}

type purchaseRows struct {
	publicID, key           []string
	account, meter, postage []int64
	user                    []*int64
	hash                    [][]byte
	pieces                  []int32
	at                      []time.Time
}

func (r *purchaseRows) add(p *pending, m Meter, sum int64, now time.Time) {
	r.publicID = append(r.publicID, p.res.PublicID)
	r.account = append(r.account, m.Record.AccountID)
	r.meter = append(r.meter, m.ID)
	var uid *int64
	if p.actor.ID != 0 {
		id := p.actor.ID
		uid = &id
	}
	r.user = append(r.user, uid)
	r.key = append(r.key, p.req.IdempotencyKey)
	r.hash = append(r.hash, p.hash)
	r.pieces = append(r.pieces, int32(len(p.req.Pieces)))
	r.postage = append(r.postage, sum)
	r.at = append(r.at, now)
}

type indiciumRows struct {
	publicID, purchase, origin, dest, class, recipient, reference, country []string
	piece, postage, costCode                                               []int64
	day                                                                    []time.Time
	services                                                               []int32
	weight                                                                 []float64
	data                                                                   [][]byte
	shipFrom                                                               []*string // NULL: the account's address
}

func (r *indiciumRows) add(purchase string, l Label) {
	rj, _ := json.Marshal(l.Recipient)
	r.publicID = append(r.publicID, l.PublicID)
	r.purchase = append(r.purchase, purchase)
	r.piece = append(r.piece, l.PieceNumber)
	r.day = append(r.day, l.MailingDate)
	r.postage = append(r.postage, l.Postage)
	r.origin = append(r.origin, l.OriginZIP)
	r.dest = append(r.dest, l.DestZIP)
	r.class = append(r.class, l.MailClass)
	r.services = append(r.services, int32(l.Services))
	r.recipient = append(r.recipient, string(rj))
	r.data = append(r.data, l.Indicium)
	r.costCode = append(r.costCode, l.CostCodeID)
	r.reference = append(r.reference, l.Reference)
	r.weight = append(r.weight, l.WeightOz)
	r.country = append(r.country, l.DestCountry)
	var from *string
	if len(l.ShipFrom) > 0 {
		j, _ := json.Marshal(l.ShipFrom)
		f := string(j)
		from = &f
	}
	r.shipFrom = append(r.shipFrom, from)
}

// trackingOf lines the tracking numbers up with the labels (NULL: none).
func (r *indiciumRows) trackingOf(numbers map[string]string) []*string {
	out := make([]*string, len(r.publicID))
	for i, id := range r.publicID {
		if n, ok := numbers[id]; ok {
			out[i] = &n
		}
	}
	return out
}

// copyDispense stores a big batch with COPY (10,000 labels in one request).
func (s *Service) copyDispense(ctx context.Context, tx pgx.Tx, m Meter, rec box.Record, txs []box.TxRecord, pr purchaseRows, ir indiciumRows,
	tracking map[string]string, now time.Time) error {
	if err := storeRecord(ctx, tx, m.ID, rec, now); err != nil {
		return err
	}
	if err := insertTxRecords(ctx, tx, m.ID, txs); err != nil {
		return err
	}
	ids, users := map[string]int64{}, map[string]*int64{}
	for i := range pr.publicID {
		id, err := insertPurchase(ctx, tx, &pr, i)
		if err != nil {
			return err
		}
		ids[pr.publicID[i]] = id
		users[pr.publicID[i]] = pr.user[i]
	}
	numbers := ir.trackingOf(tracking)
	rows := make([][]any, len(ir.publicID))
	for i := range ir.publicID {
		var from any
		if ir.shipFrom[i] != nil {
			from = []byte(*ir.shipFrom[i])
		}
		rows[i] = []any{ir.publicID[i], ids[ir.purchase[i]], m.ID, m.Record.AccountID, ir.piece[i], ir.day[i], ir.postage[i], ir.origin[i],
			ir.dest[i], ir.class[i], ir.services[i], []byte(ir.recipient[i]), ir.data[i], "issued", now, nullID(ir.costCode[i]), ir.reference[i], ir.weight[i],
			users[ir.purchase[i]], ir.country[i], from, numbers[i]}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"indicia"}, indiciaColumns, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("metering: store indicia: %w", err)
	}
	return nil
}

// nullID stores an id of 0 as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
