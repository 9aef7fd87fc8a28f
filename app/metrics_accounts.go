package app

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"indicia/accounts"
)

// newLoginChainMetrics counts the breaks of the login chain this process
// found (each started a new segment and raised an alert), by reason.
func newLoginChainMetrics(reg *prometheus.Registry) func(reason string) {
	breaks := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "indicia_login_chain_breaks_total",
		Help: "Broken links of the login chain found by this process at login, by reason (edited, signature, refused)."}, []string{"reason"})
	reg.MustRegister(breaks)
	return func(reason string) { breaks.WithLabelValues(reason).Inc() }
}

// registerOpenChainAlerts exposes the unresolved login chain alerts, read at
// each scrape.
func registerOpenChainAlerts(reg *prometheus.Registry, acc *accounts.Service) {
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "indicia_login_chain_alerts_open", Help: "Unresolved login chain alerts."},
		func() float64 { n, _ := acc.OpenChainAlerts(context.Background()); return float64(n) }))
}
