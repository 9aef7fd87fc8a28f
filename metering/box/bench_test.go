package box

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"runtime"
	"testing"
	"time"

	"indicia/metering/indicium"
)

// Throughput is what these compare: each reports pieces/s and ECDSA
// signatures/s over the whole run, all CPUs busy.

func reportRate(b *testing.B, start time.Time, pieces, signsPerPiece int) {
	s := time.Since(start).Seconds()
	b.ReportMetric(float64(pieces)/s, "pieces/s")
	b.ReportMetric(float64(pieces*signsPerPiece)/s, "signs/s")
}

// BenchmarkRawECDSASign signs indicia in-process: the ceiling.
func BenchmarkRawECDSASign(b *testing.B) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	id, _ := indicium.KeyID(&key.PublicKey)
	p := piece(73, "10001")
	f := indicium.Fields{MeterSerial: "IND-BENCH", KeyID: id, MailingDate: p.MailingDate, Postage: p.Postage, AR: 1,
		PieceCount: 1, OriginZIP: "12345", DestZIP: p.DestZIP, MailClass: p.MailClass, RecipientHash: p.RecipientHash}
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := indicium.Sign(f, key); err != nil {
				b.Error(err)
			}
		}
	})
	reportRate(b, start, b.N, 1)
}

// benchBox runs the box server in-process and hands each parallel
// goroutine its own funded meter. Each call is one Dispense of batch pieces
// followed by Commit, as serve does after its database commit.
func benchBox(b *testing.B, batch, parallelism int, commit bool) {
	e := newEnv(b, time.Now())
	c, _ := e.start(b)
	meters := make(chan *meter, runtime.GOMAXPROCS(0)*parallelism)
	for i := range cap(meters) {
		meters <- activeMeter(b, c, fmt.Sprintf("IND-B%04d", i), "12345", 1e11)
	}
	ps := pieces(batch, 50)
	b.SetParallelism(parallelism)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		m := <-meters
		for pb.Next() {
			res, err := c.Dispense(ctx, m.rec, ps)
			if err != nil {
				b.Error(err)
				return
			}
			m.rec = res.Record
			if commit {
				if err := c.Commit(ctx, m.rec.Serial, m.rec.Counter); err != nil {
					b.Error(err)
					return
				}
			}
		}
	})
	// Each piece carries two signatures: its indicium and its transaction record.
	reportRate(b, start, b.N*batch, 2)
}

func BenchmarkBoxDispenseOverSocket(b *testing.B) {
	b.Run("commit", func(b *testing.B) { benchBox(b, 1, 16, true) })
	b.Run("implicit-commit", func(b *testing.B) { benchBox(b, 1, 16, false) })
}

func BenchmarkBoxDispenseBatchOverSocket(b *testing.B) {
	for _, n := range []int{10, 100} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchBox(b, n, 4, true) })
	}
}
