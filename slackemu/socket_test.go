package slackemu

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestConnectionsOpenTokens(t *testing.T) {
	s := newServer(t, Options{})
	tests := []struct {
		name    string
		header  string
		form    url.Values
		wantErr string
	}{
		{name: "app token in header", header: "Bearer " + s.AppToken()},
		{name: "no token", wantErr: "not_authed"},
		{name: "app token as form field", form: url.Values{"token": {s.AppToken()}}, wantErr: "not_authed"},
		{name: "bot token", header: "Bearer " + s.BotToken(), wantErr: "not_allowed_token_type"},
		{name: "unknown app token", header: "Bearer xapp-1-A0EMU-1-wrong", wantErr: "invalid_auth"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.header != "" {
				h.Set("Authorization", tc.header)
			}
			a := do(t, s, "apps.connections.open", h, "application/x-www-form-urlencoded", strings.NewReader(tc.form.Encode()))
			if a.status != http.StatusOK {
				t.Fatalf("status %d", a.status)
			}
			if tc.wantErr != "" {
				if a.ok() || a.err() != tc.wantErr {
					t.Fatalf("got %v, want error %s", a.body, tc.wantErr)
				}
				return
			}
			u, err := url.Parse(mustOK(t, a).str("url"))
			if err != nil {
				t.Fatal(err)
			}
			if u.Scheme != "ws" || u.Path != "/link/" || u.Query().Get("ticket") == "" || u.Query().Get("app_id") != "A0EMU" {
				t.Fatalf("url %s is not ws://…/link/?ticket=…&app_id=A0EMU", u)
			}
		})
	}
}

func TestHelloAndSingleUseURL(t *testing.T) {
	s := newServer(t, Options{})
	bot := connectBot(t, s)
	hello := decode(t, bot.hello.raw)
	if hello["num_connections"] != 1.0 {
		t.Errorf("num_connections = %v, want 1", hello["num_connections"])
	}
	if ci, _ := hello["connection_info"].(map[string]any); ci["app_id"] != "A0EMU" {
		t.Errorf("connection_info = %v", hello["connection_info"])
	}
	di, _ := hello["debug_info"].(map[string]any)
	for _, k := range []string{"host", "started", "build_number", "approximate_connection_time"} {
		if _, ok := di[k]; !ok {
			t.Errorf("debug_info lacks %s: %v", k, di)
		}
	}
	if _, ok := hello["envelope_id"]; ok {
		t.Error("hello has an envelope_id; it must not be acked")
	}

	// The same URL cannot be dialled twice.
	_, resp, err := websocket.DefaultDialer.DialContext(testCtx(t), bot.url, nil)
	if err == nil {
		t.Fatal("second dial with a used ticket succeeded")
	}
	if resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("second dial: %v (response %v)", err, resp)
	}
	if n := s.Connections(); n != 1 {
		t.Errorf("Connections() = %d, want 1", n)
	}
	second := connectBot(t, s)
	if second.hello.NumConnections != 2 {
		t.Errorf("second hello num_connections = %d, want 2", second.hello.NumConnections)
	}
}

func TestServerPings(t *testing.T) {
	s := newServer(t, Options{PingInterval: 10 * time.Millisecond})
	bot := connectBot(t, s)
	select {
	case <-bot.pings:
	case <-time.After(testTimeout):
		t.Fatal("no ping")
	}
}

func TestSlashEnvelopeAndAck(t *testing.T) {
	s := newServer(t, Options{})
	bot := connectBot(t, s)
	ctx := testCtx(t)
	type result struct {
		res SlashResult
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := s.Slash(ctx, "U1", "/rate", "@bob 5 great work")
		done <- result{res, err}
	}()
	f := bot.next()
	if f.Type != "slash_commands" || f.AcceptsResponsePayload == nil || !*f.AcceptsResponsePayload {
		t.Fatalf("envelope %s", f.raw)
	}
	if f.RetryAttempt != nil || f.RetryReason != nil {
		t.Errorf("slash envelope carries retry fields: %s", f.raw)
	}
	p := decode(t, f.Payload)
	want := map[string]string{
		"command": "/rate", "user_id": "U1", "user_name": "alice", "team_id": "T0EMU",
		"team_domain": "emu", "api_app_id": "A0EMU", "channel_name": "directmessage",
		"text": "<@U2|bob> 5 great work",
	}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("payload %s = %v, want %q", k, p[k], v)
		}
	}
	for _, k := range []string{"token", "channel_id", "response_url", "trigger_id"} {
		if s, _ := p[k].(string); s == "" {
			t.Errorf("payload lacks %s", k)
		}
	}
	if !strings.HasPrefix(p["channel_id"].(string), "D") {
		t.Errorf("channel_id %v is not the app DM", p["channel_id"])
	}
	bot.ack(f.EnvelopeID, map[string]any{"text": "Thanks, rating saved"})
	r := <-done
	if r.err != nil || !r.res.Acked {
		t.Fatalf("Slash = %+v, %v", r.res, r.err)
	}
	seen, err := s.WaitSeen(ctx, "U1", Kind(SeenEphemeral))
	if err != nil {
		t.Fatal(err)
	}
	if seen.Text() != "Thanks, rating saved" {
		t.Errorf("person saw %q", seen.Text())
	}
	acks := s.Acks()
	if len(acks) != 1 || acks[0].Type != "slash_commands" || acks[0].Latency <= 0 || !acks[0].HasPayload || acks[0].Late || acks[0].Dropped {
		t.Errorf("Acks() = %+v", acks)
	}
}

func TestUnknownMentionStaysAsTyped(t *testing.T) {
	s := newServer(t, Options{})
	s.AddChannel(Channel{ID: "C1", Name: "general", Members: []string{"U1"}})
	s.mu.Lock()
	got := s.escapeText("@nobody and @alice in #general, mail@example.com")
	s.mu.Unlock()
	want := "@nobody and <@U1|alice> in <#C1|general>, mail@example.com"
	if got != want {
		t.Errorf("escapeText = %q, want %q", got, want)
	}
}

func TestOversizedAckIsDropped(t *testing.T) {
	s := newServer(t, Options{AckTimeout: 200 * time.Millisecond})
	bot := connectBot(t, s)
	ctx := testCtx(t)
	done := make(chan error, 1)
	go func() {
		_, err := s.Slash(ctx, "U1", "/rate", "")
		done <- err
	}()
	f := bot.next()
	bot.ack(f.EnvelopeID, map[string]any{"text": strings.Repeat("x", 21*1024)})
	if err := <-done; !errors.Is(err, ErrOperationTimeout) {
		t.Fatalf("Slash error = %v, want operation_timeout", err)
	}
	acks := s.Acks()
	if len(acks) != 1 || !acks[0].Dropped || acks[0].Size < maxAckSize {
		t.Fatalf("Acks() = %+v", acks)
	}
	if _, err := s.WaitSeen(ctx, "U1", func(e Seen) bool { return e.Kind == SeenError && e.MessageText == "operation_timeout" }); err != nil {
		t.Fatal(err)
	}
}

func TestDispatchFailedWithoutConnection(t *testing.T) {
	s := newServer(t, Options{AckTimeout: 50 * time.Millisecond})
	ctx := testCtx(t)
	if _, err := s.Slash(ctx, "U1", "/rate", ""); !errors.Is(err, ErrDispatchFailed) {
		t.Fatalf("Slash error = %v, want dispatch_failed", err)
	}
	e, err := s.WaitSeen(ctx, "U1", Kind(SeenError))
	if err != nil {
		t.Fatal(err)
	}
	if e.MessageText != "dispatch_failed" || !strings.Contains(e.Text(), "dispatch_failed") {
		t.Errorf("person saw %+v", e)
	}
}

func TestHeldEnvelopeIsDeliveredOnConnect(t *testing.T) {
	s := newServer(t, Options{})
	// SendDM dispatches before returning; with no connection the event is held.
	eventID, err := s.SendDM(testCtx(t), "U1", "anyone there?")
	if err != nil {
		t.Fatal(err)
	}
	if env := s.Envelopes(); len(env) != 1 || env[0].Delivered {
		t.Fatalf("Envelopes() = %+v, want one held envelope", env)
	}
	bot := connectBot(t, s)
	f := bot.next()
	if f.Type != "events_api" || decode(t, f.Payload)["event_id"] != eventID {
		t.Fatalf("got %s", f.raw)
	}
	bot.ack(f.EnvelopeID, nil)
}

func TestUnackedEventsAreRetriedWithTheSameEventID(t *testing.T) {
	s := newServer(t, Options{
		AckTimeout:       50 * time.Millisecond,
		EventRetryDelays: []time.Duration{0, 5 * time.Millisecond, 5 * time.Millisecond},
	})
	bot := connectBot(t, s)
	eventID, err := s.SendDM(testCtx(t), "U1", "hello")
	if err != nil || eventID == "" {
		t.Fatalf("SendDM = %q, %v", eventID, err)
	}
	ids := map[string]bool{}
	for attempt := 0; attempt <= 3; attempt++ {
		f := bot.next()
		if f.Type != "events_api" || f.RetryAttempt == nil || f.RetryReason == nil {
			t.Fatalf("attempt %d: %s", attempt, f.raw)
		}
		wantReason := ""
		if attempt > 0 {
			wantReason = "timeout"
		}
		if *f.RetryAttempt != attempt || *f.RetryReason != wantReason {
			t.Errorf("attempt %d: retry_attempt=%d retry_reason=%q", attempt, *f.RetryAttempt, *f.RetryReason)
		}
		if f.AcceptsResponsePayload == nil || *f.AcceptsResponsePayload {
			t.Errorf("events_api accepts_response_payload must be false: %s", f.raw)
		}
		p := decode(t, f.Payload)
		if p["event_id"] != eventID || p["type"] != "event_callback" {
			t.Errorf("attempt %d: payload %s", attempt, f.Payload)
		}
		ev := p["event"].(map[string]any)
		if ev["type"] != "message" || ev["channel_type"] != "im" || ev["text"] != "hello" || ev["user"] != "U1" {
			t.Errorf("event %v", ev)
		}
		if ids[f.EnvelopeID] {
			t.Errorf("envelope id %s reused", f.EnvelopeID)
		}
		ids[f.EnvelopeID] = true
		if attempt == 3 {
			bot.ack(f.EnvelopeID, nil) // the last one, acked
		}
	}
}

func TestDeliverDuplicateEvent(t *testing.T) {
	s := newServer(t, Options{})
	bot := connectBot(t, s)
	var envIDs []string
	bot.serve(func(f frame) any { return nil })
	payload := s.EventCallback(json.RawMessage(`{"type":"app_home_opened","user":"U1","channel":"D1","tab":"home","event_ts":"1.000001"}`), "EvDUP")
	for range 2 {
		d, err := s.Deliver(testCtx(t), "events_api", payload)
		if err != nil || !d.Acked {
			t.Fatalf("Deliver = %+v, %v", d, err)
		}
		envIDs = append(envIDs, d.EnvelopeID)
	}
	if envIDs[0] == envIDs[1] {
		t.Error("duplicate deliveries share an envelope id")
	}
	for _, e := range s.Envelopes() {
		if e.EventID != "EvDUP" {
			t.Errorf("envelope %+v", e)
		}
	}
}

func TestDisconnect(t *testing.T) {
	tests := []struct {
		reason    string
		wantClose bool // a close frame rather than a dropped stream
	}{
		{"warning", true},
		{"refresh_requested", true},
		{"link_disabled", true},
	}
	for _, tc := range tests {
		t.Run(tc.reason, func(t *testing.T) {
			s := newServer(t, Options{WarningGrace: 20 * time.Millisecond})
			bot := connectBot(t, s)
			start := time.Now()
			s.Disconnect(tc.reason)
			f := bot.next()
			if f.Type != "disconnect" || f.Reason != tc.reason || f.EnvelopeID != "" {
				t.Fatalf("got %s", f.raw)
			}
			if _, ok := decode(t, f.raw)["debug_info"]; !ok {
				t.Errorf("disconnect lacks debug_info: %s", f.raw)
			}
			err := bot.closed()
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.CloseNormalClosure {
				t.Errorf("read error %v, want a normal close", err)
			}
			if tc.reason == "warning" && time.Since(start) < 20*time.Millisecond {
				t.Error("warning closed before WarningGrace")
			}
		})
	}
}

func TestDropSockets(t *testing.T) {
	s := newServer(t, Options{})
	bot := connectBot(t, s)
	s.DropSockets()
	err := bot.closed()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseAbnormalClosure {
		t.Fatalf("read error %v, want 1006: the stream ended without a close frame", err)
	}
}

func TestTooManyConnections(t *testing.T) {
	s := newServer(t, Options{MaxConnections: 1})
	connectBot(t, s)
	ws, _, err := websocket.DefaultDialer.DialContext(testCtx(t), socketURL(t, s), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_, data, err := ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	if m := decode(t, data); m["type"] != "disconnect" || m["reason"] != "too_many_websockets" {
		t.Fatalf("got %s", data)
	}
}

func TestEnvelopesGoToEveryConnection(t *testing.T) {
	s := newServer(t, Options{})
	a, b := connectBot(t, s), connectBot(t, s)
	got := make(chan string, 4)
	a.serve(func(frame) any { got <- "a"; return nil })
	b.serve(func(frame) any { got <- "b"; return nil })
	for range 4 {
		if _, err := s.Slash(testCtx(t), "U1", "/rate", ""); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]int{}
	for range 4 {
		seen[<-got]++
	}
	if seen["a"] == 0 || seen["b"] == 0 {
		t.Errorf("deliveries per connection: %v", seen)
	}
	// Each envelope went to one connection, and the record says which.
	conns := map[int]int{}
	for _, e := range s.Envelopes() {
		conns[e.Conn]++
	}
	if len(conns) != 2 || conns[0] != 0 || conns[1]+conns[2] != 4 {
		t.Errorf("envelopes per recorded connection: %v, want 4 spread over connections 1 and 2", conns)
	}
}

func TestCloseStopsEverything(t *testing.T) {
	s := newServer(t, Options{AckTimeout: 20 * time.Millisecond, EventRetryDelays: []time.Duration{time.Hour}, WarningGrace: time.Hour})
	bot := connectBot(t, s) // never acks
	ctx := testCtx(t)
	if _, err := s.SendDM(ctx, "U1", "hi"); err != nil {
		t.Fatal(err)
	}
	bot.next() // attempt 0; its retry waits an hour once it expires
	s.Disconnect("warning")
	bot.next() // the disconnect; the socket would close after an hour

	// Wait for the attempt to expire, so the hour-long retry timer is armed.
	if _, err := s.Slash(ctx, "U1", "/rate", ""); !errors.Is(err, ErrDispatchFailed) {
		t.Fatalf("Slash error %v", err)
	}
	waiting := make(chan error, 1)
	go func() {
		_, err := s.WaitSeen(ctx, "U2", nil)
		waiting <- err
	}()
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(testTimeout):
		t.Fatal("Close did not return: a timer or goroutine is still running")
	}
	if err := <-waiting; !errors.Is(err, ErrClosed) {
		t.Errorf("WaitSeen after Close: %v", err)
	}
	if _, err := s.Slash(ctx, "U1", "/rate", ""); !errors.Is(err, ErrClosed) {
		t.Errorf("Slash after Close: %v", err)
	}
	bot.closed()
}
