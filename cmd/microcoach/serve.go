package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/microcoach/microcoach/bot"
	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/coach/coachfile"
	"github.com/microcoach/microcoach/scheduler"
	"github.com/microcoach/microcoach/storage"

	_ "time/tzdata" // time zones in a scratch container
)

// hooks let tests and the demo reach inside a running serve.
type hooks struct {
	// clock replaces the wall clock of the bot and the scheduler.
	clock scheduler.Clock
	// maxWake caps the scheduler's sleep (tests and the demo tick often).
	maxWake time.Duration
	// manualTicks leaves the scheduler's driver loop off: the caller ticks
	// the engine itself (the demo walks through a month that way).
	manualTicks bool
	// started is called once the bot is built, before it connects.
	started func(db *storage.DB, engine *scheduler.Engine)
	// observer receives bot metrics.
	observer bot.Observer
	// drain replaces drainTimeout, how long shutdown lets in-flight sends run.
	drain time.Duration
	// admin is told the admin listener's address once it is bound.
	admin func(addr string)
	// probeEvery replaces probeInterval, how often /readyz may write.
	probeEvery time.Duration
	// connected is called each time the bot has handled Socket Mode's
	// Connected event: readiness and metrics already say connected.
	connected func()
}

// onConnected is an observer that calls f when the socket comes up.
type onConnected func()

func (onConnected) Envelope(string, time.Duration) {}

func (f onConnected) Connection(up bool) {
	if up && f != nil {
		f()
	}
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.slogLevel()}
	if strings.EqualFold(cfg.LogFormat, "json") {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func loadQuestions(cfg Config, model coach.Model) (coach.QuestionBank, error) {
	if cfg.QuestionsFile == "" {
		return coach.DefaultQuestions().ForModel(model), nil
	}
	q, err := coachfile.LoadQuestions(cfg.QuestionsFile, model)
	if err != nil {
		return coach.QuestionBank{}, &configError{Var: envPrefix + "_QUESTIONS_FILE", Problem: err.Error()}
	}
	return q, nil
}

func loadModel(cfg Config) (coach.Model, error) {
	if cfg.ModelFile == "" {
		return coach.PMwheel(), nil
	}
	m, err := coachfile.LoadModel(cfg.ModelFile)
	if err != nil {
		return coach.Model{}, &configError{Var: envPrefix + "_MODEL_FILE", Problem: err.Error()}
	}
	return m, nil
}

// serve connects to Slack and answers until ctx is done.
func serve(ctx context.Context, cfg Config, logw io.Writer, h *hooks) error {
	if err := cfg.requireTokens(); err != nil {
		return err
	}
	if h == nil {
		h = &hooks{}
	}
	if h.clock == nil {
		h.clock = scheduler.RealClock{}
	}
	log := newLogger(cfg, logw)
	model, err := loadModel(cfg)
	if err != nil {
		return err
	}
	questions, err := loadQuestions(cfg, model)
	if err != nil {
		return err
	}
	sched, err := parseSchedules(cfg)
	if err != nil {
		return err
	}
	o, err := startOps(ctx, cfg, log, h)
	if err != nil {
		return err
	}
	defer o.close()
	be, err := openBackend(ctx, cfg, log.With("component", "storage"))
	if err != nil {
		return err
	}
	o.attach(be)

	api := slack.New(cfg.BotToken,
		slack.OptionAppLevelToken(cfg.AppToken),
		slack.OptionAPIURL(cfg.SlackAPIURL),
		slack.OptionHTTPClient(o.httpClient()),
		slack.OptionLog(slog.NewLogLogger(log.With("component", "slack-go").Handler(), slog.LevelDebug)),
	)
	auth, err := api.AuthTestContext(ctx)
	if err != nil {
		return authError("SLACK_BOT_TOKEN", err)
	}
	log.Info("connected to Slack Web API", "team", auth.Team, "bot_user", auth.UserID, "model", model.Name, "areas", len(model.Areas), "questions", len(questions.Questions), "db", be.where)

	sm := socketmode.New(api,
		socketmode.OptionLog(slog.NewLogLogger(log.With("component", "socketmode").Handler(), slog.LevelDebug)),
	)
	// /coach question goes through the scheduler, built after the bot
	// (the bot is its Outbox); both exist before anything runs.
	var engine *scheduler.Engine
	ask := func(ctx context.Context, d coach.Delivery) (coach.Delivery, error) { return engine.Deliver(ctx, d) }
	b := bot.New(bot.Config{
		API: api, Store: be, Ask: ask, Model: model, Questions: questions, BotUserID: auth.UserID,
		Logger: log.With("component", "bot"), Now: h.clock.Now, Upcoming: sched.upcoming,
		Observer: o.observer(observers{h.observer, onConnected(h.connected)}), DigestChannel: cfg.DigestChannel,
		Admins: cfg.Admins, SlackAPIURL: cfg.SlackAPIURL, Screen: be.screen,
		Inbox: be.inbox, Orphans: be.orphans, Workers: cfg.InboxWorkers, Backlog: cfg.InboxBacklog, Drain: cmp.Or(h.drain, drainTimeout),
	})
	o.watchBot(b)
	engine = scheduler.New(scheduler.Config{
		Nudge: sched.nudge, Checkin: sched.checkin, Refresh: sched.refresh, Digest: sched.digest,
		Store: be, Outbox: o.outbox(b), Questions: questions, Clock: h.clock, MaxWake: h.maxWake,
		Logger: log.With("component", "scheduler"), Observe: o.metrics.delivery, RetentionMonths: cfg.LedgerRetentionMonths,
	})

	// The scheduler stops with the bot: on shutdown, or when Slack refuses
	// the app token for good.
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	if h.started != nil {
		h.started(be.bolt, engine)
	}
	// The scheduler and the expiry run on the leader only: with bbolt that
	// is this process; with PostgreSQL, the replica holding the lock.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		be.leader.Run(runCtx, func(ctx context.Context) {
			// The leadership logs its changes (postgres.Leader); bbolt's
			// process leads from start to end.
			o.metrics.leading(true)
			defer o.metrics.leading(false)
			var lw sync.WaitGroup
			lw.Add(1)
			go func() {
				defer lw.Done()
				expireLoop(ctx, be, h.clock.Now, log.With("component", "storage"))
			}()
			if !h.manualTicks {
				engine.Run(ctx)
			}
			<-ctx.Done()
			lw.Wait()
		})
	}()
	runErr := b.Run(runCtx, sm)
	stop()
	wg.Wait()
	if runErr != nil {
		return authError("SLACK_APP_TOKEN", runErr)
	}
	o.close()
	log.Info("stopped")
	return nil
}

// authError turns Slack's refusal of a token into a configuration error
// (exit 2); other failures stay as they are.
func authError(variable string, err error) error {
	for _, code := range []string{"invalid_auth", "not_authed", "account_inactive", "token_revoked", "not_allowed_token_type"} {
		if strings.Contains(err.Error(), code) {
			return &configError{Var: variable, Problem: fmt.Sprintf("Slack refused the token (%s)", code)}
		}
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return fmt.Errorf("slack is rate limiting us (retry after %s): %w", rl.RetryAfter, err)
	}
	return fmt.Errorf("slack: %w", err)
}
