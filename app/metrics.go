package app

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"indicia/metering"
)

// meteringMetrics are the metering service's metrics on /metrics.
type meteringMetrics struct {
	tampers       *prometheus.CounterVec
	batchMeters   prometheus.Histogram
	chainedGroups prometheus.Counter
}

func newMeteringMetrics(reg *prometheus.Registry) *meteringMetrics {
	m := &meteringMetrics{
		tampers: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "indicia_tamper_alerts_total",
			Help: "Tamper alerts raised by this process, by failed check (mac, freshness)."}, []string{"reason"}),
		batchMeters: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "indicia_dispense_batch_meters",
			Help: "Meters served by one cross-meter dispensing transaction (group commit).", Buckets: []float64{1, 2, 4, 8, 16, 32, 64}}),
		chainedGroups: prometheus.NewCounter(prometheus.CounterOpts{Name: "indicia_dispense_chained_groups_total",
			Help: "Groups of purchases on one meter served on the pipelined path (signed while the previous group committed)."}),
	}
	reg.MustRegister(m.tampers, m.batchMeters, m.chainedGroups)
	return m
}

func (m *meteringMetrics) tamper(_, reason string) { m.tampers.WithLabelValues(reason).Inc() }
func (m *meteringMetrics) batch(meters, _ int)     { m.batchMeters.Observe(float64(meters)) }
func (m *meteringMetrics) chained(int)             { m.chainedGroups.Inc() }

// registerOpenAlerts exposes the unresolved tamper alerts, read at each scrape.
func registerOpenAlerts(reg *prometheus.Registry, met *metering.Service) {
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "indicia_tamper_alerts_open", Help: "Unresolved tamper alerts."},
		func() float64 { n, _ := met.OpenAlerts(context.Background()); return float64(n) }))
}
