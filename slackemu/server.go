// Package slackemu is a local Slack emulator for end-to-end tests and demos.
//
// It serves the Web API under /api/<method> and Socket Mode websockets on
// 127.0.0.1, and offers a Go API to act as simulated people (slash commands,
// clicks, modal submissions, DMs, Home tab visits) and to observe what each
// person saw. It is built from Slack's documented wire format (the method,
// event and Block Kit references on docs.slack.dev, and the official SDKs
// where those are silent), and is strict where Slack is strict: token
// types, scopes, trigger_id lifetime and reuse, Block Kit limits, the 3
// second ack deadline, the 20 KB ack limit and single-use websocket URLs.
//
// A typical end-to-end test:
//
//	s := slackemu.New(slackemu.Options{})
//	if err := s.Start(); err != nil { … }
//	defer s.Close()
//	s.AddUser(slackemu.User{ID: "U1", Name: "alice", TZ: "Europe/Berlin"})
//	api := slack.New(s.BotToken(), slack.OptionAppLevelToken(s.AppToken()),
//		slack.OptionAPIURL(s.APIURL()))
//	go bot.Run(ctx, socketmode.New(api))            // the real bot
//	s.WaitConnected(ctx, 1)
//	s.Slash(ctx, "U1", "/rate", "@bob 4")          // alice types a command
//	e, _ := s.WaitSeen(ctx, "U1", slackemu.Kind(slackemu.SeenModalOpen))
//	s.SubmitView(ctx, "U1", e.ViewID, map[string]map[string]slackemu.Value{
//		"score": {"pick": slackemu.Choice("4")}})
//	fmt.Print(s.Transcript("U1"))                  // what alice saw
//
// A Server is safe for concurrent use. Close stops every goroutine it started.
package slackemu

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Options configures a Server. The zero value gives a workspace with one bot
// and Slack's documented timings.
type Options struct {
	// AppToken is the app-level token (default "xapp-1-A0EMU-1-emu").
	AppToken string
	// BotToken is the bot token (default "xoxb-emu-bot").
	BotToken string
	// TeamID (default "T0EMU"), TeamDomain (default "emu"), AppID
	// (default "A0EMU"), BotUserID (default "U0BOT"), BotID (default
	// "B0BOT") and BotName (default "microcoach") describe the installation.
	TeamID, TeamDomain, AppID, BotUserID, BotID, BotName string

	// AckTimeout is how long Slack waits for an ack (default 3s). A slash
	// command or interaction not acked by then shows the person
	// "operation_timeout" (or "dispatch_failed" when no connection took it);
	// an events_api envelope is retried.
	AckTimeout time.Duration
	// PingInterval is the websocket PING cadence (default 10s; slack-go
	// reconnects when none arrives for 30s).
	PingInterval time.Duration
	// EventRetryDelays are the waits before retries 1, 2, 3 of an unacked
	// event, counted from the moment the previous attempt missed its
	// deadline. Default {0, 1m, 5m}: "almost at once, after 1 minute, after
	// 5 minutes". A non-nil empty slice disables retries.
	EventRetryDelays []time.Duration
	// WarningGrace is the time between a "warning" disconnect message and
	// the server closing that socket (default 10s).
	WarningGrace time.Duration
	// MaxConnections is the number of simultaneous Socket Mode connections
	// allowed (default 10, Slack's limit).
	MaxConnections int

	// Scopes are the bot scopes granted (default: microcoach's manifest
	// list, defaultScopes; it has neither chat:write.public nor im:read).
	Scopes []string
	// BotEvents are the subscribed bot events (default app_home_opened,
	// message.im and user_change, microcoach's manifest; see
	// Server.BotEvents). Events not listed are not delivered.
	BotEvents []string
	// Commands, when set, are the only slash commands that exist; Slash
	// with any other command fails as Slack's client would.
	Commands []string

	// RateLimits are off by default.
	RateLimits RateLimits
	// Now is the clock for timestamps, trigger_id lifetimes, response_url
	// lifetimes and rate limits (default time.Now). Ack deadlines, retries
	// and pings use real timers.
	Now func() time.Time
	// Logger receives debug logs (default: discarded).
	Logger *slog.Logger
}

// defaultScopes are the bot scopes of microcoach's manifest. Without
// chat:write.public the bot posts only where it is a member (not_in_channel
// elsewhere, docs.slack.dev/reference/methods/chat.postMessage); without
// im:read, conversations.info and conversations.members on a DM answer
// missing_scope. channels:history / groups:history let it read the
// history of channels it is in.
var defaultScopes = []string{
	"chat:write", "commands", "im:write", "im:history", "users:read",
	"users:read.email", "reactions:write", "files:write", "channels:read",
	"groups:read", "channels:history", "groups:history",
}

func (o Options) withDefaults() Options {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&o.AppToken, "xapp-1-A0EMU-1-emu")
	def(&o.BotToken, "xoxb-emu-bot")
	def(&o.TeamID, "T0EMU")
	def(&o.TeamDomain, "emu")
	def(&o.AppID, "A0EMU")
	def(&o.BotUserID, "U0BOT")
	def(&o.BotID, "B0BOT")
	def(&o.BotName, "microcoach")
	if o.AckTimeout <= 0 {
		o.AckTimeout = 3 * time.Second
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 10 * time.Second
	}
	if o.EventRetryDelays == nil {
		o.EventRetryDelays = []time.Duration{0, time.Minute, 5 * time.Minute}
	}
	if o.WarningGrace <= 0 {
		o.WarningGrace = 10 * time.Second
	}
	if o.MaxConnections <= 0 {
		o.MaxConnections = 10
	}
	if o.Scopes == nil {
		o.Scopes = slices.Clone(defaultScopes)
	}
	if o.BotEvents == nil {
		o.BotEvents = []string{"app_home_opened", "message.im", "user_change"}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.RateLimits = o.RateLimits.withDefaults()
	return o
}

// Server is the emulated Slack: a workspace, its Web API and Socket Mode.
type Server struct {
	opts     Options
	log      *slog.Logger
	upgrader websocket.Upgrader

	ln   net.Listener
	srv  *http.Server
	base string // "http://127.0.0.1:PORT"

	wg   sync.WaitGroup // every goroutine and armed timer
	done chan struct{}  // closed by Close

	mu     sync.Mutex
	closed bool
	ws     workspace
	obs    observations
	sock   sockets
	limits *limiter

	// viewer is whose eyes a Seen entry is rendered for (their time zone
	// shows <!date> tokens), set under mu while rendering.
	viewer string
}

// New returns a Server configured by opts. Call Start to listen.
func New(opts Options) *Server {
	opts = opts.withDefaults()
	s := &Server{
		opts: opts,
		log:  opts.Logger,
		done: make(chan struct{}),
		// Slack's endpoint accepts any origin; slack-go sends api.slack.com.
		upgrader: websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
	}
	s.ws.init(opts)
	s.obs.init()
	s.sock.init()
	s.limits = newLimiter(opts.RateLimits)
	return s
}

// Start listens on 127.0.0.1 on a free port and serves in the background.
func (s *Server) Start() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	if s.ln != nil {
		s.mu.Unlock()
		return errors.New("slackemu: already started")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.mu.Unlock()
		return fmt.Errorf("slackemu: listen: %w", err)
	}
	s.ln = ln
	s.base = "http://" + ln.Addr().String()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/link/", s.serveLink)
	mux.HandleFunc("/response/", s.serveResponseURL)
	mux.HandleFunc("/upload/", s.serveUpload)
	mux.HandleFunc("/files/", s.serveFile)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	srv := s.srv
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("slackemu: serve", "err", err)
		}
	}()
	return nil
}

// Close stops the server: it closes every socket, fails every pending
// envelope, stops every timer and waits for every goroutine it started.
// It is safe to call more than once.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	srv := s.srv
	conns := slices.Clone(s.sock.conns)
	s.sock.conns = nil
	pending := s.sock.takeAll()
	timers := s.sock.takeTimers()
	s.mu.Unlock()

	for _, t := range timers {
		s.stopTimer(t)
	}
	for _, e := range pending {
		s.stopTimer(e.timer)
		e.finish(outcome{closed: true})
	}
	var err error
	if srv != nil {
		err = srv.Close()
	}
	for _, c := range conns {
		c.closeNow()
	}
	s.wg.Wait()
	return err
}

// APIURL is the Web API base URL with its trailing slash, as
// slack.OptionAPIURL needs: "http://127.0.0.1:PORT/api/".
func (s *Server) APIURL() string { return s.base + "/api/" }

// BotUserID is the bot's user id.
func (s *Server) BotUserID() string { return s.opts.BotUserID }

// AppToken is the app-level token the server accepts.
func (s *Server) AppToken() string { return s.opts.AppToken }

// BotToken is the bot token the server accepts.
func (s *Server) BotToken() string { return s.opts.BotToken }

// AddUser adds or replaces a user.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cp := u
	s.ws.users[u.ID] = &cp
}

// AddChannel adds or replaces a channel (its history is kept when
// replaced). Members may include the bot user id; AddMembers, InviteBot
// and RemoveMembers change the members of an existing channel.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ws.addChannel(c, s.now())
}

// now reads the configurable clock.
func (s *Server) now() time.Time { return s.opts.Now() }

// afterFunc arms a timer whose callback is counted in s.wg. The caller holds
// s.mu and has checked that the server is not closed.
func (s *Server) afterFunc(d time.Duration, f func()) *time.Timer {
	s.wg.Add(1)
	return time.AfterFunc(d, func() {
		defer s.wg.Done()
		f()
	})
}

// stopTimer stops a timer armed by afterFunc, releasing its count if it had
// not fired.
func (s *Server) stopTimer(t *time.Timer) {
	if t != nil && t.Stop() {
		s.wg.Done()
	}
}

// randomToken returns an unguessable token for tickets and URLs.
func randomToken() string { return rand.Text() }

// formatTS formats microseconds since the epoch as a Slack timestamp
// "1503435956.000247".
func formatTS(micros int64) string {
	return strconv.FormatInt(micros/1e6, 10) + "." + fmt.Sprintf("%06d", micros%1e6)
}
