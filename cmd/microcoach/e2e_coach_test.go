package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/microcoach/microcoach/slackemu"
)

const refusal = "You can only see or change your own coaching data, and that of people in your team."

// buttonIn finds a button's action id and value in a message or view's
// blocks by its label.
func buttonIn(t *testing.T, blocks json.RawMessage, label string) (actionID, value string) {
	t.Helper()
	var bs []map[string]any
	if err := json.Unmarshal(blocks, &bs); err != nil {
		t.Fatal(err)
	}
	var found func(any) bool
	found = func(n any) bool {
		switch x := n.(type) {
		case map[string]any:
			if x["type"] == "button" {
				if txt, ok := x["text"].(map[string]any); ok && strings.Contains(txt["text"].(string), label) {
					actionID, _ = x["action_id"].(string)
					value, _ = x["value"].(string)
					return true
				}
			}
			for _, v := range x {
				if found(v) {
					return true
				}
			}
		case []any:
			for _, v := range x {
				if found(v) {
					return true
				}
			}
		}
		return false
	}
	if !found(any(toAny(bs))) {
		t.Fatalf("no button %q in %s", label, blocks)
	}
	return actionID, value
}

func toAny(bs []map[string]any) []any {
	out := make([]any, len(bs))
	for i, b := range bs {
		out[i] = b
	}
	return out
}

func TestTeams(t *testing.T) {
	h := newHarness(t, slackemu.Options{}, nil)
	n := h.emu.SeenCount(ana.ID)
	mustContain(t, h.slash(maya, "/coach", "team add @ana @bob"), "@ana is now in your team", "@bob is now in your team")
	dm := h.waitSeen(ana, n, slackemu.Kind(slackemu.SeenMessage))
	mustContain(t, dm.Text(), "added you to their team", "What they can see", "stay private", "/coach team leave")

	mustContain(t, h.slash(maya, "/coach", "team add @ana"), "is already in your team")
	mustContain(t, h.slash(bob, "/coach", "team add @ana"), "already has a manager of record, @maya", "Nothing changed")
	mustContain(t, h.slash(maya, "/coach", "team add @maya"), "can't be your own manager")
	mustContain(t, h.slash(maya, "/coach", "team add @deploybot"), "is a bot")
	mustContain(t, h.slash(maya, "/coach", "team add @gone"), "has been deactivated")
	mustContain(t, h.slash(maya, "/coach", "team add @nobody"), "is not a person")
	mustContain(t, h.slash(ana, "/coach", "team add @maya"), "above you in the reporting chain")
	mustContain(t, h.slash(maya, "/coach", "team"), "Your team* (2)", "@ana", "@bob")
	mustContain(t, h.slash(ana, "/coach", "team"), "Your manager of record is @maya")

	mustContain(t, h.slash(bob, "/coach", "team leave"), "You left @maya's team")
	mustContain(t, h.slash(maya, "/coach", "team remove @bob"), "not in your team")
	mustContain(t, h.slash(maya, "/coach", "team remove @ana"), "no longer in your team")
	mustContain(t, h.slash(maya, "/coach", "team"), "Your team* is empty")
}

func TestAssessmentAndGaps(t *testing.T) {
	h := newHarness(t, slackemu.Options{}, nil)
	h.slash(maya, "/coach", "team add @ana")
	h.slash(ana, "/rate", "planning 6")
	mustContain(t, h.slash(maya, "/rate", "@ana planning 4 needs a roadmap"), "you rated @ana *4*/10", "Their own view: *6*", "gap +2")
	got := h.slash(ana, "/rate", "planning 8")
	mustContain(t, got, "Your manager's view: *4*", "gap +4", "worth talking about")

	got = h.slash(ana, "/coach", "gaps")
	mustContain(t, got, "Perception gaps", "Planning", "+4!", "+2 → +4")
	got = h.slash(maya, "/coach", "gaps @ana")
	mustContain(t, got, "@ana's own view beside yours", "+4!")
	mustContain(t, h.slash(bob, "/coach", "gaps @ana"), refusal)

	// The assessment modal: every area, saved as the manager's ratings.
	h.slash(maya, "/coach", "assess @ana")
	v := h.lastModal(maya)
	if v.Title != "Assess a report" {
		t.Fatalf("modal title %q", v.Title)
	}
	n := h.emu.SeenCount(maya.ID)
	res, err := h.emu.SubmitView(ctxT(t), maya.ID, v.ID, map[string]map[string]slackemu.Value{"score:team": {"score~team": slackemu.Choice("7")}})
	if err != nil || !res.Closed {
		t.Fatalf("submit: %+v %v", res, err)
	}
	mustContain(t, h.waitSeen(maya, n, slackemu.Kind(slackemu.SeenEphemeral)).Text(), "Saved 1 rating for @ana: Team *7*")
	rs := ratingsOf(t, h.db(), ana.ID)
	var byMaya int
	for _, r := range rs {
		if r.Rater == maya.ID {
			byMaya++
		}
	}
	if len(rs) != 4 || byMaya != 2 {
		t.Fatalf("ratings of ana: %+v", rs)
	}
}

func TestChallengeProposalAccepted(t *testing.T) {
	h := newHarness(t, slackemu.Options{}, nil)
	h.slash(maya, "/coach", "team add @ana")
	n := h.emu.SeenCount(ana.ID)
	mustContain(t, h.slash(maya, "/coach", "challenge @ana lead the H2 strategy planning"), "Proposed to @ana")
	msg := h.waitSeen(ana, n, slackemu.Containing("proposes a Next Bigger Challenge"))
	id, val := buttonIn(t, msg.Blocks, "Accept")
	n = h.emu.SeenCount(ana.ID)
	if err := h.emu.Click(ctxT(t), ana.ID, slackemu.InMessage(msg.Channel, msg.TS), id, val); err != nil {
		t.Fatal(err)
	}
	mustContain(t, h.waitSeen(ana, n, slackemu.Containing("Accepted")).Text(), "lead the H2 strategy planning")
	got := h.slash(ana, "/coach", "challenge")
	mustContain(t, got, "Your Next Bigger Challenge:* “lead the H2 strategy planning”")
	mustContain(t, h.slash(ana, "/coach", "challenge own it: run the offsite"), "Your Next Bigger Challenge: “own it: run the offsite”")
	mustContain(t, h.slash(ana, "/coach", "challenge"), "History", "accepted", "run the offsite")
	mustContain(t, h.slash(ana, "/coach", "challenge "+strings.Repeat("x", 400)), "keep it to 300")
}

func planValues(headline string, themes ...[3]string) map[string]map[string]slackemu.Value {
	v := map[string]map[string]slackemu.Value{"plan.headline": {"headline": slackemu.TextValue(headline)}}
	for i, th := range themes {
		n := string(rune('1' + i))
		if th[0] != "" {
			v["plan.theme"+n+".area"] = map[string]slackemu.Value{"area~" + n: slackemu.Choice(th[0])}
		}
		v["plan.theme"+n+".title"] = map[string]slackemu.Value{"title~" + n: slackemu.TextValue(th[1])}
		v["plan.theme"+n+".actions"] = map[string]slackemu.Value{"actions~" + n: slackemu.TextValue(th[2])}
	}
	return v
}

func TestPlanOwnedByThePM(t *testing.T) {
	h := newHarness(t, slackemu.Options{}, nil)
	h.slash(maya, "/coach", "team add @ana")
	mustContain(t, h.slash(ana, "/coach", "plan"), "Start your plan", "Theme 1")
	v := h.lastModal(ana)
	ctx := ctxT(t)

	bad, err := h.emu.SubmitView(ctx, ana.ID, v.ID, planValues("Grow", [3]string{"", "Problem briefs", "Write three briefs"}))
	if err != nil || bad.ResponseAction != "errors" || !strings.Contains(bad.Errors["plan.theme1.area"], "Pick the area") {
		t.Fatalf("a theme without an area: %+v %v", bad, err)
	}
	n := h.emu.SeenCount(ana.ID)
	res, err := h.emu.SubmitView(ctx, ana.ID, v.ID, planValues("From backlog manager to strategist",
		[3]string{"problem-understanding", "Problem briefs", "Write three problem briefs\nReview them with engineering"},
		[3]string{"team", "Bad news early", "Send a weekly stakeholder update"},
		[3]string{"listen-learn", "Evidence", "Define a success metric per epic"}))
	if err != nil || !res.Closed {
		t.Fatalf("submit: %+v %v", res, err)
	}
	mustContain(t, h.waitSeen(ana, n, slackemu.Kind(slackemu.SeenEphemeral)).Text(), "Saved your plan “From backlog manager to strategist” with 3 themes")

	mustContain(t, h.slash(maya, "/coach", "plan @ana"), "read-only", "Problem briefs", "Write three problem briefs")
	mustContain(t, h.slash(bob, "/coach", "plan @ana"), refusal)

	// Editing while the plan changed elsewhere (an action ticked on the
	// Home tab): detected and refused, not silently overwritten.
	h.slash(ana, "/coach", "plan")
	stale := h.lastModal(ana)
	home, ok := h.emu.Home(ana.ID)
	if !ok {
		t.Fatal("no Home published after saving the plan")
	}
	n = h.emu.SeenCount(ana.ID)
	if err := h.emu.Select(ctx, ana.ID, slackemu.InView(home.ID), "microcoach.actions_done~t1", "a1"); err != nil {
		t.Fatal(err)
	}
	h.waitSeen(ana, n, func(s slackemu.Seen) bool {
		return s.Kind == slackemu.SeenHome && strings.Contains(s.Text(), "Write three problem briefs")
	})
	conflict, err := h.emu.SubmitView(ctx, ana.ID, stale.ID, planValues("Overwrite everything",
		[3]string{"agile", "Something else", "Other things"}))
	if err != nil || conflict.ResponseAction != "errors" || !strings.Contains(conflict.Errors["plan.headline"], "changed elsewhere") {
		t.Fatalf("stale edit: %+v %v", conflict, err)
	}
	h.emu.CloseView(ctx, ana.ID, stale.ID)
	h.slash(ana, "/coach", "plan")
	fresh := h.lastModal(ana)
	if fresh.ID == stale.ID {
		t.Fatal("same modal twice")
	}
	n = h.emu.SeenCount(ana.ID)
	if res, err := h.emu.SubmitView(ctx, ana.ID, fresh.ID, planValues("Strategist by summer",
		[3]string{"problem-understanding", "Problem briefs", "Write three problem briefs"})); err != nil || !res.Closed {
		t.Fatalf("fresh submit: %+v %v", res, err)
	}
	h.waitSeen(ana, n, slackemu.Containing("Updated your plan"))
	db := h.db()
	p, _, _ := db.Plan(ana.ID)
	if p.Headline != "Strategist by summer" || p.Version != 3 {
		t.Fatalf("plan = %q v%d, want the fresh edit as v3", p.Headline, p.Version)
	}
	hist, _ := db.PlanHistory(ana.ID)
	if len(hist) != 3 || !strings.Contains(strings.Join(hist[1].Changes, ";"), `done "Write three problem briefs"`) {
		t.Fatalf("history = %+v", hist)
	}
}

func TestHomeTab(t *testing.T) {
	h := newHarness(t, slackemu.Options{}, nil)
	ctx := ctxT(t)
	if _, err := h.emu.OpenHome(ctx, ana.ID); err != nil {
		t.Fatal(err)
	}
	h.waitSeen(ana, 0, slackemu.Kind(slackemu.SeenHome))
	home, _ := h.emu.Home(ana.ID)
	mustContain(t, h.emu.Render(home.Blocks), "Welcome to microcoach", "Rate yourself", "Start my plan")

	h.slash(maya, "/coach", "team add @ana @bob")
	h.slash(ana, "/rate", "planning 8")
	na := h.emu.SeenCount(ana.ID)
	h.slash(maya, "/rate", "@ana planning 5")
	// A change republishes the Home of the person and of their manager.
	h.waitSeen(ana, na, func(s slackemu.Seen) bool { return s.Kind == slackemu.SeenHome && strings.Contains(s.Text(), "+3!") })
	n := h.emu.SeenCount(maya.ID)
	h.emu.OpenHome(ctx, maya.ID)
	got := h.waitSeen(maya, n, func(s slackemu.Seen) bool {
		return s.Kind == slackemu.SeenHome && strings.Contains(s.Text(), "gap Planning +3")
	}).Text()
	mustContain(t, got, "Your team (2)", "gap Planning +3", "Details")
	if strings.Index(got, "Ana") > strings.Index(got, "Bob") && strings.Contains(got, "Bob") {
		// Both have no plan; Ana's flagged gap puts her first.
		t.Errorf("worst first: Ana (gap +3) should come before Bob:\n%s", got)
	}
	home, _ = h.emu.Home(ana.ID)
	mustContain(t, h.emu.Render(home.Blocks), "Your coaching", "Planning", "+3!", "Weekly nudge:")
}

// Every command that touches someone's data, tried on Ana's by a stranger
// (Cleo), a peer (Bob, in the same team) and her former manager (Maya,
// after removing her). Each gets the same refusal, and nothing changes.
func TestPrivacyMatrix(t *testing.T) {
	h := newHarness(t, slackemu.Options{}, nil)
	h.slash(maya, "/coach", "team add @ana @bob")
	h.slash(ana, "/rate", "planning 8 private note")
	h.slash(maya, "/rate", "@ana planning 5")
	h.slash(maya, "/coach", "team remove @ana")

	commands := []struct{ cmd, text string }{
		{"/rate", "@ana planning 3"},
		{"/coach", "assess @ana"},
		{"/coach", "gaps @ana"},
		{"/coach", "plan @ana"},
		{"/coach", "challenge @ana take over the roadmap"},
		{"/coach", "prep @ana"},
	}
	cases := 0
	for _, actor := range []slackemu.User{cleo, bob, maya} {
		for _, c := range commands {
			got := h.slash(actor, c.cmd, c.text)
			cases++
			mustContain(t, got, refusal)
			mustNotContain(t, got, "private note", "8")
		}
		got := h.slash(actor, "/coach", "team remove @ana")
		cases++
		mustContain(t, got, "not in your team")
	}
	t.Logf("%d authorization cases", cases)
	rs := ratingsOf(t, h.db(), ana.ID)
	if len(rs) != 2 {
		t.Fatalf("a refused command changed Ana's ratings: %+v", rs)
	}
}
