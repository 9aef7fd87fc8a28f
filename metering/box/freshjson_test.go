package box

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
)

func TestStateJSONIsEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	hash := func() (h [32]byte) {
		for i := range h {
			h[i] = byte(r.IntN(256))
		}
		return h
	}
	num := func() int64 {
		switch r.IntN(4) {
		case 0:
			return 0
		case 1:
			return math.MinInt64 + r.Int64N(10)
		case 2:
			return math.MaxInt64 - r.Int64N(10)
		}
		return r.Int64N(1<<40) - 1<<39
	}
	ops := []string{TxPostage, TxCredit, TxDebit, "status active", "origin", "", "a<b>&c", "quote\"back\\slash", "tab\tnl\n", "é ü", "\u2028", "\xff"}
	step := func() *pending {
		if r.IntN(3) == 0 {
			return nil
		}
		return &pending{Counter: num(), Hash: hash(), Op: ops[r.IntN(len(ops))], FirstPiece: num(), LastPiece: num(), Amount: num()}
	}
	for i := range 5000 {
		st := meterState{Counter: num(), Hash: hash(), Pending: step(), Next: step()}
		want, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendStateJSON([]byte("prefix"), &st)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got[len("prefix"):], want) {
			t.Fatalf("state %d:\n got %s\nwant %s", i, got[len("prefix"):], want)
		}
	}
}
