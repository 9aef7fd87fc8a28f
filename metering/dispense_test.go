package metering

import (
	"testing"

	"indicia/metering/box"
)

// The rule that chooses a group's dispensing strategy, case by case.
func TestChooseStrategy(t *testing.T) {
	full := boxCaps{many: true, chained: true}
	group := func(pieces int, key string) []*pending {
		return []*pending{{req: PurchaseRequest{Pieces: make([]PieceRequest, pieces), IdempotencyKey: key}}}
	}
	inFlight := func(hold, status string) *flight {
		return &flight{m: Meter{TamperHold: hold, Record: box.Record{Status: status}}}
	}
	active := inFlight("", box.StatusActive)
	cases := []struct {
		name string
		opt  Options
		g    meterGroup
		caps boxCaps
		want strategy
	}{
		{"an idle meter", Options{}, meterGroup{reqs: group(1, "")}, full, groupCommit},
		{"a busy meter", Options{}, meterGroup{reqs: group(1, ""), prev: active}, full, pipelined},
		{"a busy meter, pipeline off", Options{NoPipeline: true}, meterGroup{reqs: group(1, ""), prev: active}, full, groupCommit},
		{"a busy meter, group commit off", Options{Committers: -1}, meterGroup{reqs: group(1, ""), prev: active}, full, oneMeter},
		{"an idempotency key", Options{}, meterGroup{reqs: group(1, "k"), prev: active}, full, groupCommit},
		{"a tamper hold", Options{}, meterGroup{reqs: group(1, ""), prev: inFlight("mac", box.StatusActive)}, full, groupCommit},
		{"a suspended meter", Options{}, meterGroup{reqs: group(1, ""), prev: inFlight("", box.StatusSuspended)}, full, groupCommit},
		{"a big batch", Options{}, meterGroup{reqs: group(fastPathMaxPieces+1, ""), prev: active}, full, oneMeter},
		{"the biggest small batch", Options{}, meterGroup{reqs: group(fastPathMaxPieces, ""), prev: active}, full, pipelined},
		{"a box without chained steps", Options{}, meterGroup{reqs: group(1, ""), prev: active}, boxCaps{many: true}, groupCommit},
		{"a box with the base operations only", Options{}, meterGroup{reqs: group(1, ""), prev: active}, boxCaps{}, oneMeter},
		{"a box without many-meter requests", Options{}, meterGroup{reqs: group(1, "")}, boxCaps{chained: true}, oneMeter},
	}
	for _, c := range cases {
		s := New(nil, nil, c.opt)
		if got := s.chooseStrategy(c.g, c.caps); got != c.want {
			t.Errorf("%s: strategy %d, want %d", c.name, got, c.want)
		}
	}
}
