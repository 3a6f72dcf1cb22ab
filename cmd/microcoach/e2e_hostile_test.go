package main

import (
	"encoding/json"
	"testing"

	"github.com/microcoach/microcoach/slackemu"
)

// TestHostileUsersAreNotEnrolled: commands, clicks and DMs that claim to
// come from ids Slack does not know, from bots or from deactivated people
// change nothing and enroll no one.
func TestHostileUsersAreNotEnrolled(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, nil)
	for _, who := range []string{"UFAKE0001", robot.ID, gone.ID} {
		for _, cmd := range []struct{ command, text string }{{"/rate", "planning 5"}, {"/coach", "pause 2w"}} {
			payload, _ := json.Marshal(map[string]string{
				"user_id": who, "user_name": "x", "command": cmd.command, "text": cmd.text,
				"channel_id": "D0HOSTILE", "team_id": "T1", "response_url": h.emu.APIURL() + "nowhere",
			})
			d, err := h.emu.DeliverEnvelope(ctxT(t), slackemu.Envelope{Type: "slash_commands", Payload: payload, AcceptsResponsePayload: true})
			if err != nil || !d.Acked {
				t.Fatalf("%s %s from %s: acked=%v err=%v", cmd.command, cmd.text, who, d.Acked, err)
			}
		}
		ev, _ := json.Marshal(map[string]string{"type": "app_home_opened", "user": who, "channel": "D0HOSTILE", "tab": "home", "event_ts": "1700000000.000100"})
		if _, err := h.emu.Deliver(ctxT(t), "events_api", h.emu.EventCallback(ev, "Ev"+who)); err != nil {
			t.Fatal(err)
		}
	}
	// A real person's command after them is answered, so the ones
	// before were done (or refused) by then.
	mustContain(t, h.slash(ana, "/rate", "planning 6"), "*6*/10")
	h.stop()
	// The inbox is FIFO, but 16 workers run side by side: stop waits for
	// all of them, so by now every envelope was handled.
	db := h.db()
	for _, who := range []string{"UFAKE0001", robot.ID, gone.ID} {
		if _, found, err := db.Person(who); err != nil || found {
			t.Errorf("%s enrolled (%v)", who, err)
		}
		if rs := ratingsOf(t, db, who); len(rs) != 0 {
			t.Errorf("%s has %d ratings", who, len(rs))
		}
	}
	mustContain(t, h.logs.String(), "user Slack does not know", "from a bot user", "from a deactivated user")
}
