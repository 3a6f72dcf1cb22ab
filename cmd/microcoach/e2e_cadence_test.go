package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/slackemu"
)

// never is a schedule that does not fire during a test.
const never = "0 0 1 1 *"

func cadenceEnv(nudge, checkin string) map[string]string {
	return map[string]string{
		"MICROCOACH_NUDGE_SCHEDULE":   nudge,
		"MICROCOACH_CHECKIN_SCHEDULE": checkin,
		"MICROCOACH_REFRESH_SCHEDULE": never,
		"MICROCOACH_DIGEST_SCHEDULE":  never,
	}
}

func (h *harness) savePlan(user slackemu.User) {
	h.t.Helper()
	h.slash(user, "/coach", "plan")
	v := h.lastModal(user)
	n := h.emu.SeenCount(user.ID)
	res, err := h.emu.SubmitView(ctxT(h.t), user.ID, v.ID, planValues("Strategist by summer",
		[3]string{"problem-understanding", "Problem briefs", "Write three problem briefs\nReview them with engineering"},
		[3]string{"team", "Bad news early", "Send a weekly stakeholder update"}))
	if err != nil || !res.Closed {
		h.t.Fatalf("plan: %+v %v", res, err)
	}
	h.waitSeen(user, n, slackemu.Containing("Saved your plan"))
}

func TestWeeklyNudgeAboutAPlanAction(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, cadenceEnv(never, never))
	h.savePlan(ana)
	h.env = cadenceEnv("@every 1s", never)
	h.restart()
	nudge := h.waitSeen(ana, 0, slackemu.Containing("This week:"))
	mustContain(t, nudge.Text(), "This week:* Write three problem briefs", "Problem briefs", "[ Done ]", "[ Not yet ]", "[ Snooze a week ]")
	id, val := buttonIn(t, nudge.Blocks, "Done")
	n := h.emu.SeenCount(ana.ID)
	if err := h.emu.Click(ctxT(t), ana.ID, slackemu.InMessage(nudge.Channel, nudge.TS), id, val); err != nil {
		t.Fatal(err)
	}
	upd := h.waitSeen(ana, n, slackemu.Kind(slackemu.SeenMessageUpdate))
	mustContain(t, upd.Text(), "Done:* Write three problem briefs")
	// The next nudge moves on to the next theme: fair rotation.
	next := h.waitSeen(ana, n, func(s slackemu.Seen) bool {
		return s.Kind == slackemu.SeenMessage && strings.Contains(s.Text(), "This week:")
	})
	mustContain(t, next.Text(), "Send a weekly stakeholder update")
	db := h.db()
	p, _, _ := db.Plan(ana.ID)
	if !p.Themes[0].Actions[0].Done {
		t.Fatalf("Done did not tick the action: %+v", p.Themes[0].Actions)
	}
}

func TestQuestionAnsweredByDMReply(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, cadenceEnv(never, never))
	h.team(maya, bob)
	h.command(bob, "/coach", "question")
	q := h.waitSeen(bob, 0, slackemu.Containing("A question for you"))
	mustContain(t, q.Text(), "Reply here")
	ctx := ctxT(t)
	n := h.emu.SeenCount(bob.ID)
	eventID, err := h.emu.SendDM(ctx, bob.ID, "More time with customers, honestly")
	if err != nil {
		t.Fatal(err)
	}
	saved := h.waitSeen(bob, n, slackemu.Containing("Only you can see this answer"))
	mustContain(t, saved.Text(), "Share with my manager")
	h.waitSeen(bob, n, slackemu.Kind(slackemu.SeenReaction))

	// The same event delivered again (Slack retries) is stored once.
	raw, _ := json.Marshal(map[string]any{"type": "message", "channel": h.emu.DMChannel(bob.ID), "user": bob.ID, "text": "More time with customers, honestly", "ts": "1.000100", "channel_type": "im"})
	if _, err := h.emu.Deliver(ctx, "events_api", h.emu.EventCallback(raw, eventID)); err != nil {
		t.Fatal(err)
	}
	// Share it: it will show in the manager's agenda, never in a digest.
	id, val := buttonIn(t, saved.Blocks, "Share with my manager")
	n = h.emu.SeenCount(bob.ID)
	if err := h.emu.Click(ctx, bob.ID, slackemu.InMessage(saved.Channel, saved.TS), id, val); err != nil {
		t.Fatal(err)
	}
	h.waitSeen(bob, n, slackemu.Containing("shared with @maya, your manager of record"))

	// A message with nothing open is not taken as an answer.
	nc := h.emu.SeenCount(cleo.ID)
	h.emu.SendDM(ctx, cleo.ID, "and another thing")
	h.waitSeen(cleo, nc, slackemu.Containing("I'm not waiting for an answer"))

	nm := h.emu.SeenCount(maya.ID)
	h.command(maya, "/coach", "prep @bob")
	agenda := h.waitSeen(maya, nm, slackemu.Containing("1:1 agenda"))
	mustContain(t, agenda.Text(), "Answers shared with you", "More time with customers")
	preview := h.slash(maya, "/coach", "digest")
	mustContain(t, preview, "Team digest (preview)")
	mustNotContain(t, preview, "More time with customers")

	db := h.db()
	answers, _ := db.Answers(bob.ID)
	if len(answers) != 1 || answers[0].SharedWith != maya.ID {
		t.Fatalf("answers = %+v, want one, shared with maya", answers)
	}
	if strings.Contains(h.logs.String(), "More time with customers") {
		t.Error("an answer's text reached the logs")
	}
}

func TestBotIgnoresItsOwnMessages(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, cadenceEnv(never, never))
	h.command(ana, "/coach", "question")
	h.waitSeen(ana, 0, slackemu.Containing("A question for you"))
	// The bot's own DM came back as a message.im event; had it answered
	// itself, Ana would see a confirmation or a "not waiting" reply.
	h.slash(ana, "/coach", "help")
	for _, s := range h.emu.Seen(ana.ID) {
		if strings.Contains(s.Text(), "Only you can see this answer") || strings.Contains(s.Text(), "I'm not waiting") {
			t.Fatalf("the bot answered its own message: %s", s.Text())
		}
	}
}

func TestColourCheckinUpdatesInPlace(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, cadenceEnv(never, never))
	h.savePlan(ana)
	h.slash(bob, "/coach", "pause 2w")
	h.env = cadenceEnv(never, "@every 2s")
	h.restart()
	checkin := h.waitSeen(ana, 0, slackemu.Containing("Monthly check-in"))
	mustContain(t, checkin.Text(), "Green: on track", "Yellow: some progress", "Red: stuck", "0 of 2 themes")
	id, val := buttonIn(t, checkin.Blocks, "Red: stuck")
	n := h.emu.SeenCount(ana.ID)
	if err := h.emu.Click(ctxT(t), ana.ID, slackemu.InMessage(checkin.Channel, checkin.TS), id, val); err != nil {
		t.Fatal(err)
	}
	upd := h.waitSeen(ana, n, slackemu.Kind(slackemu.SeenMessageUpdate))
	mustContain(t, upd.Text(), "red — stuck", "1 of 2 themes checked in")

	// A note on the red theme, from its own small form: the check-in
	// message redraws with it.
	id, val = buttonIn(t, checkin.Blocks, "Add a note")
	n = h.emu.SeenCount(ana.ID)
	if err := h.emu.Click(ctxT(t), ana.ID, slackemu.InMessage(checkin.Channel, checkin.TS), id, val); err != nil {
		t.Fatal(err)
	}
	h.waitSeen(ana, n, slackemu.Kind(slackemu.SeenModalOpen))
	form := h.lastModal(ana)
	n = h.emu.SeenCount(ana.ID)
	if res, err := h.emu.SubmitView(ctxT(t), ana.ID, form.ID, map[string]map[string]slackemu.Value{
		"colour_note.text": {"note": slackemu.TextValue("blocked on legal review")},
	}); err != nil || !res.Closed {
		t.Fatalf("note: %+v %v", res, err)
	}
	withNote := h.waitSeen(ana, n, func(s slackemu.Seen) bool {
		return s.Kind == slackemu.SeenMessageUpdate && s.TS == checkin.TS && strings.Contains(s.Text(), "blocked on legal review")
	})
	mustContain(t, withNote.Text(), "red — stuck")

	// Bob paused: nothing arrives for him while Ana's check-ins keep coming.
	h.waitSeen(ana, n, func(s slackemu.Seen) bool {
		return s.Kind == slackemu.SeenMessage && strings.Contains(s.Text(), "Monthly check-in") && s.TS != checkin.TS
	})
	for _, s := range h.emu.Seen(bob.ID) {
		if s.Kind == slackemu.SeenMessage {
			t.Fatalf("paused Bob got: %s", s.Text())
		}
	}
	db := h.db()
	cs, _ := db.Colours(ana.ID)
	if len(cs) != 1 || cs[0].Colour != coach.Red || cs[0].Note != "blocked on legal review" {
		t.Fatalf("stored colours %+v", cs)
	}
}
