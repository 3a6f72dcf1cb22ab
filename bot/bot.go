// Package bot is microcoach's Slack surface: the Socket Mode loop, command
// parsing, handlers and the Block Kit views they send.
//
// Every envelope is acknowledged as soon as it arrives, before any slow
// work; a view submission is validated first (pure, microseconds) because
// its errors travel in the ack. Handlers run in their own goroutines, share
// no mutable state, recover from panics, and always tell the person when
// something went wrong.
package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/microcoach/microcoach/coach"
)

// Store is what the bot needs from storage. Each method that changes
// anything is one transaction; see package storage for the details.
type Store interface {
	// AddRatings stores ratings in one transaction, enrolling the rater.
	AddRatings(rater coach.Person, ratings []coach.Rating, submission string) ([]coach.Rating, error)
	// Ratings returns a person's ratings in one area ("" for all), oldest first.
	Ratings(subject, area string) ([]coach.Rating, error)

	Person(id string) (coach.Person, bool, error)
	Enroll(p coach.Person) (coach.Person, error)
	AddReport(manager, report coach.Person, at time.Time) (coach.Person, error)
	RemoveReport(manager, report string) error
	LeaveTeam(person string) (manager string, err error)
	Reports(manager string) ([]coach.Person, error)

	AddChallenge(c coach.Challenge) (coach.Challenge, error)
	AcceptChallenge(subject string, id uint64, at time.Time) (coach.Challenge, error)
	Challenges(subject string) ([]coach.Challenge, error)

	Plan(owner string) (coach.Plan, bool, error)
	UpdatePlan(owner, submission string, edit coach.PlanEdit) (coach.Plan, error)
	PlanHistory(owner string) ([]coach.PlanChange, error)
	Submitted(id string) (bool, error)

	UpdatePerson(base coach.Person, fn func(p *coach.Person) error) (coach.Person, error)
	SetDMChannel(person, channel string) error
	Delivery(person string, c coach.Cadence, period string) (coach.Delivery, bool, error)
	Deliveries(person string, c coach.Cadence) ([]coach.Delivery, error)
	DeliveriesSince(person string, since time.Time) ([]coach.Delivery, error)
	QueueDeliveries(ds []coach.Delivery) ([]coach.Delivery, error)
	UpdateDelivery(person string, c coach.Cadence, period string, fn func(d *coach.Delivery) error) (coach.Delivery, error)
	AddAnswer(a coach.Answer, answers *coach.Delivery) (coach.Answer, error)
	Answers(person string) ([]coach.Answer, error)
	SetAnswerShared(person string, id uint64, shared bool, at time.Time) (coach.Answer, error)
	SetColour(c coach.ColourChoice, checkin *coach.Delivery) error
	LastPrep(viewer, subject string) (time.Time, bool, error)
	RecordPrep(viewer, subject string, at time.Time) error
	Colours(person string) ([]coach.ColourChoice, error)
	LatestColours(person string) (map[string]coach.Colour, error)
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
	return b
}

// Run reads envelopes from sm until ctx is done or sm stops for good (a
// revoked app token), then waits for handlers still at work. It starts
// sm.RunContext itself.
func (b *Bot) Run(ctx context.Context, sm *socketmode.Client) error {
	runErr := make(chan error, 1)
	go func() { runErr <- sm.RunContext(ctx) }()
	defer b.inflight.Wait()
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
			b.dispatch(ctx, sm, evt)
		}
	}
}

// acker is the part of the socket mode client a handler acks through.
type acker interface {
	Ack(req socketmode.Request, payload ...any) error
}

func (b *Bot) dispatch(ctx context.Context, sm acker, evt socketmode.Event) {
	received := time.Now()
	if evt.Request != nil && evt.Request.EnvelopeID != "" {
		defer func() { b.observer.Envelope(evt.Request.Type, time.Since(received)) }()
	}
	log := b.log
	if evt.Request != nil {
		log = log.With("envelope_id", evt.Request.EnvelopeID, "envelope_type", evt.Request.Type)
	}
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		b.ack(log, sm, evt.Request, nil)
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			log.Error("slash command with unexpected data", "data_type", fmt.Sprintf("%T", evt.Data))
			return
		}
		log = log.With("user", cmd.UserID, "command", cmd.Command)
		log.Info("envelope")
		b.spawn(ctx, log, func(ctx context.Context) { b.onSlash(ctx, log, cmd) }, func(ctx context.Context, msg string) {
			b.respond(ctx, log, cmd.ResponseURL, failureReply(msg))
		})
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok {
			b.ack(log, sm, evt.Request, nil)
			log.Error("interaction with unexpected data", "data_type", fmt.Sprintf("%T", evt.Data))
			return
		}
		log = log.With("user", cb.User.ID, "interaction", cb.Type, "callback_id", cb.View.CallbackID)
		log.Info("envelope")
		b.onInteraction(ctx, log, sm, evt.Request, cb)
	case socketmode.EventTypeEventsAPI:
		b.ack(log, sm, evt.Request, nil)
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok {
			log.Error("event with unexpected data", "data_type", fmt.Sprintf("%T", evt.Data))
			return
		}
		log = log.With("event_type", ev.InnerEvent.Type, "event_id", eventID(ev), "user", eventUser(ev))
		if evt.Request.RetryAttempt > 0 {
			log = log.With("retry_attempt", evt.Request.RetryAttempt, "retry_reason", evt.Request.RetryReason)
		}
		log.Info("envelope")
		b.spawn(ctx, log, func(ctx context.Context) { b.onEvent(ctx, log, ev) }, nil)
	case socketmode.EventTypeErrorBadMessage:
		// An envelope slack-go could not decode still wants its ack, or
		// Slack retries it (events) or shows the person operation_timeout
		// (the rest). slack-go passes no Request for it: the id comes from
		// the raw message. The payload is not logged: it is the sender's.
		id, typ := undecodable(evt.Data)
		if id != "" {
			b.ack(log, sm, &socketmode.Request{EnvelopeID: id, Type: typ}, nil)
			b.observer.Envelope("undecodable", time.Since(received)) // not typ: a sender must not mint metric labels
		}
		log.Warn("undecodable envelope", "envelope_id", id, "envelope_type", typ, "acked", id != "", "error", causeOf(evt.Data))
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

// spawn runs work in its own goroutine with a bounded context that outlives
// ctx's cancellation (graceful shutdown finishes in-flight work). A panic is
// logged with its stack and reported to the person through fail.
func (b *Bot) spawn(ctx context.Context, log *slog.Logger, work func(context.Context), fail func(context.Context, string)) {
	b.inflight.Add(1)
	go func() {
		defer b.inflight.Done()
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.timeout)
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				log.Error("handler panicked", "panic", p, "stack", string(debug.Stack()))
				if fail != nil {
					fail(hctx, coach.ErrorMessage(fmt.Errorf("panic: %v", p)))
				}
			}
		}()
		work(hctx)
	}()
}

// respond sends an ephemeral reply through a response_url.
func (b *Bot) respond(ctx context.Context, log *slog.Logger, responseURL string, r reply) {
	if responseURL == "" {
		log.Error("no response_url to reply to")
		return
	}
	msg := &slack.WebhookMessage{
		Text:         r.Text,
		Blocks:       &slack.Blocks{BlockSet: r.Blocks},
		ResponseType: slack.ResponseTypeEphemeral,
	}
	if err := slack.PostWebhookCustomHTTPContext(ctx, responseURL, b.http, msg); err != nil {
		log.Error("reply failed", "error", err)
	}
}

// dm posts a message in the app's DM with a person.
func (b *Bot) dm(ctx context.Context, log *slog.Logger, userID string, r reply) {
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
