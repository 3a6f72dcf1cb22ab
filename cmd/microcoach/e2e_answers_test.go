package main

import (
	"strings"
	"testing"

	"github.com/microcoach/microcoach/slackemu"
)

// lastSent is the ts of the newest message the person wrote.
func (h *harness) lastSent(user slackemu.User) string {
	h.t.Helper()
	seen := h.emu.Seen(user.ID)
	for i := len(seen) - 1; i >= 0; i-- {
		if seen[i].Kind == slackemu.SeenSent {
			return seen[i].TS
		}
	}
	h.t.Fatalf("%s wrote nothing", user.Name)
	return ""
}

// An answer written in two messages is kept whole; a retried event
// changes nothing and says nothing; edits and deletions in Slack reach the
// stored answer; /coach answers shows it.
func TestAnswerKeptWhole(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, cadenceEnv(never, never))
	h.team(maya, bob)
	h.command(bob, "/coach", "question")
	h.waitSeen(bob, 0, slackemu.Containing("A question for you"))
	ctx := ctxT(t)

	n := h.emu.SeenCount(bob.ID)
	if _, err := h.emu.SendDM(ctx, bob.ID, "More time with customers"); err != nil {
		t.Fatal(err)
	}
	h.waitSeen(bob, n, slackemu.Containing("Only you can see this answer"))
	first := h.lastSent(bob)

	n = h.emu.SeenCount(bob.ID)
	second, err := h.emu.SendDM(ctx, bob.ID, "and fewer status meetings")
	if err != nil {
		t.Fatal(err)
	}
	h.waitLog("answer continued")
	secondTS := h.lastSent(bob)

	// Slack delivers the second message's event again, as after a slow ack.
	payload := h.emu.EventCallback([]byte(`{"type":"message","channel":"`+h.emu.DMChannel(bob.ID)+`","user":"`+bob.ID+`","text":"and fewer status meetings","ts":"`+secondTS+`","channel_type":"im"}`), second)
	if _, err := h.emu.DeliverEnvelope(ctx, slackemu.Envelope{Type: "events_api", Payload: payload, RetryAttempt: 1}); err != nil {
		t.Fatal(err)
	}
	h.waitLog("event delivered again; ignored")

	// Edit the first message, delete nothing yet.
	if _, err := h.emu.EditDM(ctx, bob.ID, first, "More time with customers, every week"); err != nil {
		t.Fatal(err)
	}
	h.waitLog("answer message edited")
	list := h.slash(bob, "/coach", "answers")
	mustContain(t, list, "Your recent answers", "More time with customers, every week\nand fewer status meetings", "Private", "[ Edit ]", "[ Share with my manager ]")

	for _, s := range h.emu.Seen(bob.ID)[n:] {
		if strings.Contains(s.Text(), "I'm not waiting") || strings.Contains(s.Text(), "Only you can see this answer") {
			t.Fatalf("after the first message Bob was told: %s", s.Text())
		}
	}

	// Share it from the list, then edit it in the editor.
	nl := h.emu.SeenCount(bob.ID)
	h.emu.Slash(ctx, bob.ID, "/coach", "answers")
	listed := h.waitSeen(bob, nl, slackemu.Kind(slackemu.SeenEphemeral))
	id, val := buttonIn(t, listed.Blocks, "Share with my manager")
	nl = h.emu.SeenCount(bob.ID)
	if err := h.emu.Click(ctx, bob.ID, slackemu.InMessage(listed.Channel, listed.TS), id, val); err != nil {
		t.Fatal(err)
	}
	redrawn := h.waitSeen(bob, nl, slackemu.Containing("Shared with @maya")).Text()
	mustContain(t, redrawn, "[ Stop sharing ]", "Your recent answers")

	// Deleting the second message removes it from the answer.
	if _, err := h.emu.DeleteDM(ctx, bob.ID, secondTS); err != nil {
		t.Fatal(err)
	}
	h.waitLog("answer message removed")
	nl = h.emu.SeenCount(bob.ID)
	h.emu.Slash(ctx, bob.ID, "/coach", "answers")
	listed = h.waitSeen(bob, nl, slackemu.Kind(slackemu.SeenEphemeral))
	mustContain(t, listed.Text(), "More time with customers, every week")
	mustNotContain(t, listed.Text(), "status meetings")

	// The editor rewrites the whole answer.
	id, val = buttonIn(t, listed.Blocks, "Edit")
	nl = h.emu.SeenCount(bob.ID)
	if err := h.emu.Click(ctx, bob.ID, slackemu.InMessage(listed.Channel, listed.TS), id, val); err != nil {
		t.Fatal(err)
	}
	form := h.waitSeen(bob, nl, slackemu.Kind(slackemu.SeenModalOpen))
	mustContain(t, form.Text(), "Edit your answer")
	nl = h.emu.SeenCount(bob.ID)
	res, err := h.emu.SubmitView(ctx, bob.ID, form.ViewID, map[string]map[string]slackemu.Value{
		"answer.text": {"text": slackemu.TextValue("Customer time, every week. Fewer status meetings.")}})
	if err != nil || !res.Closed {
		t.Fatalf("editor: %+v %v", res, err)
	}
	h.waitSeen(bob, nl, slackemu.Containing("Your answer is updated"))

	db := h.db()
	answers, _ := db.Answers(bob.ID)
	if len(answers) != 1 || answers[0].Text != "Customer time, every week. Fewer status meetings." || answers[0].SharedWith != maya.ID {
		t.Fatalf("answers = %+v, want one, edited in the editor, still shared", answers)
	}
}
