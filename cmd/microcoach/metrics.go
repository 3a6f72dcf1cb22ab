package main

import (
	"math"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/microcoach/microcoach/bot"
	"github.com/microcoach/microcoach/coach"
)

// metrics are what /metrics serves. Each serve has its own registry, so
// tests can run several at once; nothing is registered globally.
type metrics struct {
	reg *prometheus.Registry

	envelopes   *prometheus.CounterVec
	ackLatency  *prometheus.HistogramVec
	connected   prometheus.Gauge
	leader      prometheus.Gauge
	apiCalls    *prometheus.CounterVec
	rateLimited *prometheus.CounterVec
	messages    *prometheus.CounterVec
	lag         *prometheus.HistogramVec
}

var _ bot.Observer = (*metrics)(nil)

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		envelopes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "microcoach_envelopes_total",
			Help: "Socket Mode envelopes received, by envelope type (slash_commands, interactive, events_api).",
		}, []string{"type"}),
		ackLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "microcoach_envelope_ack_seconds",
			Help:    "Time from reading an envelope to queueing its ack, by envelope type. Slack gives up after 3 s.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 3},
		}, []string{"type"}),
		leader: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "microcoach_leader",
			Help: "1 while this process runs the scheduler (with PostgreSQL, the one replica holding the leader lock), else 0.",
		}),
		connected: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "microcoach_socket_connected",
			Help: "1 while the Socket Mode connection to Slack is up, else 0.",
		}),
		apiCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "microcoach_slack_api_calls_total",
			Help: `Slack Web API calls, by method and outcome: "ok", Slack's error code, "ratelimited" (HTTP 429), "http_<status>" or "transport_error".`,
		}, []string{"method", "outcome"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "microcoach_slack_rate_limited_total",
			Help: "Slack Web API calls answered with HTTP 429 (rate limited), by method.",
		}, []string{"method"}),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "microcoach_scheduled_messages_total",
			Help: `Scheduled messages finished, by cadence and outcome ("sent" or "skipped").`,
		}, []string{"cadence", "outcome"}),
		lag: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "microcoach_scheduler_lag_seconds",
			Help:    "Time from when a scheduled message was due to when Slack accepted it, by cadence.",
			Buckets: []float64{.1, .5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600},
		}, []string{"cadence"}),
	}
	// Series that exist from the start read 0 instead of missing, so
	// rate() and alerts work before the first event.
	for _, t := range []string{"slash_commands", "interactive", "events_api"} {
		m.envelopes.WithLabelValues(t)
		m.ackLatency.WithLabelValues(t)
	}
	for _, c := range []coach.Cadence{coach.CadenceNudge, coach.CadenceCheckin, coach.CadenceRefresh, coach.CadenceReminder, coach.CadenceDigest} {
		m.messages.WithLabelValues(string(c), string(coach.DeliverySent))
		m.messages.WithLabelValues(string(c), string(coach.DeliverySkipped))
		m.lag.WithLabelValues(string(c))
	}
	m.rateLimited.WithLabelValues("chat.postMessage")
	m.reg.MustRegister(m.envelopes, m.ackLatency, m.connected, m.leader, m.apiCalls, m.rateLimited, m.messages, m.lag,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfo(),
	)
	return m
}

func buildInfo() prometheus.Collector {
	goVersion := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "microcoach_build_info",
		Help:        "Always 1; the labels say which build is running.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": goVersion},
	})
	g.Set(1)
	return g
}

// Envelope implements bot.Observer.
func (m *metrics) Envelope(envelopeType string, ackLatency time.Duration) {
	m.envelopes.WithLabelValues(envelopeType).Inc()
	m.ackLatency.WithLabelValues(envelopeType).Observe(ackLatency.Seconds())
}

// Connection implements bot.Observer.
func (m *metrics) Connection(up bool) {
	if up {
		m.connected.Set(1)
	} else {
		m.connected.Set(0)
	}
}

// delivery is the scheduler's Observe hook.
func (m *metrics) delivery(d coach.Delivery, outcome string, lag time.Duration) {
	m.messages.WithLabelValues(string(d.Cadence), outcome).Inc()
	if outcome == string(coach.DeliverySent) {
		m.lag.WithLabelValues(string(d.Cadence)).Observe(max(lag, 0).Seconds())
	}
}

// apiCall counts one Slack Web API call.
func (m *metrics) apiCall(method, outcome string) {
	m.apiCalls.WithLabelValues(method, outcome).Inc()
	if outcome == outcomeRateLimited {
		m.rateLimited.WithLabelValues(method).Inc()
	}
}

// watchDB adds which store this is, its failed writes and, for bbolt,
// the file's size.
func (m *metrics) watchDB(be *backend) {
	backend := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "microcoach_store_backend",
		Help: "1 for the database this microcoach keeps its data in: bbolt (one process) or postgres (replicas).",
	}, []string{"backend"})
	backend.WithLabelValues(be.kind()).Set(1)
	m.reg.MustRegister(backend)
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "microcoach_db_write_failures_total",
		Help: "Failed database writes of the inbox (every envelope and its completion) and of /readyz's write probe. A full or read-only disk, or PostgreSQL down, shows here.",
	}, func() float64 { return float64(be.WriteFailures()) }))
	if be.bolt == nil {
		return
	}
	db := be.bolt
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "microcoach_db_size_bytes",
		Help: "Size of the bbolt database file. bbolt files never shrink; free pages are reused.",
	}, func() float64 {
		n, err := db.Size()
		if err != nil {
			return math.NaN()
		}
		return float64(n)
	}))
}

// leading sets microcoach_leader.
func (m *metrics) leading(yes bool) {
	if yes {
		m.leader.Set(1)
	} else {
		m.leader.Set(0)
	}
}

// watchBot adds the inbox's backlog and what the bot turned away.
func (m *metrics) watchBot(b *bot.Bot) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "microcoach_inbox_backlog",
		Help: "Acknowledged envelopes waiting for or in work. New ones are answered busy when it reaches its bound.",
	}, func() float64 { n, _ := b.Backlog(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "microcoach_inbox_oldest_seconds",
			Help: "Age of the oldest envelope in the backlog; 0 when it is empty.",
		}, func() float64 { _, age := b.Backlog(); return age.Seconds() }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "microcoach_inbox_busy_total",
			Help: `Envelopes acked but answered "busy, try again in a minute" because the backlog was at its bound.`,
		}, func() float64 { return float64(b.Busy()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "microcoach_inbox_refused_total",
			Help: `Envelopes acked but answered "not saved" because the inbox could not be written.`,
		}, func() float64 { return float64(b.Refused()) }),
	)
}

// observers passes each event to every observer that is not nil.
type observers []bot.Observer

func (obs observers) Envelope(t string, d time.Duration) {
	for _, o := range obs {
		if o != nil {
			o.Envelope(t, d)
		}
	}
}

func (obs observers) Connection(up bool) {
	for _, o := range obs {
		if o != nil {
			o.Connection(up)
		}
	}
}
