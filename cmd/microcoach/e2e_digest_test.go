package main

import (
	"strings"
	"testing"

	"github.com/microcoach/microcoach/slackemu"
)

// TestDigestInAChannel: the manager picks a channel; a private channel the
// bot is not in is refused with what to do; the scheduled digest lands in
// the chosen channel, worst first, without any answer; a channel that
// refuses the post sends the digest to the manager's DM with the reason.
func TestDigestInAChannel(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, cadenceEnv(never, never))
	h.emu.AddChannel(slackemu.Channel{ID: "CCOACH", Name: "coaching", Members: []string{maya.ID, h.emu.BotUserID()}})
	h.emu.AddChannel(slackemu.Channel{ID: "GSECRET", Name: "secret", Private: true, Members: []string{maya.ID}})
	h.emu.AddChannel(slackemu.Channel{ID: "COPEN", Name: "open", Members: []string{maya.ID}})

	h.team(maya, ana, bob)
	h.slash(ana, "/rate", "planning 8")
	h.slash(maya, "/rate", "@ana planning 5")
	h.command(ana, "/coach", "question")
	h.waitSeen(ana, 0, slackemu.Containing("A question for you"))
	h.emu.SendDM(ctxT(t), ana.ID, "I feel stuck with the roadmap, privately")
	h.waitSeen(ana, 0, slackemu.Containing("Only you can see this answer"))

	mustContain(t, h.slash(maya, "/coach", "digest #secret"), "If it is private, invite me first: /invite @microcoach")
	mustContain(t, h.slash(bob, "/coach", "digest"), "no reports in microcoach yet")
	mustContain(t, h.slash(maya, "/coach", "digest #open"), "I'm not in that channel. Invite me first")
	mustContain(t, h.slash(maya, "/coach", "digest #coaching"), "Your digest is posted in #coaching", "Everyone in #coaching is you", "full digest")

	h.env = cadenceEnv(never, never)
	h.env["MICROCOACH_DIGEST_SCHEDULE"] = "@every 1s"
	h.restart()
	digest := h.waitSeen(maya, 0, func(s slackemu.Seen) bool {
		return s.Channel == "CCOACH" && strings.Contains(s.Text(), "Team digest")
	})
	text := digest.Text()
	// Ana (a gap of 3) is named; Bob, with nothing to flag, is counted
	// and folded into the thread.
	mustContain(t, text, "2 reports", "Needs your attention", "@ana — gap of 3 on Planning", "1 doing fine")
	for _, m := range h.emu.History("CCOACH") {
		if strings.Contains(m.Text+string(m.Blocks), "stuck with the roadmap") {
			t.Fatalf("a private answer reached the channel: %s", m.Text)
		}
	}

	// A channel that refuses the post (the bot was removed from it): the
	// digest comes to the manager's DM, saying why.
	if err := h.emu.RemoveMembers("CCOACH", h.emu.BotUserID()); err != nil {
		t.Fatal(err)
	}
	n := h.emu.SeenCount(maya.ID)
	fallback := h.waitSeen(maya, n, func(s slackemu.Seen) bool {
		return strings.HasPrefix(s.Channel, "D") && strings.Contains(s.Text(), "Team digest")
	})
	mustContain(t, fallback.Text(), "I couldn't post your digest in", "not_in_channel", "/invite @microcoach")
}

// TestDigestInASharedChannel: a channel with someone in it who may not see
// every report's data gets counts only, and the details go to the
// manager's DM. No rating, gap, colour, challenge or answer rate of anyone
// appears in the channel's history.
func TestDigestInASharedChannel(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, cadenceEnv(never, never))
	h.emu.AddChannel(slackemu.Channel{ID: "CPM", Name: "pm-coaching", Members: []string{maya.ID, ana.ID, h.emu.BotUserID()}})
	h.team(maya, ana, bob)
	h.slash(ana, "/rate", "planning 8")
	h.slash(maya, "/rate", "@ana planning 5")
	h.slash(bob, "/coach", "challenge lead the Q3 pricing review")
	h.savePlan(bob)
	mustContain(t, h.slash(maya, "/coach", "digest #pm-coaching"), "Your digest is posted in #pm-coaching",
		"has members who may not see your reports' coaching data", "summary with counts only", "details will come to your DM")

	h.env = cadenceEnv(never, never)
	h.env["MICROCOACH_DIGEST_SCHEDULE"] = "@every 1s"
	h.restart()
	summary := h.waitSeen(ana, 0, func(s slackemu.Seen) bool {
		return s.Channel == "CPM" && strings.Contains(s.Text(), "Team digest")
	})
	mustContain(t, summary.Text(), "Team digest* for @maya", "2 reports", "Details are in @maya's DM")
	details := h.waitSeen(maya, 0, func(s slackemu.Seen) bool {
		return strings.HasPrefix(s.Channel, "D") && strings.Contains(s.Text(), "Team digest")
	})
	mustContain(t, details.Text(), "gap of 3 on Planning", "1 doing fine", "#pm-coaching has members who may not see")
	for _, m := range h.emu.History("CPM") {
		all := m.Text + string(m.Blocks)
		mustNotContain(t, all, "Planning", "+3", "gap", "Q3 pricing", "challenge", "answers", ":large_green_circle:", ":large_yellow_circle:", ":red_circle:", "UANA", "UBOB", "Problem briefs")
	}
}
