package slackemu

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// testTimeout bounds every wait in a test.
const testTimeout = 5 * time.Second

// newServer starts a server with two people, alice (U1) and bob (U2), and
// closes it when the test ends.
func newServer(t testing.TB, opts Options) *Server {
	t.Helper()
	s := New(opts)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	s.AddUser(User{ID: "U1", Name: "alice", RealName: "Alice Liddell", TZ: "Europe/Berlin"})
	s.AddUser(User{ID: "U2", Name: "bob", RealName: "Bob Builder", TZ: "America/New_York"})
	return s
}

func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// fakeClock is a controllable Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// answer is a decoded Web API answer.
type answer struct {
	status int
	header http.Header
	body   map[string]any
}

func (a answer) ok() bool    { v, _ := a.body["ok"].(bool); return v }
func (a answer) err() string { v, _ := a.body["error"].(string); return v }
func (a answer) str(k string) string {
	v, _ := a.body[k].(string)
	return v
}

// do sends a request to the server's API and decodes the JSON answer.
func do(t testing.TB, s *Server, method string, header http.Header, contentType string, body io.Reader) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(testCtx(t), http.MethodPost, s.APIURL()+method, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	if err := json.NewDecoder(resp.Body).Decode(&a.body); err != nil {
		t.Fatalf("%s: decoding answer: %v", method, err)
	}
	return a
}

// form calls a method with the bot token in the token form field.
func form(t testing.TB, s *Server, method string, v url.Values) answer {
	t.Helper()
	if v == nil {
		v = url.Values{}
	}
	if !v.Has("token") {
		v.Set("token", s.BotToken())
	}
	return do(t, s, method, nil, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
}

// jsonCall calls a method with a JSON body and the bot token as Bearer.
func jsonCall(t testing.TB, s *Server, method string, body any) answer {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{"Authorization": {"Bearer " + s.BotToken()}}
	return do(t, s, method, h, "application/json; charset=utf-8", strings.NewReader(string(b)))
}

// mustOK fails the test unless the answer is ok.
func mustOK(t testing.TB, a answer) answer {
	t.Helper()
	if !a.ok() {
		t.Fatalf("answer not ok: %v", a.body)
	}
	return a
}

// frame is one message read by a test bot.
type frame struct {
	Type                   string          `json:"type"`
	EnvelopeID             string          `json:"envelope_id"`
	Payload                json.RawMessage `json:"payload"`
	AcceptsResponsePayload *bool           `json:"accepts_response_payload"`
	RetryAttempt           *int            `json:"retry_attempt"`
	RetryReason            *string         `json:"retry_reason"`
	Reason                 string          `json:"reason"`
	NumConnections         int             `json:"num_connections"`
	raw                    []byte
}

// rawBot is a Socket Mode client written against the documented protocol
// with gorilla/websocket directly.
type rawBot struct {
	t       testing.TB
	ws      *websocket.Conn
	url     string
	hello   frame
	frames  chan frame
	pings   chan string
	readErr error
	done    chan struct{}
	wmu     sync.Mutex
	wg      sync.WaitGroup // serve goroutines
}

// socketURL calls apps.connections.open with the app token.
func socketURL(t testing.TB, s *Server) string {
	t.Helper()
	a := mustOK(t, do(t, s, "apps.connections.open", http.Header{"Authorization": {"Bearer " + s.AppToken()}}, "application/x-www-form-urlencoded", nil))
	return a.str("url")
}

// connectBot opens a connection and reads its hello.
func connectBot(t testing.TB, s *Server) *rawBot {
	t.Helper()
	u := socketURL(t, s)
	ws, _, err := websocket.DefaultDialer.DialContext(testCtx(t), u, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	b := &rawBot{t: t, ws: ws, url: u, frames: make(chan frame, 64), pings: make(chan string, 64), done: make(chan struct{})}
	ws.SetPingHandler(func(data string) error {
		select {
		case b.pings <- data:
		default:
		}
		b.wmu.Lock()
		defer b.wmu.Unlock()
		return ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	go b.read()
	t.Cleanup(b.close)
	b.hello = b.next()
	if b.hello.Type != "hello" {
		t.Fatalf("first frame is %q, want hello", b.hello.Type)
	}
	return b
}

func (b *rawBot) read() {
	defer close(b.done)
	for {
		_, data, err := b.ws.ReadMessage()
		if err != nil {
			b.readErr = err
			return
		}
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			b.t.Errorf("frame is not JSON: %s", data)
			continue
		}
		f.raw = data
		b.frames <- f
	}
}

func (b *rawBot) close() {
	_ = b.ws.Close()
	<-b.done
	b.wg.Wait()
}

// next waits for the next frame.
func (b *rawBot) next() frame {
	b.t.Helper()
	select {
	case f := <-b.frames:
		return f
	case <-b.done:
		select {
		case f := <-b.frames:
			return f
		default:
		}
		b.t.Fatalf("connection closed: %v", b.readErr)
	case <-time.After(testTimeout):
		b.t.Fatal("no frame")
	}
	return frame{}
}

// closed waits for the server to close the connection and returns the error.
func (b *rawBot) closed() error {
	b.t.Helper()
	select {
	case <-b.done:
		return b.readErr
	case <-time.After(testTimeout):
		b.t.Fatal("connection not closed")
	}
	return nil
}

// ack acknowledges an envelope, with an optional payload.
func (b *rawBot) ack(id string, payload any) {
	b.t.Helper()
	if err := b.send(id, payload); err != nil {
		b.t.Fatalf("ack: %v", err)
	}
}

func (b *rawBot) send(id string, payload any) error {
	msg := map[string]any{"envelope_id": id}
	if payload != nil {
		msg["payload"] = payload
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	b.wmu.Lock()
	defer b.wmu.Unlock()
	return b.ws.WriteMessage(websocket.TextMessage, data)
}

// serve answers every envelope with handle's payload (nil: plain ack)
// until the connection closes. handle runs in another goroutine: it must
// report problems with t.Error, not t.Fatal.
func (b *rawBot) serve(handle func(f frame) any) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		for {
			select {
			case f := <-b.frames:
				if f.EnvelopeID != "" {
					if err := b.send(f.EnvelopeID, handle(f)); err != nil {
						return
					}
				}
			case <-b.done:
				return
			}
		}
	}()
}

// decode unmarshals JSON into a map, failing the test on error.
func decode(t testing.TB, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return m
}

// trigger issues a trigger_id as if the person had just interacted.
func (s *Server) testTrigger(user string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ws.newTrigger(user, "", s.now())
}
