package metering

import "time"

// markUsedSQL marks the labels of a batch's first valid scans used.
const markUsedSQL = `UPDATE indicia i SET used_at = u.at, used_piece_ref = u.ref, used_location = u.loc
	FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[]) AS u(id, at, ref, loc) WHERE i.id = u.id`

// usedMarks are the columns of markUsedSQL.
type usedMarks struct {
	ids      []int64
	at       []time.Time
	ref, loc []string
}

func (u *usedMarks) add(id int64, sc Scan) {
	u.ids, u.at, u.ref, u.loc = append(u.ids, id), append(u.at, sc.At), append(u.ref, sc.PieceRef), append(u.loc, sc.Location)
}

// insertVerificationsSQL logs a batch's verifications, ids drawn beforehand.
const insertVerificationsSQL = `INSERT INTO verifications (id, user_id, indicium_id, result, reason, indicium_hash, serial, piece_number,
		piece_ref, location, ip, recipient_match, created_at)
	SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::bytea[], $7::text[], $8::bigint[],
		$9::text[], $10::text[], $11::text[], $12::boolean[], $13::timestamptz[])`

// verificationRows are the columns of insertVerificationsSQL.
type verificationRows struct {
	id                                        []int64
	user, indicium                            []*int64
	result, reason, serial, ref, location, ip []string
	hash                                      [][]byte
	piece                                     []int64
	match                                     []*bool
	at                                        []time.Time
}

func (r *verificationRows) add(j *scanJob, v Verification, indiciumID *int64) {
	var user *int64
	if j.actor.ID != 0 {
		id := j.actor.ID
		user = &id
	}
	var serial string
	var piece int64
	if v.Fields != nil {
		serial, piece = v.Fields.Serial, v.Fields.PieceNumber
	}
	r.id, r.user, r.indicium = append(r.id, v.ID), append(r.user, user), append(r.indicium, indiciumID)
	r.result, r.reason, r.hash = append(r.result, string(v.Result)), append(r.reason, v.Reason), append(r.hash, j.hash)
	r.serial, r.piece = append(r.serial, serial), append(r.piece, piece)
	r.ref, r.location, r.ip = append(r.ref, j.req.PieceRef), append(r.location, j.req.Location), append(r.ip, j.req.IP)
	r.match, r.at = append(r.match, v.RecipientMatch), append(r.at, v.At)
}

func (r *verificationRows) args() []any {
	return []any{r.id, r.user, r.indicium, r.result, r.reason, r.hash, r.serial, r.piece, r.ref, r.location, r.ip, r.match, r.at}
}
