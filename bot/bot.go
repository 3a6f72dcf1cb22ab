// Package bot is microcoach's Slack surface: the Socket Mode loop, command
// parsing and the handlers. The Block Kit views they send are pure
// functions in package bot/blocks.
//
// Every envelope is acknowledged as soon as it is kept, before any slow
// work: an envelope that asks for work is written to a durable inbox first
// (see inbox.go); a view submission is validated first (pure,
// microseconds) because its errors travel in the ack. Handlers run on a
// fixed pool of workers, share no mutable state, recover from panics, and
// always tell the person when something went wrong.
package bot

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/coach"
)

// Store is what the bot needs from storage: the small interfaces each
// feature defines beside its handlers. Each method that changes anything
// is one transaction; see package storage for the details. storage.DB and
// postgres.DB are Stores.
type Store interface {
	PersonStore     // prefs.go
	RatingStore     // rate.go
	TeamStore       // team.go
	InvitationStore // team.go
	ChallengeStore  // challenge.go
	PlanStore       // plan.go
	CheckinStore    // checkin.go: the cadence's deliveries and colours
	AnswerStore     // answers.go
	EventClaimer    // dm.go
	PrepStore       // prep.go
	PrivacyStore    // privacy.go
}

// Config is what a Bot is built from.
type Config struct {
	API        *slack.Client
	Store      Store
	Model      coach.Model
	Logger     *slog.Logger
	Now        func() time.Time // defaults to time.Now
	HTTPClient *http.Client     // for response_url posts; defaults to a client with a 10 s timeout
	// HandlerTimeout bounds the work of one envelope after its ack.
	HandlerTimeout time.Duration // defaults to 30 s
	// Upcoming phrases what is next in a person's cadence for their Home
	// tab ("Weekly nudge: Mon 30 Nov, 09:30"); optional.
	Upcoming func(p coach.Person, now time.Time) []string
	// Questions is the question bank; defaults to the built-in one.
	Questions coach.QuestionBank
	// BotUserID is the bot's own user id (from auth.test), so it never
	// answers its own messages.
	BotUserID string
	// Observer hears about envelopes and connections (metrics); optional.
	Observer Observer
	// DigestChannel is the default channel id for managers' digests; ""
	// sends them to the manager's DM.
	DigestChannel string
	// Admins may assign managers of record (MICROCOACH_ADMINS); being one
	// grants no access to anyone's coaching data.
	Admins []string
	// SlackAPIURL is the Web API's base URL; a response_url is used only
	// when it points at that host or one of its subdomains (Slack's are
	// on hooks.slack.com), never at a URL a forged payload names.
	// Defaults to https://slack.com/api/.
	SlackAPIURL string

	// Inbox keeps envelopes between their ack and the end of their work
	// (storage.Inbox is one). Without it nothing survives a crash.
	Inbox Inbox
	// Workers is how many envelopes are worked on at once (DefaultWorkers).
	Workers int
	// Backlog is how many acknowledged envelopes may wait before new ones
	// are answered "busy" (DefaultBacklog).
	Backlog int
	// Drain is how long work goes on after shutdown begins; the rest stays
	// in the inbox (DefaultDrain).
	Drain time.Duration
	// Ask sends a message someone asked for (/coach question) through the
	// scheduler (scheduler.Engine.Deliver), which keeps the ledger. It
	// returns the ledger row; an error with a SkipReason() method when
	// the message is not owed.
	Ask func(ctx context.Context, d coach.Delivery) (coach.Delivery, error)
	// Orphans, when set, hands this replica the inbox entries of replicas
	// that died (a shared inbox: PostgreSQL's). Run calls it every
	// AdoptEvery and works what it yields like its own leftovers, so an
	// envelope acknowledged by a replica that was killed is still done.
	Orphans func(fn func(seq uint64, record []byte) error) error
	// AdoptEvery is how often Run looks for orphans (DefaultAdoptEvery).
	AdoptEvery time.Duration
	// Screen runs fn with reads that all come from one read transaction
	// (storage's DB.View); optional: without it each read is its own.
	Screen func(fn func(r ScreenReader) error) error

	// TextOnly turns the pictures off: every surface shows its text view
	// (see pictures.go).
	TextOnly bool
}

// Bot answers Slack envelopes.
type Bot struct {
	api     *slack.Client
	store   Store
	model   coach.Model
	log     *slog.Logger
	now     func() time.Time
	http    *http.Client
	timeout time.Duration

	inflight  sync.WaitGroup
	users     *userCache
	upcoming  func(coach.Person, time.Time) []string
	questions coach.QuestionBank
	botUser   string
	observer  Observer

	defaultDigest string
	policy        coach.Policy
	slackHost     *url.URL

	in          *inbox
	orphans     func(fn func(seq uint64, record []byte) error) error
	ask         func(ctx context.Context, d coach.Delivery) (coach.Delivery, error)
	adoptEvery  time.Duration
	notices     chan notice
	screenReads func(fn func(r ScreenReader) error) error

	subcommands []subcommand             // the /coach registry, coachCommands(b)
	actions     map[string]actionHandler // action ids, actionHandlers(b)
	submits     map[string]submitHandler // view callback ids, submitHandlers(b)

	textOnly bool
	homes    *homePublishes
	pictures *pictureCache
	renders  *renderCache
}

// New returns a Bot. It does no I/O.
func New(cfg Config) *Bot {
	b := &Bot{
		api:       cfg.API,
		store:     cfg.Store,
		model:     cfg.Model,
		log:       cfg.Logger,
		now:       cfg.Now,
		http:      cfg.HTTPClient,
		timeout:   cfg.HandlerTimeout,
		upcoming:  cfg.Upcoming,
		questions: cfg.Questions,
		botUser:   cfg.BotUserID,
		observer:  cfg.Observer,

		defaultDigest: cfg.DigestChannel,
		policy:        coach.NewPolicy(cfg.Admins),
		screenReads:   cfg.Screen,

		textOnly: cfg.TextOnly,
		homes:    &homePublishes{state: map[string]bool{}},
		pictures: newPictureCache(),
		renders:  newRenderCache(),
	}
	api := cfg.SlackAPIURL
	if api == "" {
		api = slack.APIURL
	}
	if u, err := url.Parse(api); err == nil {
		b.slackHost = u
	}
	if b.observer == nil {
		b.observer = nopObserver{}
	}
	if len(b.questions.Questions) == 0 {
		b.questions = coach.DefaultQuestions().ForModel(b.model)
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.http == nil {
		b.http = &http.Client{Timeout: 10 * time.Second}
	}
	if b.timeout == 0 {
		b.timeout = 30 * time.Second
	}
	b.users = newUserCache(b.api, b.now, time.Hour)
	b.subcommands = coachCommands(b)
	b.actions, b.submits = actionHandlers(b), submitHandlers(b)
	b.in = newInbox(cfg.Inbox, cfg.Workers, cfg.Backlog, cfg.Drain)
	b.orphans, b.adoptEvery = cfg.Orphans, cmp.Or(cfg.AdoptEvery, DefaultAdoptEvery)
	b.ask = cfg.Ask
	b.notices = make(chan notice, 64)
	return b
}

// Run reads envelopes from sm until ctx is done or sm stops for good (a
// revoked app token). It first queues what a previous run left in the
// inbox, and starts sm.RunContext itself. When ctx ends it stops taking
// envelopes and lets the workers go on for the drain time; what is not
// done by then stays in the inbox.
func (b *Bot) Run(ctx context.Context, sm *socketmode.Client) error {
	recovered, err := b.recoverInbox()
	if err != nil {
		return fmt.Errorf("bot: %w", err)
	}
	if len(recovered) > 0 {
		b.log.Info("inbox: work left by the previous run comes first", "envelopes", len(recovered))
	}
	in := b.in
	in.admitted = make(chan *job, in.bound)
	in.queue = make(chan *job, in.bound+len(recovered)+maxBatch)
	for _, j := range recovered {
		in.queue <- j
	}
	drain, cancelDrain := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelDrain()
	stopDrain := context.AfterFunc(ctx, func() {
		t := time.NewTimer(in.drain)
		defer t.Stop()
		select {
		case <-t.C:
			cancelDrain()
		case <-drain.Done():
		}
	})
	defer stopDrain()
	var workers sync.WaitGroup
	for range in.workers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			b.work(drain)
		}()
	}
	committed := make(chan struct{})
	go func() {
		defer close(committed)
		b.commit(ctx, sm)
	}()
	noticeCtx, stopNotices := context.WithCancel(drain)
	defer stopNotices()
	go b.sendNotices(noticeCtx)
	adopted := make(chan struct{})
	go func() {
		defer close(adopted)
		b.adoptOrphans(ctx)
	}()
	defer func() {
		<-adopted // before the queue's writers are told to stop
		close(in.admitted)
		<-committed
		workers.Wait()
		b.flushFinished()
		b.inflight.Wait()
	}()

	runErr := make(chan error, 1)
	go func() { runErr <- sm.RunContext(ctx) }()
	socket := ctxAcker{ctx, sm}
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-runErr:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("bot: socket mode: %w", err)
		case evt, ok := <-sm.Events:
			if !ok {
				return nil
			}
			b.dispatch(ctx, socket, evt)
		}
	}
}

// acker is the part of the socket mode client a handler acks through.
type acker interface {
	Ack(req socketmode.Request, payload ...any) error
}

func (b *Bot) dispatch(ctx context.Context, sm acker, evt socketmode.Event) {
	received := time.Now()
	if evt.Request != nil && evt.Request.EnvelopeID != "" && !takesWork(evt.Type) {
		defer func() { b.observer.Envelope(evt.Request.Type, time.Since(received)) }()
	}
	log := b.log
	if evt.Request != nil {
		log = log.With("envelope_id", evt.Request.EnvelopeID, "envelope_type", evt.Request.Type)
	}
	switch evt.Type {
	case socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive, socketmode.EventTypeEventsAPI:
		switch evt.Data.(type) {
		case slack.SlashCommand, slack.InteractionCallback, slackevents.EventsAPIEvent:
		default:
			b.ack(log, sm, evt.Request, nil)
			b.observer.Envelope(evt.Request.Type, time.Since(received))
			log.Error("envelope with unexpected data", "data_type", fmt.Sprintf("%T", evt.Data))
			return
		}
		// admit acks (after keeping the envelope) and observes.
		b.admit(ctx, log, sm, evt.Request, evt.Data, received)
		return
	case socketmode.EventTypeErrorBadMessage:
		// An envelope slack-go could not decode still wants its ack, or
		// Slack retries it (events) or shows the person operation_timeout
		// (the rest). slack-go passes no Request for it: the id comes from
		// the raw message. The payload is not logged: it is the sender's.
		id, typ := undecodable(evt.Data)
		log.Warn("undecodable envelope", "envelope_id", id, "envelope_type", typ, "acked", id != "", "error", causeOf(evt.Data))
		if id != "" {
			b.ack(log, sm, &socketmode.Request{EnvelopeID: id, Type: typ}, nil)
			b.observer.Envelope("undecodable", time.Since(received)) // not typ: a sender must not mint metric labels
		}
	case socketmode.EventTypeConnecting:
		b.observer.Connection(false)
		log.Info("socket mode connecting")
	case socketmode.EventTypeConnected:
		b.observer.Connection(true)
		log.Info("socket mode connected")
	case socketmode.EventTypeHello:
		log.Debug("socket mode hello")
	case socketmode.EventTypeDisconnect:
		b.observer.Connection(false)
		log.Info("slack asked us to reconnect")
	case socketmode.EventTypeConnectionError:
		b.observer.Connection(false)
		log.Warn("socket mode connection error", "error", evt.Data)
	case socketmode.EventTypeInvalidAuth:
		log.Error("socket mode: the app-level token was refused")
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed:
		log.Warn("socket mode error", "type", evt.Type, "error", causeOf(evt.Data))
	default:
		if evt.Request != nil && evt.Request.EnvelopeID != "" {
			b.ack(log, sm, evt.Request, nil)
		}
		log.Debug("socket mode event ignored", "type", evt.Type)
	}
}

func (b *Bot) ack(log *slog.Logger, sm acker, req *socketmode.Request, payload any) {
	if req == nil || req.EnvelopeID == "" {
		return
	}
	var err error
	if payload != nil {
		err = sm.Ack(*req, payload)
	} else {
		err = sm.Ack(*req)
	}
	if err != nil {
		log.Error("ack failed", "error", err)
	}
}

// takesWork says whether envelopes of this event type go through the
// inbox (which observes their ack latency itself).
func takesWork(t socketmode.EventType) bool {
	switch t {
	case socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive, socketmode.EventTypeEventsAPI:
		return true
	}
	return false
}

// spawn hands work to the envelope's worker: inside envelopeWork, it is collected
// and runs on a worker once the envelope is kept. Elsewhere it runs in its
// own goroutine with a bounded context that outlives ctx's cancellation.
// A panic is logged with its stack and reported to the person through fail.
func (b *Bot) spawn(ctx context.Context, log *slog.Logger, run func(context.Context), fail func(context.Context, string)) {
	w := work{log: log, run: run, fail: fail}
	if col, ok := ctx.Value(collectorKey{}).(*collector); ok {
		col.works = append(col.works, w)
		return
	}
	b.inflight.Add(1)
	go func() {
		defer b.inflight.Done()
		b.runWork(context.WithoutCancel(ctx), w)
	}()
}

// respond sends an ephemeral reply through a response_url.
func (b *Bot) respond(ctx context.Context, log *slog.Logger, responseURL string, r blocks.Reply) {
	b.postResponse(ctx, log, responseURL, &slack.WebhookMessage{
		Text:         r.Text,
		Blocks:       &slack.Blocks{BlockSet: r.Blocks},
		ResponseType: slack.ResponseTypeEphemeral,
	})
}

// postResponse posts to a response_url, but only one on Slack's own host:
// a URL from a payload (or carried in a view's private_metadata) could
// otherwise make the bot send a person's data anywhere.
func (b *Bot) postResponse(ctx context.Context, log *slog.Logger, responseURL string, msg *slack.WebhookMessage) {
	if responseURL == "" {
		log.Error("no response_url to reply to")
		return
	}
	if !b.slackURL(responseURL) {
		log.Warn("response_url refused: not on the Slack API's host", "host", hostOf(responseURL))
		return
	}
	if err := slack.PostWebhookCustomHTTPContext(ctx, responseURL, b.http, msg); err != nil {
		log.Error("reply failed", "error", err)
	}
}

// slackURL reports whether raw is on the configured Slack API's host or a
// subdomain of it, with the same scheme.
func (b *Bot) slackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || b.slackHost == nil || u.Scheme != b.slackHost.Scheme || u.User != nil {
		return false
	}
	host, want := strings.ToLower(u.Host), strings.ToLower(b.slackHost.Host)
	return host == want || strings.HasSuffix(host, "."+want)
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	return "(unparsable)"
}

// dm posts a message in the app's DM with a person.
func (b *Bot) dm(ctx context.Context, log *slog.Logger, userID string, r blocks.Reply) {
	ch, ts, err := b.api.PostMessageContext(ctx, userID,
		slack.MsgOptionText(r.Text, false),
		slack.MsgOptionBlocks(r.Blocks...),
	)
	if err != nil {
		log.Error("direct message failed", "to", userID, "error", err)
		return
	}
	log.Info("direct message sent", "to", userID, "channel", ch, "ts", ts)
}

func mustJSON(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called on plain structs of strings
	}
	return string(raw)
}
