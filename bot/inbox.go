package bot

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/microcoach/microcoach/coach"
)

// Acknowledged means kept. An envelope that asks for work is written to
// the inbox (with the others that arrived while the previous write was
// syncing: one fsync per batch) before it is acked; a fixed pool of
// workers takes work from there, oldest first, and removes the entry when
// the work is done. After a crash, what is left in the inbox is done
// first at the next start, so the person gets their reply late rather
// than never. When the backlog reaches its bound, new envelopes are still
// acked at once but answered "busy, try again in a minute".

// Inbox is the durable queue the bot keeps envelopes in between their ack
// and the end of their work. Records are opaque to it.
type Inbox interface {
	// InboxAdd appends records and removes the entries done, in one
	// transaction, and returns the records' sequence numbers in order.
	InboxAdd(records [][]byte, done []uint64) ([]uint64, error)
	// InboxPending calls fn for every record left, oldest first.
	InboxPending(fn func(seq uint64, record []byte) error) error
}

// Defaults of the inbox's bounds.
const (
	// DefaultWorkers is how many envelopes are worked on at once.
	DefaultWorkers = 16
	// DefaultBacklog is how many acknowledged envelopes may wait for (or
	// be in) work before new ones are answered "busy". At the few hundred
	// commands a second one process finishes, it is a few seconds of work.
	DefaultBacklog = 1000
	// DefaultDrain is how long work goes on after shutdown begins; what is
	// not done by then stays in the inbox for the next start.
	DefaultDrain = 7 * time.Second
	// DefaultAdoptEvery is how often a replica looks for the envelopes of
	// one that died (a shared inbox only).
	DefaultAdoptEvery = 5 * time.Second
	// maxBatch caps the envelopes written in one transaction.
	maxBatch = 512
	// finishedFlush is how often finished entries are removed from the
	// inbox when no new envelope's write takes them along.
	finishedFlush = 100 * time.Millisecond
)

// Texts for envelopes the bot acks without taking them on.
const (
	busyText    = ":hourglass: microcoach is busy right now and did not take this in. Nothing was changed — please try again in a minute."
	refusedText = ":warning: microcoach could not save this (its database is not taking writes). Nothing was changed — please try again later."
)

// inboxRecord is what the inbox keeps of an envelope: enough to decode it
// again after a restart.
type inboxRecord struct {
	EnvelopeID   string          `json:"envelope_id"`
	Type         string          `json:"type"`
	Payload      json.RawMessage `json:"payload"`
	RetryAttempt int             `json:"retry_attempt,omitempty"`
	RetryReason  string          `json:"retry_reason,omitempty"`
	Received     time.Time       `json:"received"`
}

// job is one envelope on its way through the inbox.
type job struct {
	id        uint64 // admission number, for the backlog's oldest age
	seq       uint64 // inbox key once written
	req       socketmode.Request
	data      any // decoded payload
	received  time.Time
	log       *slog.Logger
	ackWith   any // ack payload (a view submission's response_action)
	works     []work
	recovered bool
}

// work is one unit of a handler's work for an envelope.
type work struct {
	log  *slog.Logger
	run  func(context.Context)
	fail func(context.Context, string)
}

// collector gathers the work a handler hands to spawn, so the work runs on
// a worker after the envelope is kept instead of in a goroutine of its own.
type collector struct{ works []work }

type collectorKey struct{}

type envelopeKey struct{}

// envelopeID is the id of the envelope whose work ctx belongs to, or "".
// Handlers use it to make a change idempotent: a re-run after a crash
// finds the change made and does not make it twice.
func envelopeID(ctx context.Context) string {
	id, _ := ctx.Value(envelopeKey{}).(string)
	return id
}

// commandSubmission is the submission id that makes a slash command's
// change idempotent: the same envelope, run again after a crash, finds its
// change made.
func commandSubmission(ctx context.Context) string {
	if id := envelopeID(ctx); id != "" {
		return "cmd:" + id
	}
	return ""
}

// captureAck keeps the payload a handler acks with, to send it once the
// envelope is kept.
type captureAck struct {
	payload any
	acked   bool
}

func (c *captureAck) Ack(_ socketmode.Request, payload ...any) error {
	c.acked = true
	if len(payload) > 0 {
		c.payload = payload[0]
	}
	return nil
}

// inbox is the bot's side of the durable inbox: admission, the group
// commit, the workers and the backlog's accounting.
type inbox struct {
	store   Inbox
	workers int
	bound   int
	drain   time.Duration

	admitted chan *job // reader → committer
	queue    chan *job // committer → workers

	mu       sync.Mutex
	pending  map[uint64]time.Time // admission number → received
	nextID   uint64
	finished []uint64 // inbox keys done, to remove with the next write

	busy    atomic.Uint64 // envelopes answered "busy"
	refused atomic.Uint64 // envelopes refused because the inbox could not be written
}

// memInbox keeps nothing: for a Bot built without a durable inbox (unit
// tests), with the same workers and bounds.
type memInbox struct {
	mu   sync.Mutex
	next uint64
}

func (m *memInbox) InboxAdd(records [][]byte, _ []uint64) ([]uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	seqs := make([]uint64, len(records))
	for i := range seqs {
		m.next++
		seqs[i] = m.next
	}
	return seqs, nil
}

func (*memInbox) InboxPending(func(uint64, []byte) error) error { return nil }

func newInbox(store Inbox, workers, bound int, drain time.Duration) *inbox {
	if store == nil {
		store = &memInbox{}
	}
	return &inbox{
		store: store, workers: cmp.Or(workers, DefaultWorkers), bound: cmp.Or(bound, DefaultBacklog), drain: cmp.Or(drain, DefaultDrain),
		pending: map[uint64]time.Time{},
	}
}

// full says whether the backlog has reached its bound.
func (in *inbox) full() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.pending) >= in.bound
}

// hold counts j in the backlog.
func (in *inbox) hold(j *job) {
	in.mu.Lock()
	in.nextID++
	j.id = in.nextID
	in.pending[j.id] = j.received
	in.mu.Unlock()
}

// release takes j out of the backlog; done also removes it from the inbox
// with the next write.
func (in *inbox) release(j *job, done bool) {
	in.mu.Lock()
	delete(in.pending, j.id)
	if done && j.seq != 0 {
		in.finished = append(in.finished, j.seq)
	}
	in.mu.Unlock()
}

func (in *inbox) takeFinished() []uint64 {
	in.mu.Lock()
	defer in.mu.Unlock()
	f := in.finished
	in.finished = nil
	return f
}

func (in *inbox) putBackFinished(f []uint64) {
	in.mu.Lock()
	in.finished = append(f, in.finished...)
	in.mu.Unlock()
}

// Backlog is how many acknowledged envelopes wait for or are in work, and
// how long the oldest of them has (zero when there are none).
func (b *Bot) Backlog() (n int, oldest time.Duration) {
	in := b.in
	in.mu.Lock()
	defer in.mu.Unlock()
	var first time.Time
	for _, t := range in.pending {
		if first.IsZero() || t.Before(first) {
			first = t
		}
	}
	if !first.IsZero() {
		oldest = time.Since(first)
	}
	return len(in.pending), oldest
}

// Busy counts envelopes acked but answered "busy" because the backlog was
// at its bound.
func (b *Bot) Busy() uint64 { return b.in.busy.Load() }

// Refused counts envelopes acked but answered "not saved" because the
// inbox could not be written.
func (b *Bot) Refused() uint64 { return b.in.refused.Load() }

// envelopeWork derives, without doing it, the work an envelope asks for and the
// payload of its ack. Handlers hand their work to spawn, which collects it
// here; a view submission is validated now because its errors travel in
// the ack.
func (b *Bot) envelopeWork(ctx context.Context, log *slog.Logger, req *socketmode.Request, data any) (*slog.Logger, any, []work) {
	col := &collector{}
	ctx = context.WithValue(ctx, collectorKey{}, col)
	switch d := data.(type) {
	case slack.SlashCommand:
		log = log.With("user", d.UserID, "command", d.Command)
		b.spawn(ctx, log, func(ctx context.Context) { b.onSlash(ctx, log, d) }, func(ctx context.Context, msg string) {
			b.respond(ctx, log, d.ResponseURL, failureReply(msg))
		})
		return log, nil, col.works
	case slack.InteractionCallback:
		log = log.With("user", d.User.ID, "interaction", d.Type, "callback_id", d.View.CallbackID)
		ack := &captureAck{}
		b.onInteraction(ctx, log, ack, req, d)
		return log, ack.payload, col.works
	case slackevents.EventsAPIEvent:
		log = log.With("event_type", d.InnerEvent.Type, "event_id", eventID(d), "user", eventUser(d))
		if req.RetryAttempt > 0 {
			log = log.With("retry_attempt", req.RetryAttempt, "retry_reason", req.RetryReason)
		}
		b.spawn(ctx, log, func(ctx context.Context) { b.onEvent(ctx, log, d) }, nil)
		return log, nil, col.works
	}
	return log, nil, nil
}

// admit takes an envelope that asks for work: into the inbox, or, when
// the backlog is at its bound, acked and answered "busy".
func (b *Bot) admit(ctx context.Context, log *slog.Logger, sm acker, req *socketmode.Request, data any, received time.Time) {
	log, ackWith, works := b.envelopeWork(ctx, log, req, data)
	log.Info("envelope")
	if len(works) == 0 || b.noPerson(data) {
		// Nothing to keep: a refused form, an ignored interaction.
		b.ack(log, sm, req, ackWith)
		b.observer.Envelope(req.Type, time.Since(received))
		return
	}
	if b.in.full() {
		b.in.busy.Add(1)
		log.Warn("busy: backlog at its bound; envelope acked but not taken on", "bound", b.in.bound)
		b.turnAway(ctx, log, sm, req, data, busyText)
		b.observer.Envelope(req.Type, time.Since(received))
		return
	}
	j := &job{req: *req, data: data, received: received, log: log, ackWith: ackWith, works: works}
	b.in.hold(j)
	b.in.admitted <- j
}

// noPerson says whether an event has no person behind it, so that its
// handler would ignore it anyway: a message from a bot (the bot's own
// posts come back as events too) or without an author (messageAuthor: an
// edit or a deletion has one, inside the event). It is a subset of what
// onDirectMessage ignores; such events are acked without being kept.
func (b *Bot) noPerson(data any) bool {
	ev, ok := data.(slackevents.EventsAPIEvent)
	if !ok {
		return false
	}
	m, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok {
		return false
	}
	author := messageAuthor(m)
	return author == "" || author == b.botUser
}

// turnAway acks an envelope the bot does not take on and tells the
// person why: in the ack where Slack shows it (a slash command's reply, a
// form's error), else in their DM.
func (b *Bot) turnAway(ctx context.Context, log *slog.Logger, sm acker, req *socketmode.Request, data any, text string) {
	switch d := data.(type) {
	case slack.SlashCommand:
		b.ack(log, sm, req, map[string]any{"response_type": slack.ResponseTypeEphemeral, "text": text})
		return
	case slack.InteractionCallback:
		if d.Type == slack.InteractionTypeViewSubmission {
			for blockID := range d.View.State.Values {
				b.ack(log, sm, req, slack.NewErrorsViewSubmissionResponse(map[string]string{blockID: text}))
				return
			}
		}
		b.ack(log, sm, req, nil)
		b.notify(log, d.User.ID, text)
	case slackevents.EventsAPIEvent:
		b.ack(log, sm, req, nil)
		// Only a person's own DM is worth a notice: a Home visit is
		// simply shown again on the next one.
		if m, ok := d.InnerEvent.Data.(*slackevents.MessageEvent); ok && m.ChannelType == "im" && m.BotID == "" && m.SubType == "" && m.User != "" && m.User != b.botUser {
			b.notify(log, m.User, text)
		}
	default:
		b.ack(log, sm, req, nil)
	}
}

// notice is a short DM to a person the bot turned away.
type notice struct {
	log  *slog.Logger
	user string
	text string
}

// notify queues a notice for the one goroutine that sends them; when that
// queue is full too, the notice is dropped (and logged): overload must not
// grow anything without bound.
func (b *Bot) notify(log *slog.Logger, user, text string) {
	select {
	case b.notices <- notice{log, user, text}:
	default:
		log.Warn("notice dropped: too many queued", "to", user)
	}
}

func (b *Bot) sendNotices(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-b.notices:
			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			b.dm(sctx, n.log, n.user, reply{Text: n.text})
			cancel()
		}
	}
}

// commit writes admitted envelopes to the inbox, each batch in one
// transaction together with the removal of finished entries, acks them,
// and queues them for the workers. It returns when admitted is closed.
// Once ctx is done (the socket is closing) it neither writes nor acks:
// what is not acked was not promised, and Slack retries events.
func (b *Bot) commit(ctx context.Context, sm *socketmode.Client) {
	in := b.in
	defer close(in.queue)
	var batch []*job
	// Finished entries are removed with the next batch of new ones; when
	// none comes, a tick removes them. One lost to a crash is only done
	// again, harmlessly, at the next start.
	tick := time.NewTicker(finishedFlush)
	defer tick.Stop()
	for {
		batch = batch[:0]
		select {
		case j, ok := <-in.admitted:
			if !ok {
				b.flushFinished()
				return
			}
			batch = append(batch, j)
		more:
			for len(batch) < maxBatch {
				select {
				case j, ok := <-in.admitted:
					if !ok {
						break more
					}
					batch = append(batch, j)
				default:
					break more
				}
			}
		case <-tick.C:
		}
		if ctx.Err() != nil && len(batch) > 0 {
			for _, j := range batch {
				in.release(j, false)
				j.log.Info("shutting down: envelope not acked, left to Slack")
			}
			continue
		}
		done := in.takeFinished()
		if len(batch) == 0 && len(done) == 0 {
			continue
		}
		records := make([][]byte, len(batch))
		for i, j := range batch {
			records[i] = []byte(mustJSON(inboxRecord{
				EnvelopeID: j.req.EnvelopeID, Type: j.req.Type, Payload: j.req.Payload,
				RetryAttempt: j.req.RetryAttempt, RetryReason: j.req.RetryReason, Received: j.received.UTC(),
			}))
		}
		seqs, err := in.store.InboxAdd(records, done)
		if err != nil {
			in.putBackFinished(done)
			if len(batch) > 0 {
				b.log.Error("inbox write failed: envelopes acked as not saved", "envelopes", len(batch), "error", err)
			}
			for _, j := range batch {
				in.release(j, false)
				in.refused.Add(1)
				b.turnAway(ctx, j.log, ctxAcker{ctx, sm}, &j.req, j.data, refusedText)
				b.observer.Envelope(j.req.Type, time.Since(j.received))
			}
			continue
		}
		for i, j := range batch {
			j.seq = seqs[i]
			b.ack(j.log, ctxAcker{ctx, sm}, &j.req, j.ackWith)
			b.observer.Envelope(j.req.Type, time.Since(j.received))
			in.queue <- j
		}
	}
}

// flushFinished removes the last finished entries before the workers
// stop; anything it cannot remove is simply done again, harmlessly, at
// the next start.
func (b *Bot) flushFinished() {
	if done := b.in.takeFinished(); len(done) > 0 {
		if _, err := b.in.store.InboxAdd(nil, done); err != nil {
			b.log.Warn("inbox: could not remove finished entries; they are re-run at the next start (harmless)", "entries", len(done), "error", err)
		}
	}
}

// ctxAcker acks through the socket until ctx ends: slack-go's Ack waits
// for room in its send buffer, which no one drains once the socket is gone.
type ctxAcker struct {
	ctx context.Context
	sm  *socketmode.Client
}

func (a ctxAcker) Ack(req socketmode.Request, payload ...any) error {
	var p any
	if len(payload) > 0 {
		p = payload[0]
	}
	return a.sm.AckCtx(a.ctx, req.EnvelopeID, p)
}

// work takes jobs from the queue until it is closed. Once drain is done
// it stops taking them: they stay in the inbox for the next start.
func (b *Bot) work(drain context.Context) {
	for j := range b.in.queue {
		if drain.Err() != nil {
			b.in.release(j, false)
			continue
		}
		if j.works == nil {
			if err := b.replan(drain, j); err != nil {
				j.log.Error("inbox entry unreadable; dropped", "error", err)
				b.in.release(j, true)
				continue
			}
		}
		ctx := context.WithValue(drain, envelopeKey{}, j.req.EnvelopeID)
		if !b.realPerson(ctx, j) {
			b.in.release(j, true)
			continue
		}
		for _, w := range j.works {
			b.runWork(ctx, w)
		}
		// Work cut off by the end of the drain is done again at the next
		// start; handlers are idempotent by envelope or event id.
		b.in.release(j, drain.Err() == nil)
	}
}

// actor is the user an envelope comes from, or "".
func actor(data any) string {
	switch d := data.(type) {
	case slack.SlashCommand:
		return d.UserID
	case slack.InteractionCallback:
		return d.User.ID
	case slackevents.EventsAPIEvent:
		return eventUser(d)
	}
	return ""
}

// realPerson says whether the envelope's user is a person of the
// workspace: one Slack's users.info knows (cached for an hour), not a bot,
// not deactivated. Anyone else's envelope does nothing, so a hostile
// payload cannot enroll made-up ids. When Slack cannot be asked, the
// person is told to try again and nothing is done.
func (b *Bot) realPerson(ctx context.Context, j *job) bool {
	id := actor(j.data)
	if id == "" || id == b.botUser {
		return true // handlers ignore what has no person behind it
	}
	u, err := b.users.get(ctx, id)
	switch {
	case errors.Is(err, errNoSuchUser):
		j.log.Warn("envelope from a user Slack does not know; ignored")
		return false
	case err != nil:
		j.log.Warn("could not check the user with Slack; nothing done", "error", err)
		for _, w := range j.works {
			if w.fail != nil {
				w.fail(ctx, "microcoach could not reach Slack to check who you are")
				break
			}
		}
		return false
	case u.IsBot || u.ID == "USLACKBOT":
		j.log.Warn("envelope from a bot user; ignored")
		return false
	case u.Deleted:
		j.log.Warn("envelope from a deactivated user; ignored")
		return false
	}
	return true
}

// runWork runs one unit of work with a bounded context. A panic is logged
// with its stack and reported to the person through fail.
func (b *Bot) runWork(ctx context.Context, w work) {
	hctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			w.log.Error("handler panicked", "panic", p, "stack", string(debug.Stack()))
			if w.fail != nil {
				w.fail(hctx, coach.ErrorMessage(fmt.Errorf("panic: %v", p)))
			}
		}
	}()
	w.run(hctx)
}

// replan decodes an entry found in the inbox at start-up and derives its
// work again.
func (b *Bot) replan(ctx context.Context, j *job) error {
	data, err := decodeRequest(j.req)
	if err != nil {
		return err
	}
	log, _, works := b.envelopeWork(ctx, j.log, &j.req, data)
	j.log, j.data, j.works = log, data, works
	if works == nil {
		j.works = []work{}
	}
	return nil
}

// decodeRequest decodes an envelope's payload the way slack-go does.
func decodeRequest(req socketmode.Request) (any, error) {
	switch req.Type {
	case socketmode.RequestTypeSlashCommands:
		var cmd slack.SlashCommand
		err := json.Unmarshal(req.Payload, &cmd)
		return cmd, err
	case socketmode.RequestTypeInteractive:
		var cb slack.InteractionCallback
		err := json.Unmarshal(req.Payload, &cb)
		return cb, err
	case socketmode.RequestTypeEventsAPI:
		return slackevents.ParseEvent(req.Payload, slackevents.OptionNoVerifyToken())
	}
	return nil, fmt.Errorf("envelope type %q", req.Type)
}

// recoverInbox queues what a previous run left in the inbox, oldest first,
// ahead of anything new.
func (b *Bot) recoverInbox() ([]*job, error) {
	jobs, err := b.inboxJobs(b.in.store.InboxPending)
	if err != nil {
		return nil, err
	}
	for _, j := range jobs {
		b.in.hold(j)
	}
	return jobs, nil
}

// inboxJobs reads kept envelopes from list as jobs; an unreadable one is
// removed.
func (b *Bot) inboxJobs(list func(fn func(seq uint64, record []byte) error) error) ([]*job, error) {
	var jobs []*job
	err := list(func(seq uint64, raw []byte) error {
		var r inboxRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			// Keep going: one bad record must not stop the rest.
			b.log.Error("inbox entry unreadable; removing it", "seq", seq, "error", err)
			b.in.putBackFinished([]uint64{seq})
			return nil
		}
		req := socketmode.Request{EnvelopeID: r.EnvelopeID, Type: r.Type, Payload: r.Payload, RetryAttempt: r.RetryAttempt, RetryReason: r.RetryReason}
		j := &job{seq: seq, req: req, received: r.Received, recovered: true,
			log: b.log.With("envelope_id", r.EnvelopeID, "envelope_type", r.Type, "recovered", true)}
		jobs = append(jobs, j)
		return nil
	})
	return jobs, err
}

// adoptOrphans looks for the inbox entries of replicas that died, every
// adoptEvery until ctx ends, and queues them for the workers. Adopted
// entries are this replica's from then on: a kill here hands them on.
func (b *Bot) adoptOrphans(ctx context.Context) {
	if b.orphans == nil {
		return
	}
	t := time.NewTicker(b.adoptEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		jobs, err := b.inboxJobs(b.orphans)
		if err != nil {
			if ctx.Err() == nil {
				b.log.Error("inbox: looking for a dead replica's envelopes failed; trying again", "error", err)
			}
			continue
		}
		if len(jobs) > 0 {
			b.log.Info("inbox: adopted envelopes a replica that stopped had acknowledged", "envelopes", len(jobs))
		}
		for _, j := range jobs {
			b.in.hold(j)
			select {
			case b.in.queue <- j:
			case <-ctx.Done():
				// Kept, and ours: the next start of a replica adopts it.
				b.in.release(j, false)
				return
			}
		}
	}
}
