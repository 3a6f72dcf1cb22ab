package main

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"

	"github.com/microcoach/microcoach/slackemu"
)

// TestJSONLogsFollowableAndPrivate runs commands, a DM answer and a
// scheduled nudge with JSON logs. Every line must be JSON; every envelope
// the bot acknowledged must have exactly one "envelope" line carrying its id and the user (and
// the event id for events); every send one line with where it landed; and
// neither a token nor what a person wrote may appear anywhere.
func TestJSONLogsFollowableAndPrivate(t *testing.T) {
	t.Parallel()
	env := cadenceEnv(never, never)
	env["MICROCOACH_LOG_FORMAT"] = "json"
	h := newHarness(t, slackemu.Options{}, env)
	h.team(maya, bob)
	h.env["MICROCOACH_NUDGE_SCHEDULE"] = "@every 1s"
	h.restart()

	const note, answer = "confidential rating note", "my very private answer about my manager"
	h.slash(bob, "/rate", "planning 6 "+note)
	h.command(bob, "/coach", "question")
	h.waitSeen(bob, 0, slackemu.Containing("A question for you"))
	n := h.emu.SeenCount(bob.ID)
	eventID, err := h.emu.SendDM(ctxT(t), bob.ID, answer)
	if err != nil {
		t.Fatal(err)
	}
	h.waitSeen(bob, n, slackemu.Containing("Only you can see this answer"))
	h.waitSeen(bob, 0, slackemu.Containing("Question of the week")) // a scheduled nudge
	h.stop()

	logs := h.logs.String()
	mustNotContain(t, logs, h.emu.AppToken(), h.emu.BotToken(), "xoxb-", "xapp-", note, answer)

	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(logs))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("not a JSON line: %v\n%s", err, sc.Text())
		}
		lines = append(lines, line)
	}
	envelopeLines := map[string][]map[string]any{}
	var sends []map[string]any
	for _, l := range lines {
		switch l["msg"] {
		case "envelope":
			id, _ := l["envelope_id"].(string)
			envelopeLines[id] = append(envelopeLines[id], l)
		case "delivered", "direct message sent":
			sends = append(sends, l)
		}
	}
	for _, e := range h.emu.Envelopes() {
		if !e.Acked {
			continue // e.g. written to the socket as the first run was stopping; Slack retries it
		}
		got := envelopeLines[e.EnvelopeID]
		if len(got) != 1 {
			t.Errorf("envelope %s (%s) has %d log lines, want 1", e.EnvelopeID, e.Type, len(got))
			continue
		}
		if got[0]["user"] == "" || got[0]["user"] == nil {
			t.Errorf("envelope line without a user: %v", got[0])
		}
		if e.Type == "events_api" && got[0]["event_id"] != e.EventID {
			t.Errorf("event envelope line has event_id %v, want %s", got[0]["event_id"], e.EventID)
		}
	}
	var answered bool
	for _, l := range lines {
		if l["msg"] == "answer saved" {
			answered = l["event_id"] == eventID && l["user"] == bob.ID && l["envelope_id"] != ""
		}
	}
	if !answered {
		t.Error("no \"answer saved\" line with the event id, user and envelope id")
	}
	var nudged, questioned bool
	for _, s := range sends {
		if s["msg"] == "delivered" {
			for _, k := range []string{"person", "cadence", "period", "channel", "ts"} {
				if s[k] == nil || s[k] == "" {
					t.Errorf("send line without %s: %v", k, s)
				}
			}
			nudged = nudged || s["cadence"] == "nudge" && s["person"] == bob.ID
			questioned = questioned || s["cadence"] == "question" && s["person"] == bob.ID
		}
	}
	if !nudged || !questioned {
		t.Errorf("sends logged: nudge to bob %v, question to bob %v", nudged, questioned)
	}
}
