package main

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"sync"

	"github.com/microcoach/microcoach/bot"
	"github.com/microcoach/microcoach/scheduler"
)

// ops is the operator's side of one serve: metrics, readiness, the admin
// listener, and the drain that lets in-flight sends finish on shutdown.
type ops struct {
	log     *slog.Logger
	metrics *metrics
	health  *health
	admin   *adminServer // nil when MICROCOACH_ADMIN_ADDR is empty
	be      *backend

	// drain ends drainTimeout after shutdown begins; Slack calls still
	// running then give up.
	drain       context.Context
	cancelDrain context.CancelFunc
	stopNotice  func() bool
	noticed     chan struct{} // closed once "shutting down" is logged
	transport   *http.Transport
	closeOnce   sync.Once
}

// startOps binds the admin listener (so a bad or busy address fails
// start-up before anything talks to Slack) and arms the shutdown drain.
func startOps(ctx context.Context, cfg Config, log *slog.Logger, h *hooks) (*ops, error) {
	o := &ops{log: log, metrics: newMetrics(), health: &health{probeEvery: h.probeEvery}}
	if cfg.AdminAddr != "" {
		a, err := listenAdmin(cfg, o.health, o.metrics, log.With("component", "admin"))
		if err != nil {
			return nil, err
		}
		o.admin = a
		if h.admin != nil {
			h.admin(a.Addr())
		}
	}
	grace := cmp.Or(h.drain, drainTimeout)
	o.drain, o.cancelDrain = drainContext(ctx, grace)
	o.noticed = make(chan struct{})
	o.stopNotice = context.AfterFunc(ctx, func() {
		defer close(o.noticed)
		o.health.stopping.Store(true)
		log.Info("shutting down: no new scheduled work; in-flight sends may finish", "within", grace.String())
	})
	o.transport = http.DefaultTransport.(*http.Transport).Clone()
	return o, nil
}

// attach makes the open database part of readiness and metrics, and
// closes it (with its inbox) with the rest.
func (o *ops) attach(be *backend) {
	o.be = be
	o.health.db.Store(be)
	o.metrics.watchDB(be)
}

// watchBot makes the bot's inbox part of the metrics.
func (o *ops) watchBot(b *bot.Bot) { o.metrics.watchBot(b) }

// httpClient is the Slack client's: counted, and cut off when the drain ends.
func (o *ops) httpClient() *http.Client {
	return &http.Client{Transport: &slackTransport{base: o.transport, metrics: o.metrics, log: o.log.With("component", "slack-api"), cutoff: o.drain}}
}

// observer hears the bot for metrics and readiness, and passes events on
// to extra (a test's or the demo's) when there is one. extra hears last,
// so when it learns the socket is up, /readyz already says so.
func (o *ops) observer(extra bot.Observer) bot.Observer {
	return observers{o.metrics, o.health, extra}
}

// outbox lets scheduled posts in flight at shutdown finish.
func (o *ops) outbox(next scheduler.Outbox) scheduler.Outbox {
	return drainOutbox{Outbox: next, drain: o.drain}
}

// close stops the admin listener (a backup in progress gets a few seconds),
// then closes the database. It is safe to call more than once.
func (o *ops) close() { o.closeOnce.Do(o.closeNow) }

func (o *ops) closeNow() {
	if !o.stopNotice() {
		<-o.noticed // keep the log in order: "shutting down" before "stopped"
	}
	if o.admin != nil {
		o.admin.close()
	}
	o.health.db.Store(nil)
	if o.be != nil {
		o.be.close(o.log)
	}
	o.cancelDrain()
	o.transport.CloseIdleConnections()
}
