package main

import (
	"bytes"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/microcoach/microcoach/slackemu"
)

// scrape reads /metrics the way Prometheus does.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	status, body := httpGet(t, base+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("/metrics: %d %s", status, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics is not the Prometheus text format: %v", err)
	}
	return fams
}

// value is the value of the series of a family with the given labels
// (a counter's or gauge's value, a histogram's count); -1 when absent.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f, ok := fams[name]
	if !ok {
		return -1
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

// TestMetricsAfterTraffic scrapes /metrics over real HTTP after commands, a
// DM answer, scheduled nudges and a 429 from Slack, and checks the series
// an operator's dashboards and alerts rely on.
func TestMetricsAfterTraffic(t *testing.T) {
	// Not parallel: it waits for a forced 429's Retry-After and a 1 s
	// nudge slot, and was seen to miss its wait once under -race with the
	// other tests competing for the CPU.
	h := newHarness(t, slackemu.Options{}, opsEnv(cadenceEnv(never, never)))
	h.slash(ana, "/coach", "help") // enrolls ana and bob, who then get nudges
	h.slash(bob, "/coach", "help")
	h.env = opsEnv(cadenceEnv("@every 1s", never))
	h.restart()
	base := h.adminURL()

	h.slash(ana, "/rate", "planning 7 a note")
	h.command(bob, "/coach", "question")
	h.waitSeen(bob, 0, slackemu.Containing("A question for you"))
	n := h.emu.SeenCount(bob.ID)
	if _, err := h.emu.SendDM(ctxT(t), bob.ID, "my answer"); err != nil {
		t.Fatal(err)
	}
	h.waitSeen(bob, n, slackemu.Containing("Only you can see this answer"))
	// The next scheduled post is refused once with a 429; the scheduler
	// waits and sends it anyway.
	n = h.emu.SeenCount(ana.ID)
	h.emu.ForceRateLimit("chat.postMessage", 1, time.Second)
	h.waitSeen(ana, n, slackemu.Kind(slackemu.SeenMessage))

	// Slack shows a message a moment before the bot hears its answer and
	// counts it.
	var fams map[string]*dto.MetricFamily
	eventually(t, "the nudge to be counted", func() bool {
		fams = scrape(t, base)
		return value(fams, "microcoach_scheduled_messages_total", "cadence", "nudge", "outcome", "sent") >= 1 &&
			value(fams, "microcoach_slack_rate_limited_total", "method", "chat.postMessage") >= 1
	})
	for _, c := range []struct {
		name   string
		labels []string
		min    float64
	}{
		{"microcoach_envelopes_total", []string{"type", "slash_commands"}, 2},
		{"microcoach_envelopes_total", []string{"type", "events_api"}, 1},
		{"microcoach_envelope_ack_seconds", []string{"type", "slash_commands"}, 2},
		{"microcoach_socket_connected", nil, 1},
		{"microcoach_slack_api_calls_total", []string{"method", "auth.test", "outcome", "ok"}, 1},
		{"microcoach_slack_api_calls_total", []string{"method", "chat.postMessage", "outcome", "ok"}, 2},
		{"microcoach_slack_api_calls_total", []string{"method", "chat.postMessage", "outcome", "ratelimited"}, 1},
		{"microcoach_slack_rate_limited_total", []string{"method", "chat.postMessage"}, 1},
		{"microcoach_scheduled_messages_total", []string{"cadence", "nudge", "outcome", "sent"}, 1},
		{"microcoach_scheduler_lag_seconds", []string{"cadence", "nudge"}, 1},
		{"microcoach_store_backend", []string{"backend", *e2eStore}, 1},
		{"microcoach_leader", nil, 1},
		{"microcoach_build_info", nil, 1},
		{"go_goroutines", nil, 1},
		{"process_resident_memory_bytes", nil, 1},
	} {
		if got := value(fams, c.name, c.labels...); got < c.min {
			t.Errorf("%s%v = %v, want at least %v", c.name, c.labels, got, c.min)
		}
	}
	if got := value(fams, "microcoach_db_size_bytes"); onPostgres() != (got == -1) {
		t.Errorf("microcoach_db_size_bytes = %v: the size of the bbolt file, absent with PostgreSQL", got)
	}
	if got := value(fams, "microcoach_socket_connected"); got != 1 {
		t.Errorf("microcoach_socket_connected = %v", got)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if status, body := httpGet(t, base+path); status != http.StatusOK {
			t.Errorf("%s: %d %s", path, status, body)
		}
	}
}

// TestReadyzFollowsTheSocket drops the Socket Mode connection and keeps
// Slack from giving a new one for a moment: /readyz says 503 with the
// reason while /healthz stays 200, and both are 200 once it reconnects.
func TestReadyzFollowsTheSocket(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, opsEnv(nil))
	base := h.adminURL()
	// The harness returns once the bot has handled its Connected event.
	if status, body := httpGet(t, base+"/readyz"); status != http.StatusOK || body != "ready\n" {
		t.Fatalf("/readyz once connected: %d %q", status, body)
	}
	before := h.emu.Connects()
	h.emu.ForceRateLimit("apps.connections.open", 1, 2*time.Second)
	h.emu.DropSockets()
	var body string
	eventually(t, "/readyz to say 503", func() bool {
		var status int
		status, body = httpGet(t, base+"/readyz")
		return status == http.StatusServiceUnavailable
	})
	mustContain(t, body, "not ready", "Socket Mode not connected")
	if status, _ := httpGet(t, base+"/healthz"); status != http.StatusOK {
		t.Errorf("/healthz during the outage: %d", status)
	}
	if fams := scrape(t, base); value(fams, "microcoach_socket_connected") != 0 {
		t.Errorf("microcoach_socket_connected during the outage = %v", value(fams, "microcoach_socket_connected"))
	}
	eventually(t, "/readyz to say 200 again", func() bool {
		status, _ := httpGet(t, base+"/readyz")
		return status == http.StatusOK
	})
	if h.emu.Connects() <= before {
		t.Error("ready again without a new connection")
	}
	mustContain(t, h.slash(ana, "/rate", "team 6"), "you rated yourself *6*/10")
}

// TestAdminAddressInUse: a busy admin address stops start-up at once,
// before anything talks to Slack, with exit status 1 and a message naming
// the variable and the problem.
func TestAdminAddressInUse(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	emu := slackemu.New(slackemu.Options{})
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	dbPath := filepath.Join(t.TempDir(), "db")
	logs, err := runOnce(t, map[string]string{
		"SLACK_APP_TOKEN": emu.AppToken(), "SLACK_BOT_TOKEN": emu.BotToken(),
		"MICROCOACH_SLACK_API_URL": emu.APIURL(), "MICROCOACH_DB_PATH": dbPath,
		"MICROCOACH_ADMIN_ADDR": busy.Addr().String(),
	})
	var stderr bytes.Buffer
	if code := exitCode(err, &stderr); code != 1 {
		t.Fatalf("exit %d (%v), want 1\n%s", code, err, logs)
	}
	mustContain(t, stderr.String(), "MICROCOACH_ADMIN_ADDR", busy.Addr().String(), "address already in use")
	if calls := emu.Calls(); len(calls) != 0 {
		t.Errorf("talked to Slack before failing: %+v", calls)
	}
}

// TestBackupAndExportNeedTheToken: where a request comes from proves
// nothing (a sidecar proxy connects from 127.0.0.1); only the admin token
// opens /backup and /export, and without one configured they are off.
func TestBackupAndExportNeedTheToken(t *testing.T) {
	t.Parallel()
	const token = "0123456789abcdef-secret"
	for _, tc := range []struct {
		name, configured, header string
		want                     int
	}{
		{"right token from a sidecar", token, "Bearer " + token, http.StatusOK},
		{"scheme in lower case", token, "bearer " + token, http.StatusOK},
		{"no header from loopback", token, "", http.StatusUnauthorized},
		{"wrong token", token, "Bearer 0123456789abcdef-secreT", http.StatusUnauthorized},
		{"token as a prefix", token, "Bearer " + token[:10], http.StatusUnauthorized},
		{"longer token", token, "Bearer " + token + "x", http.StatusUnauthorized},
		{"basic auth", token, "Basic " + token, http.StatusUnauthorized},
		{"empty bearer", token, "Bearer ", http.StatusUnauthorized},
		{"off without a token", "", "Bearer ", http.StatusForbidden},
		{"off even with a header", "", "Bearer anything-at-all-here", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			handler := requireToken(tc.configured, slog.New(slog.DiscardHandler), func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("data")) })
			r := httptest.NewRequest(http.MethodGet, "/backup", nil)
			r.RemoteAddr = "127.0.0.1:5000"
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Errorf("%d, want %d: %s", w.Code, tc.want, w.Body.String())
			}
			if tc.want != http.StatusOK && strings.Contains(w.Body.String(), "data") {
				t.Errorf("refused but served: %s", w.Body.String())
			}
		})
	}
}

// TestAdminTokenSetting: a token too short to be a secret stops start-up
// with a message that names the variable but not the value.
func TestAdminTokenSetting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		token, want string
	}{
		{"short", "at least 16"},
		{"0123456789abcdef 0123", "space or control"},
	} {
		c := Config{AdminToken: tc.token, SlackAPIURL: "https://slack.com/api/", DBPath: "x.db", NudgeSchedule: "@every 1h", CheckinSchedule: "@every 1h", RefreshSchedule: "@every 1h", DigestSchedule: "@every 1h", LogLevel: "info", LogFormat: "text"}
		err := c.validate()
		if err == nil || !strings.Contains(err.Error(), "MICROCOACH_ADMIN_TOKEN") || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), tc.token) {
			t.Errorf("%q: %v", tc.token, err)
		}
	}
}

func TestCallOutcome(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		body   string
		want   string
	}{
		{200, `{"ok":true}`, "ok"},
		{200, `{"ok":false,"error":"channel_not_found"}`, "channel_not_found"},
		{200, `{"ok":false}`, "error"},
		{200, `{"ok":false,"error":"Weird Error <script>"}`, "other"},
		{429, `{"ok":false,"error":"ratelimited"}`, "ratelimited"},
		{200, `OK - 123`, "ok"},
		{500, `<html>`, "http_500"},
	} {
		if got := callOutcome(tc.status, []byte(tc.body)); got != tc.want {
			t.Errorf("callOutcome(%d, %s) = %q, want %q", tc.status, tc.body, got, tc.want)
		}
	}
	for path, want := range map[string]string{"/api/chat.postMessage": "chat.postMessage", "/upload/v1/abc": "upload", "/api/": "upload"} {
		if got := apiMethod(path); got != want {
			t.Errorf("apiMethod(%s) = %q, want %q", path, got, want)
		}
	}
}
