package slackemu

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// maxAckSize is Slack's limit on Socket Mode responses: frames of 20 KB or
// more are silently dropped (SLACK.md; slack-go CHANGELOG, #1196).
const maxAckSize = 20 * 1024

// sockets is the Socket Mode state. Guarded by Server.mu.
type sockets struct {
	tickets  map[string]time.Time
	conns    []*wsConn // every live connection; ready ones take envelopes
	changed  chan struct{}
	connects int // connections that got a hello, ever
	pending  map[string]*envelope
	held     []*envelope // pending envelopes waiting for a connection
	rr       int
	timers   map[*time.Timer]struct{} // retries and delayed closes
	connSeq  int
}

func (k *sockets) init() {
	k.tickets = map[string]time.Time{}
	k.changed = make(chan struct{})
	k.pending = map[string]*envelope{}
	k.timers = map[*time.Timer]struct{}{}
}

func (k *sockets) notify() {
	close(k.changed)
	k.changed = make(chan struct{})
}

func (k *sockets) ready() []*wsConn {
	var out []*wsConn
	for _, c := range k.conns {
		if c.ready {
			out = append(out, c)
		}
	}
	return out
}

// pick chooses the next ready connection, round robin, or nil.
func (k *sockets) pick(except *wsConn) *wsConn {
	ready := k.ready()
	if except != nil {
		ready = slices.DeleteFunc(ready, func(c *wsConn) bool { return c == except })
	}
	if len(ready) == 0 {
		return nil
	}
	k.rr++
	return ready[k.rr%len(ready)]
}

func (k *sockets) takeAll() []*envelope {
	out := make([]*envelope, 0, len(k.pending))
	for _, e := range k.pending {
		out = append(out, e)
	}
	clear(k.pending)
	k.held = nil
	return out
}

func (k *sockets) takeTimers() []*time.Timer {
	out := make([]*time.Timer, 0, len(k.timers))
	for t := range k.timers {
		out = append(out, t)
	}
	clear(k.timers)
	return out
}

// envelope is one Socket Mode message that expects an ack.
type envelope struct {
	id           string
	typ          string
	eventID      string
	retryAttempt int
	frame        []byte
	deadline     time.Time // real clock
	sentAt       time.Time // real clock; zero until written
	timer        *time.Timer
	onDone       func(outcome) // called exactly once, without Server.mu
}

// outcome is how an envelope ended.
type outcome struct {
	acked     bool
	delivered bool
	closed    bool
	payload   json.RawMessage
	latency   time.Duration
}

func (e *envelope) finish(o outcome) {
	if e.onDone != nil {
		e.onDone(o)
	}
}

type wireEnvelope struct {
	EnvelopeID             string          `json:"envelope_id"`
	Payload                json.RawMessage `json:"payload"`
	Type                   string          `json:"type"`
	AcceptsResponsePayload bool            `json:"accepts_response_payload"`
	RetryAttempt           *int            `json:"retry_attempt,omitempty"`
	RetryReason            *string         `json:"retry_reason,omitempty"`
}

// newEnvelope builds an envelope. retry_attempt and retry_reason are only
// present on events_api envelopes, as SLACK.md documents.
func (s *Server) newEnvelope(typ string, payload json.RawMessage, accepts bool, attempt int) *envelope {
	e := &envelope{id: newEnvelopeID(), typ: typ, retryAttempt: attempt, deadline: time.Now().Add(s.opts.AckTimeout)}
	w := wireEnvelope{EnvelopeID: e.id, Payload: payload, Type: typ, AcceptsResponsePayload: accepts}
	if typ == "events_api" {
		reason := ""
		if attempt > 0 {
			reason = "timeout"
		}
		w.RetryAttempt, w.RetryReason = &attempt, &reason
	}
	e.frame = marshal(w)
	return e
}

func newEnvelopeID() string {
	t := randomToken()
	return fmt.Sprintf("%s-%s-%s-%s-%s", t[0:8], t[8:12], t[12:16], t[16:20], t[20:26])
}

// dispatch registers e as pending and writes it to a connection, or holds
// it until one connects. e.onDone runs when it is acked, expires or the
// server closes.
func (s *Server) dispatch(e *envelope) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		e.finish(outcome{closed: true})
		return
	}
	s.sock.pending[e.id] = e
	s.obs.envIndex[e.id] = len(s.obs.envelopes)
	s.obs.envelopes = append(s.obs.envelopes, EnvelopeRecord{
		EnvelopeID: e.id, Type: e.typ, EventID: e.eventID, RetryAttempt: e.retryAttempt, Created: s.now(),
	})
	e.timer = s.afterFunc(time.Until(e.deadline), func() { s.expire(e.id) })
	c := s.sock.pick(nil)
	if c == nil {
		s.sock.held = append(s.sock.held, e)
		s.mu.Unlock()
		return
	}
	e.sentAt = time.Now()
	s.obs.envelopes[s.obs.envIndex[e.id]].Delivered = true
	s.obs.envelopes[s.obs.envIndex[e.id]].Conn = c.id
	s.mu.Unlock()
	s.send(c, e)
}

// send writes a pending envelope to c; when that fails it tries another
// connection or holds the envelope.
func (s *Server) send(c *wsConn, e *envelope) {
	for c != nil {
		if err := c.writeText(e.frame); err == nil {
			return
		}
		c.closeNow()
		s.mu.Lock()
		if _, ok := s.sock.pending[e.id]; !ok || s.closed {
			s.mu.Unlock()
			return
		}
		c = s.sock.pick(c)
		if c == nil {
			e.sentAt = time.Time{}
			s.obs.envelopes[s.obs.envIndex[e.id]].Delivered = false
			s.sock.held = append(s.sock.held, e)
		} else {
			e.sentAt = time.Now()
			s.obs.envelopes[s.obs.envIndex[e.id]].Conn = c.id
		}
		s.mu.Unlock()
	}
}

// expire fails an envelope whose ack deadline passed.
func (s *Server) expire(id string) {
	s.mu.Lock()
	e, ok := s.sock.pending[id]
	if !ok {
		s.mu.Unlock()
		return
	}
	delete(s.sock.pending, id)
	s.sock.held = slices.DeleteFunc(s.sock.held, func(h *envelope) bool { return h == e })
	delivered := !e.sentAt.IsZero()
	s.mu.Unlock()
	s.log.Debug("slackemu: envelope not acked", "envelope_id", id, "type", e.typ, "delivered", delivered)
	e.finish(outcome{delivered: delivered})
}

// onFrame handles a frame read from a connection: an ack.
func (s *Server) onFrame(data []byte) {
	received := time.Now()
	var ack struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(data, &ack); err != nil || ack.EnvelopeID == "" {
		s.log.Debug("slackemu: ignoring frame that is not an ack", "frame", truncate(string(data), 200))
		return
	}
	if string(ack.Payload) == "null" {
		ack.Payload = nil
	}
	rec := Ack{EnvelopeID: ack.EnvelopeID, Size: len(data), HasPayload: len(ack.Payload) > 0, Dropped: len(data) >= maxAckSize}
	s.mu.Lock()
	rec.At = s.now()
	e, ok := s.sock.pending[ack.EnvelopeID]
	if !ok {
		rec.Late = true
		if i, known := s.obs.envIndex[ack.EnvelopeID]; known {
			rec.Type = s.obs.envelopes[i].Type
			rec.RetryAttempt = s.obs.envelopes[i].RetryAttempt
		}
		s.obs.acks = append(s.obs.acks, rec)
		s.mu.Unlock()
		return
	}
	rec.Type, rec.RetryAttempt = e.typ, e.retryAttempt
	if !e.sentAt.IsZero() {
		rec.Latency = received.Sub(e.sentAt)
	}
	if rec.Dropped {
		s.obs.acks = append(s.obs.acks, rec)
		s.mu.Unlock()
		s.log.Debug("slackemu: dropped oversized ack", "envelope_id", e.id, "size", len(data))
		return
	}
	delete(s.sock.pending, e.id)
	s.obs.envelopes[s.obs.envIndex[e.id]].Acked = true
	s.obs.acks = append(s.obs.acks, rec)
	t := e.timer
	s.mu.Unlock()
	s.stopTimer(t)
	e.finish(outcome{acked: true, delivered: true, payload: ack.Payload, latency: rec.Latency})
}

// wsConn is one Socket Mode connection.
type wsConn struct {
	id    int
	ws    *websocket.Conn
	ready bool // guarded by Server.mu: took its hello, takes envelopes
	wmu   sync.Mutex
	once  sync.Once
	done  chan struct{}
}

func (c *wsConn) writeText(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// closeNow closes the TCP connection without a close frame.
func (c *wsConn) closeNow() {
	c.once.Do(func() {
		close(c.done)
		_ = c.ws.Close()
	})
}

// closeGracefully sends a close frame, then closes.
func (c *wsConn) closeGracefully() {
	_ = c.ws.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.closeNow()
}

// serveLink upgrades a single-use Socket Mode URL to a websocket.
func (s *Server) serveLink(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	_, ok := s.sock.tickets[ticket]
	delete(s.sock.tickets, ticket)
	closed := s.closed
	s.mu.Unlock()
	if closed {
		http.Error(w, "server closed", http.StatusServiceUnavailable)
		return
	}
	if !ok || r.URL.Query().Get("app_id") != s.opts.AppID {
		// Each URL is single use: a second dial is refused before upgrading.
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &wsConn{ws: ws, done: make(chan struct{})}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.closeNow()
		return
	}
	s.sock.connSeq++
	c.id = s.sock.connSeq
	if len(s.sock.ready()) >= s.opts.MaxConnections {
		s.mu.Unlock()
		_ = c.writeText(s.disconnectFrame("too_many_websockets"))
		c.closeGracefully()
		return
	}
	s.sock.conns = append(s.sock.conns, c)
	s.wg.Add(2) // this handler and the pinger
	s.mu.Unlock()
	defer s.wg.Done()
	defer s.removeConn(c)
	go func() {
		defer s.wg.Done()
		s.ping(c)
	}()

	// Hold the write lock while the connection becomes ready, so that no
	// envelope is written before the hello.
	c.wmu.Lock()
	s.mu.Lock()
	c.ready = true
	s.sock.connects++
	num := len(s.sock.ready())
	held := s.sock.held
	s.sock.held = nil
	for _, e := range held {
		e.sentAt = time.Now()
		s.obs.envelopes[s.obs.envIndex[e.id]].Delivered = true
		s.obs.envelopes[s.obs.envIndex[e.id]].Conn = c.id
	}
	s.sock.notify()
	s.mu.Unlock()
	s.log.Debug("slackemu: socket connected", "conn", c.id, "num_connections", num, "held", len(held))
	_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	err = c.ws.WriteMessage(websocket.TextMessage, s.helloFrame(num))
	c.wmu.Unlock()
	if err != nil {
		c.closeNow() // held envelopes then move to another connection, or wait
	}
	for _, e := range held {
		s.send(c, e)
	}

	for {
		typ, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		if typ == websocket.TextMessage {
			s.onFrame(data)
		}
	}
}

// helloFrame is the hello message exactly as SLACK.md shows it.
func (s *Server) helloFrame(num int) []byte {
	b, _ := json.Marshal(map[string]any{
		"type":            "hello",
		"num_connections": num,
		"connection_info": map[string]any{"app_id": s.opts.AppID},
		"debug_info": map[string]any{
			"host":                        "applink-emu-1",
			"started":                     s.now().UTC().Format("2006-01-02 15:04:05.000"),
			"build_number":                54,
			"approximate_connection_time": 18060,
		},
	})
	return b
}

func (s *Server) disconnectFrame(reason string) []byte {
	b, _ := json.Marshal(map[string]any{
		"type":       "disconnect",
		"reason":     reason,
		"debug_info": map[string]any{"host": "applink-emu-1"},
	})
	return b
}

// ping sends websocket PINGs every PingInterval until the connection closes.
func (s *Server) ping(c *wsConn) {
	t := time.NewTicker(s.opts.PingInterval)
	defer t.Stop()
	for n := 1; ; n++ {
		select {
		case <-c.done:
			return
		case <-t.C:
			if err := c.ws.WriteControl(websocket.PingMessage, []byte(strconv.Itoa(n)), time.Now().Add(5*time.Second)); err != nil {
				c.closeNow()
				return
			}
		}
	}
}

func (s *Server) removeConn(c *wsConn) {
	c.closeNow()
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.Index(s.sock.conns, c); i >= 0 {
		s.sock.conns = slices.Delete(s.sock.conns, i, i+1)
		if c.ready {
			s.sock.notify()
		}
	}
}

// openConnection registers a single-use ticket and returns its URL.
func (s *Server) openConnection() string {
	ticket := randomToken()
	s.mu.Lock()
	s.sock.tickets[ticket] = s.now()
	if len(s.sock.tickets) > 1024 {
		for k, at := range s.sock.tickets {
			if s.now().Sub(at) > time.Hour {
				delete(s.sock.tickets, k)
			}
		}
	}
	s.mu.Unlock()
	host := s.base[len("http://"):]
	return "ws://" + host + "/link/?ticket=" + ticket + "&app_id=" + s.opts.AppID
}

// Disconnect sends {"type":"disconnect","reason":reason} on every open
// connection. "warning" closes each socket after WarningGrace;
// "refresh_requested", "link_disabled" and anything else close right after.
//
// A connection that was told to disconnect takes no new envelopes: they go
// to the other connections or wait for the client's new one.
func (s *Server) Disconnect(reason string) {
	s.mu.Lock()
	conns := s.sock.ready()
	for _, c := range conns {
		c.ready = false
	}
	if len(conns) > 0 {
		s.sock.notify()
	}
	s.mu.Unlock()
	frame := s.disconnectFrame(reason)
	for _, c := range conns {
		_ = c.writeText(frame)
		if reason != "warning" {
			c.closeGracefully()
			continue
		}
		s.mu.Lock()
		if !s.closed {
			s.armTimer(s.opts.WarningGrace, c.closeGracefully)
		}
		s.mu.Unlock()
	}
}

// armTimer arms a tracked timer that Close stops. The caller holds s.mu
// and has checked that the server is not closed.
func (s *Server) armTimer(d time.Duration, f func()) {
	var t *time.Timer
	t = s.afterFunc(d, func() {
		s.mu.Lock()
		_, live := s.sock.timers[t]
		delete(s.sock.timers, t)
		s.mu.Unlock()
		if live {
			f()
		}
	})
	s.sock.timers[t] = struct{}{}
}

// DropSockets closes every connection's TCP stream without a close frame.
func (s *Server) DropSockets() {
	s.mu.Lock()
	conns := slices.Clone(s.sock.conns)
	for _, c := range conns {
		c.ready = false
	}
	s.sock.notify()
	s.mu.Unlock()
	for _, c := range conns {
		c.closeNow()
	}
}

// Connections is the number of open Socket Mode connections.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sock.ready())
}

// Connects is the number of Socket Mode connections ever opened (each
// reconnect counts).
func (s *Server) Connects() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sock.connects
}

// WaitConnected waits until at least n connections are open.
func (s *Server) WaitConnected(ctx context.Context, n int) error {
	return s.waitSockets(ctx, func() bool { return len(s.sock.ready()) >= n })
}

// WaitConnects waits until at least n connections were ever opened; after
// a Disconnect or DropSockets, wait for Connects()+1 to see the reconnect.
func (s *Server) WaitConnects(ctx context.Context, n int) error {
	return s.waitSockets(ctx, func() bool { return s.sock.connects >= n })
}

func (s *Server) waitSockets(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ok := cond()
		ch := s.sock.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return ErrClosed
		}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
