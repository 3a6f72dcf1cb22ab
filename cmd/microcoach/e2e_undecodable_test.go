package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/microcoach/microcoach/slackemu"
)

// TestUndecodableEnvelopesAreAcked: envelopes slack-go cannot decode (a
// type it does not know, a payload of the wrong shape) are still acked, so
// Slack neither retries them nor shows anyone operation_timeout; the log
// names their type but never their payload.
func TestUndecodableEnvelopesAreAcked(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, nil)
	const secret = "do-not-log-this-payload"
	for _, tc := range []struct {
		name string
		env  slackemu.Envelope
	}{
		{"unknown type", slackemu.Envelope{Type: "hostile_kind", Payload: json.RawMessage(`{"x":"` + secret + `"}`)}},
		{"slash command payload an array", slackemu.Envelope{Type: "slash_commands", Payload: json.RawMessage(`["` + secret + `"]`), AcceptsResponsePayload: true}},
		{"slash command field of the wrong type", slackemu.Envelope{Type: "slash_commands", Payload: json.RawMessage(`{"user_id":42,"text":"` + secret + `"}`), AcceptsResponsePayload: true}},
		{"interactive payload a string", slackemu.Envelope{Type: "interactive", Payload: json.RawMessage(`"` + secret + `"`), AcceptsResponsePayload: true}},
		{"event without an event", slackemu.Envelope{Type: "events_api", Payload: json.RawMessage(`{"type":"event_callback","event_id":"Ev1","token":"` + secret + `"}`)}},
		{"event of an unknown outer type", slackemu.Envelope{Type: "events_api", Payload: json.RawMessage(`{"type":"` + secret + `"}`)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := h.emu.DeliverEnvelope(ctxT(t), tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if !d.Acked {
				t.Fatalf("envelope %s not acked", d.EnvelopeID)
			}
			if !strings.Contains(h.logs.String(), d.EnvelopeID) {
				t.Errorf("log does not name envelope %s", d.EnvelopeID)
			}
		})
	}
	// The bot still answers people afterwards.
	mustContain(t, h.slash(ana, "/rate", "execution 6"), "*6*/10")
	logs := h.logs.String()
	mustContain(t, logs, "envelope_type=hostile_kind")
	mustNotContain(t, logs, secret)
}
