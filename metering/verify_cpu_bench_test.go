package metering_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/metering"
	"indicia/metering/meteringtest"
)

// BenchmarkVerifyParallelCPU is BenchmarkVerifyParallel (32 scanners)
// reporting what a valid scan costs in CPU: this process (Go; the
// in-process box is idle) and the PostgreSQL backends serving its database
// (read from /proc, so PostgreSQL must run on this machine).
func BenchmarkVerifyParallelCPU(b *testing.B) { benchVerifyCPU(b, 16) }

// BenchmarkVerifyParallelWide is the same with 128 scanners at once.
func BenchmarkVerifyParallelWide(b *testing.B) { benchVerifyCPU(b, 64) }

// benchVerifyCPU scans 400 labels in turn with parallelism × GOMAXPROCS
// scanners: first scans, then re-scans of the same pieces, all valid.
func benchVerifyCPU(b *testing.B, parallelism int) {
	bx := meteringtest.Start(b)
	svc, owner, _, pool := setupPool(b, bx, 400*78)
	const n = 400
	ctx := context.Background()
	pieces := make([]metering.PieceRequest, n)
	for i := range pieces {
		pieces[i] = piece(78)
	}
	p, err := svc.Purchase(ctx, owner, metering.PurchaseRequest{Pieces: pieces})
	if err != nil {
		b.Fatal(err)
	}
	texts := make([]string, len(p.Labels))
	for i, l := range p.Labels {
		texts[i] = textOf(b, l)
	}
	var next atomic.Int64
	b.SetParallelism(parallelism)
	goBefore, pgBefore := selfCPU(), backendsCPU(b, pool)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1)-1) % len(texts)
			req := metering.VerifyRequest{Text: texts[i], PieceRef: fmt.Sprintf("P%d", i), Location: "06901"}
			if v, err := svc.Verify(ctx, staff, req); err != nil || v.Result != metering.ResultValid {
				b.Fatal(v.Result, v.Reason, err)
			}
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	goCPU := selfCPU() - goBefore
	pgAfter := backendsCPU(b, pool)
	var pgCPU time.Duration
	for pid, t := range pgAfter {
		pgCPU += t - pgBefore[pid]
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "scans/s")
	b.ReportMetric(float64(goCPU.Microseconds())/float64(b.N), "go-µs/scan")
	b.ReportMetric(float64(pgCPU.Microseconds())/float64(b.N), "pg-µs/scan")
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backendsCPU reads the CPU time of every backend connected to the pool's database.
func backendsCPU(b *testing.B, pool *pgxpool.Pool) map[int]time.Duration {
	rows, err := pool.Query(context.Background(), `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	out := map[int]time.Duration{}
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			b.Fatal(err)
		}
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		out[pid] = time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ 100
	}
	return out
}
