package main

import (
	"strings"
	"testing"
	"time"

	"github.com/microcoach/microcoach/slackemu"
)

// A holiday status silences the cadence without a pause, shows as away to
// the manager, and when it clears the nudges come back.
func TestAwayStatusSilencesCadence(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, cadenceEnv(never, never))
	h.team(maya, ana)
	h.savePlan(ana)
	if _, err := h.emu.SetStatus(ctxT(t), ana.ID, ":palm_tree:", "Vacationing", time.Time{}); err != nil {
		t.Fatal(err)
	}
	h.env = cadenceEnv("@every 1s", never)
	h.restart()
	h.waitLog("away (Slack status)")
	for _, s := range h.emu.Seen(ana.ID) {
		if strings.Contains(s.Text(), "This week:") {
			t.Fatalf("Ana, away, got a nudge: %s", s.Text())
		}
	}
	preview := h.slash(maya, "/coach", "digest")
	mustContain(t, preview, "1 paused or away", "Nobody needs your attention")
	nm := h.emu.SeenCount(maya.ID)
	if _, err := h.emu.OpenHome(ctxT(t), maya.ID); err != nil {
		t.Fatal(err)
	}
	home := h.waitSeen(maya, nm, slackemu.Kind(slackemu.SeenHome)).Text()
	mustContain(t, home, "away (Slack status), not silent")

	// The status clears (user_change): the next nudge comes.
	n := h.emu.SeenCount(ana.ID)
	if _, err := h.emu.SetStatus(ctxT(t), ana.ID, "", "", time.Time{}); err != nil {
		t.Fatal(err)
	}
	h.waitSeen(ana, n, slackemu.Containing("This week:"))
}

// /coach pause until DATE lasts through DATE in the person's own zone, and
// says so in their zone.
func TestPauseUntilDateInOwnZone(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, cadenceEnv(never, never))
	got := h.slash(bob, "/coach", "pause until 2027-01-08")
	mustContain(t, got, "Paused through Friday, January 8th, 2027")
	mustNotContain(t, got, "UTC")
	db := h.db()
	p, _, _ := db.Person(bob.ID)
	ny, _ := time.LoadLocation("America/New_York")
	if want := time.Date(2027, 1, 9, 0, 0, 0, 0, ny); !p.PausedUntil.Equal(want) {
		t.Fatalf("paused until %v, want %v", p.PausedUntil, want)
	}
}
