package box

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkKeystores compares the file keystore with a SoftHSM2 token in one
// run, operation by operation (all CPUs busy): what the box asks of its own
// keys (transaction and root signatures, a meter's record-MAC key, a meter
// key's unwrap, the pepper), the record MAC as the box computes it (the
// meter's key cached after the first), and whole in-process dispenses,
// whose indicium signature uses the meter key in the box's memory with
// either keystore.
//
//	go test ./metering/box -run '^$' -bench BenchmarkKeystores -benchtime 2s
func BenchmarkKeystores(b *testing.B) {
	for _, kind := range []string{KeystoreFile, KeystorePKCS11} {
		b.Run(kind, func(b *testing.B) {
			e := newFileEnv(b, time.Now())
			if kind == KeystorePKCS11 {
				e = newTokenEnv(b, time.Now())
			}
			ops := e.openKeys(b)
			bx, err := NewWithKeys(ops, b.TempDir(), nil)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { bx.Close() })
			version := bx.currentMAC()
			digest := sha256.Sum256([]byte("a transaction record"))
			key := []byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0")
			wrapped, err := ops.WrapMeterKey("IND-BENCH", 1, key)
			if err != nil {
				b.Fatal(err)
			}
			var seq atomic.Int64
			perOp := func(name string, f func() error) {
				b.Run(name, func(b *testing.B) {
					start := time.Now()
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							if err := f(); err != nil {
								b.Error(err)
								return
							}
						}
					})
					b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
				})
			}
			perOp("tx-sign", func() error { _, err := ops.SignTx(digest[:]); return err })
			perOp("root-sign", func() error { _, err := ops.RootSigner().Sign(rand.Reader, digest[:], crypto.SHA256); return err })
			perOp("record-mac-key", func() error {
				_, err := ops.RecordMACKey(version, fmt.Sprintf("IND-%d", seq.Add(1)))
				return err
			})
			rec := Record{Serial: "IND-BENCH", MACVersion: version, Status: StatusActive}
			perOp("record-mac", func() error { _, err := bx.mac(&rec); return err })
			perOp("unwrap", func() error { _, err := ops.UnwrapMeterKey("IND-BENCH", 1, wrapped); return err })
			perOp("pepper", func() error { _, err := ops.Pepper([]byte("a password")); return err })
			b.Run("dispense", func(b *testing.B) { benchDispense(b, bx) })
		})
	}
}

var benchRound atomic.Int64

// benchDispense is single-piece dispensing in-process with many meters;
// it reports indicium signatures/s (and the transaction records' too).
func benchDispense(b *testing.B, bx *Box) {
	meters := make(chan Record, runtime.GOMAXPROCS(0)*16)
	round := benchRound.Add(1) // the benchmark runs again with a larger b.N
	for i := range cap(meters) {
		rec, _, err := bx.CreateMeter(fmt.Sprintf("IND-K%d-%04d", round, i), "M", 1)
		for _, step := range []func(Record) (Record, TxRecord, error){
			func(r Record) (Record, TxRecord, error) { return bx.SetStatus(r, StatusRegistered, "") },
			func(r Record) (Record, TxRecord, error) { return bx.SetStatus(r, StatusActive, "") },
			func(r Record) (Record, TxRecord, error) { return bx.Credit(r, 1e11, "T") },
		} {
			if err == nil {
				rec, _, err = step(rec)
			}
		}
		if err != nil {
			b.Fatal(err)
		}
		meters <- rec
	}
	p := piece(50, "10001")
	p.OriginZIP = "12345"
	ps := []Piece{p}
	b.SetParallelism(16)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		rec := <-meters
		for pb.Next() {
			res, err := bx.Dispense(rec, ps)
			if err != nil {
				b.Error(err)
				return
			}
			rec = res.Record
		}
	})
	reportRate(b, start, b.N, 2)
}

// BenchmarkKeystoresDispenseInterleaved is the dispensing ratio on a shared
// machine: a box on the file keystore and one on a token dispense single
// pieces in-process, 200 ms each in turn with the same goroutines, so
// load from other processes hits both alike. It reports each one's
// indicium signatures/s and token/file.
//
//	go test ./metering/box -run '^$' -bench BenchmarkKeystoresDispenseInterleaved -benchtime 10x
func BenchmarkKeystoresDispenseInterleaved(b *testing.B) {
	const workers = 16
	boxes := map[string]*Box{}
	meters := map[string][]Record{}
	for _, kind := range []string{KeystoreFile, KeystorePKCS11} {
		e := newFileEnv(b, time.Now())
		if kind == KeystorePKCS11 {
			e = newTokenEnv(b, time.Now())
		}
		bx, err := NewWithKeys(e.openKeys(b), b.TempDir(), nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { bx.Close() })
		boxes[kind] = bx
		for i := range workers {
			rec, _, err := bx.CreateMeter(fmt.Sprintf("IND-IL%04d", i), "M", 1)
			for _, step := range []func(Record) (Record, TxRecord, error){
				func(r Record) (Record, TxRecord, error) { return bx.SetStatus(r, StatusRegistered, "") },
				func(r Record) (Record, TxRecord, error) { return bx.SetStatus(r, StatusActive, "") },
				func(r Record) (Record, TxRecord, error) { return bx.Credit(r, 1e11, "T") },
			} {
				if err == nil {
					rec, _, err = step(rec)
				}
			}
			if err != nil {
				b.Fatal(err)
			}
			meters[kind] = append(meters[kind], rec)
		}
	}
	p := piece(50, "10001")
	p.OriginZIP = "12345"
	ps := []Piece{p}
	count := map[string]int64{}
	spent := map[string]time.Duration{}
	b.ResetTimer()
	for range b.N {
		for _, kind := range []string{KeystoreFile, KeystorePKCS11} {
			bx, recs := boxes[kind], meters[kind]
			var n atomic.Int64
			start := time.Now()
			deadline := start.Add(200 * time.Millisecond)
			done := make(chan struct{})
			for w := range workers {
				go func() {
					defer func() { done <- struct{}{} }()
					for time.Now().Before(deadline) {
						res, err := bx.Dispense(recs[w], ps)
						if err != nil {
							b.Error(err)
							return
						}
						recs[w] = res.Record
						n.Add(1)
					}
				}()
			}
			for range workers {
				<-done
			}
			count[kind] += n.Load()
			spent[kind] += time.Since(start)
		}
	}
	file := float64(count[KeystoreFile]) / spent[KeystoreFile].Seconds()
	token := float64(count[KeystorePKCS11]) / spent[KeystorePKCS11].Seconds()
	b.ReportMetric(file, "file-indicia/s")
	b.ReportMetric(token, "token-indicia/s")
	b.ReportMetric(token/file, "token/file")
}
