package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/microcoach/microcoach/slackemu"
)

const refusal = "You can only see or change your own coaching data, and that of people who accepted you as their manager."

// buttonIn finds a button's action id and value in a message or view's
// blocks by its label.
func buttonIn(t testing.TB, blocks json.RawMessage, label string) (actionID, value string) {
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

func TestAssessmentAndGaps(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, nil)
	h.team(maya, ana)
	h.slash(ana, "/rate", "planning 6")
	mustContain(t, h.slash(maya, "/rate", "@ana planning 4 needs a roadmap"), "you rated @ana *4*/10", "Their own view: *6*", "gap +2")
	got := h.slash(ana, "/rate", "planning 8")
	mustContain(t, got, "Your manager's view: *4*", "gap +4", "worth talking about")

	got = h.slash(ana, "/coach", "gaps")
	// The radar in the reply; the flagged gap and its change in words.
	mustContain(t, got, "Perception gaps", "[image: Perception gaps — Ana Lima]", "Planning (+4, was +2)")
	got = h.slash(maya, "/coach", "gaps @ana")
	mustContain(t, got, "@ana's own view beside yours", "[image: Perception gaps — Ana Lima]", "Planning (+4, was +2)")
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
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, nil)
	h.team(maya, ana)
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
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, nil)
	h.team(maya, ana)
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
	// The Home is republished after the save, not before the reply: wait
	// for the one that shows the plan.
	h.waitSeen(ana, 0, func(s slackemu.Seen) bool {
		return s.Kind == slackemu.SeenHome && strings.Contains(s.Text(), "Write three problem briefs")
	})
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
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, nil)
	ctx := ctxT(t)
	if _, err := h.emu.OpenHome(ctx, ana.ID); err != nil {
		t.Fatal(err)
	}
	h.waitSeen(ana, 0, slackemu.Kind(slackemu.SeenHome))
	home, _ := h.emu.Home(ana.ID)
	mustContain(t, h.emu.Render(home.Blocks), "Welcome to microcoach", "Rate yourself", "Start my plan")

	h.team(maya, ana, bob)
	h.slash(ana, "/rate", "planning 8")
	na := h.emu.SeenCount(ana.ID)
	h.slash(maya, "/rate", "@ana planning 5")
	// A change republishes the Home of the person and of their manager.
	h.waitSeen(ana, na, hasImage(slackemu.SeenHome, "picture.radar", "Planning: self 8, manager 5, gap +3"))
	n := h.emu.SeenCount(maya.ID)
	h.emu.OpenHome(ctx, maya.ID)
	got := h.waitSeen(maya, n, func(s slackemu.Seen) bool {
		return s.Kind == slackemu.SeenHome && strings.Contains(s.Text(), "gap of 3 on Planning")
	}).Text()
	mustContain(t, got, "Your team (2)", "gap of 3 on Planning", "Details")
	if strings.Index(got, "Ana") > strings.Index(got, "Bob") && strings.Contains(got, "Bob") {
		// Both have no plan; Ana's flagged gap puts her first.
		t.Errorf("worst first: Ana (gap +3) should come before Bob:\n%s", got)
	}
	home, _ = h.emu.Home(ana.ID)
	mustContain(t, h.emu.Render(home.Blocks), "Your coaching", "Planning", "[image: Perception gaps — Ana Lima]", "Weekly nudge:")
}

// TestPrivacyMatrix: every surface that touches someone's data, tried on
// Ana's by everyone who can stand to her: herself, her manager of record
// (Bob), someone she was invited by but has not accepted (Cleo), her former
// manager (Maya), a peer in the same team (Eve), an admin (Dan) and a
// stranger (Zed). Only the policy's yes gets through; every no is the same
// text and shows nothing of hers.
func TestPrivacyMatrix(t *testing.T) {
	t.Parallel()
	eve := slackemu.User{ID: "UEVE", Name: "eve", RealName: "Eve Ray", TZ: "UTC"}
	dan := slackemu.User{ID: "UDAN", Name: "dan", RealName: "Dan Admin", TZ: "UTC"}
	zed := slackemu.User{ID: "UZED", Name: "zed", RealName: "Zed Nobody", TZ: "UTC"}
	h := newHarness(t, slackemu.Options{}, map[string]string{"MICROCOACH_ADMINS": dan.ID})
	for _, u := range []slackemu.User{eve, dan, zed} {
		h.emu.AddUser(u)
	}
	h.team(maya, ana)
	h.slash(ana, "/rate", "planning 8 private note")
	nm := h.emu.SeenCount(maya.ID)
	h.slash(maya, "/rate", "@ana planning 5")
	// Maya's Home, refreshed after her rating, shows her grid with Ana's
	// row: wait for it, so that it is not taken for a picture sent after
	// Ana moved.
	h.waitSeen(maya, nm, hasImage(slackemu.SeenHome, "picture.grid", "Ana Lima"))
	h.team(bob, ana, eve) // Ana moves from Maya to Bob; Eve is her peer
	h.invite(cleo, ana)   // Cleo invited her; she never answered
	// Maya's grid from when she was the manager stays in her DM, like an
	// old digest; what counts is every picture from now on.
	filesBefore := len(h.emu.Files())

	self, manager := ana, bob
	actors := []slackemu.User{self, manager, cleo, maya, eve, dan, zed}
	surfaces := []struct {
		name, cmd, text string
		allowed         []slackemu.User
	}{
		{"rate as manager", "/rate", "@ana planning 3", []slackemu.User{self, manager}}, // Ana's own /rate @ana rates herself
		{"assessment form", "/coach", "assess @ana", []slackemu.User{self, manager}},    // Ana gets her own form
		{"gaps", "/coach", "gaps @ana", []slackemu.User{self, manager}},
		{"plan", "/coach", "plan @ana", []slackemu.User{self, manager}},
		{"challenge", "/coach", "challenge @ana take over the roadmap", []slackemu.User{self, manager}},
		{"1:1 agenda", "/coach", "prep @ana", []slackemu.User{self, manager}},
	}
	cases := 0
	for _, s := range surfaces {
		for _, actor := range actors {
			cases++
			if slices.Contains(s.allowed, actor) {
				if s.name == "1:1 agenda" { // answered in the DM
					n := h.emu.SeenCount(actor.ID)
					h.command(actor, s.cmd, s.text)
					h.waitSeen(actor, n, slackemu.Containing("Ratings and gaps")) // in every agenda, self or manager
					continue
				}
				mustNotContain(t, h.slash(actor, s.cmd, s.text), refusal)
				continue
			}
			got := h.slash(actor, s.cmd, s.text)
			if !strings.Contains(got, refusal) {
				t.Errorf("%s by %s: not refused:\n%s", s.name, actor.Name, got)
			}
			mustNotContain(t, got, "private note", "8")
		}
	}
	// The manager's Home details button, sent by everyone else as a forged
	// payload naming Ana: the same refusal, in their DM.
	for _, actor := range []slackemu.User{cleo, maya, eve, dan, zed} {
		n := h.emu.SeenCount(actor.ID)
		forged := `{"type":"block_actions","user":{"id":"` + actor.ID + `","name":"` + actor.Name + `"},"team":{"id":"T0EMU"},"api_app_id":"A0EMU",` +
			`"trigger_id":"1.2.x","container":{"type":"view","view_id":"VFORGED"},` +
			`"actions":[{"action_id":"microcoach.report_details","block_id":"team","type":"button","value":"UANA","action_ts":"1.1"}]}`
		if d, err := h.emu.Deliver(ctxT(t), "interactive", []byte(forged)); err != nil || !d.Acked {
			t.Fatalf("forged details: %+v %v", d, err)
		}
		got := h.waitSeen(actor, n, slackemu.Kind(slackemu.SeenMessage)).Text()
		cases++
		mustContain(t, got, refusal)
		mustNotContain(t, got, "private note")
	}
	// Pictures: every actor opens their Home (a radar of their own, a grid
	// of their reports). No image anyone outside Ana and Bob sees is
	// about Ana, and every picture uploaded since Ana moved to Bob — her
	// radar on her Home, in /coach gaps and the agenda, Bob's copy in his
	// gaps, agenda and Home grid — can be seen by Ana or Bob only.
	for _, actor := range actors {
		n := h.emu.SeenCount(actor.ID)
		if _, err := h.emu.OpenHome(ctxT(t), actor.ID); err != nil {
			t.Fatal(err)
		}
		home := h.waitSeen(actor, n, slackemu.Kind(slackemu.SeenHome))
		for _, im := range imagesIn(home.Blocks) {
			cases++
			if !h.emu.CanSeeFile(actor.ID, im.FileID) {
				t.Errorf("%s's Home shows file %s they cannot see", actor.Name, im.FileID)
			}
			if strings.Contains(im.Alt, "Ana Lima") && actor != self && actor != manager {
				t.Errorf("%s's Home shows a picture about Ana: %s", actor.Name, im.Alt)
			}
		}
	}
	files := h.emu.Files()[filesBefore:]
	if len(files) == 0 {
		t.Error("no picture was uploaded after Ana moved to Bob")
	}
	for _, f := range files {
		for _, actor := range actors {
			cases++
			if h.emu.CanSeeFile(actor.ID, f.ID) && actor != self && actor != manager {
				t.Errorf("%s can see picture %s (%s) shared in %v", actor.Name, f.ID, f.Title, f.Channels)
			}
		}
	}
	t.Logf("%d authorization cases", cases)
	rs := ratingsOf(t, h.db(), ana.ID)
	var byOthers int
	for _, r := range rs {
		if r.Rater != ana.ID && r.Rater != bob.ID && r.Rater != maya.ID {
			byOthers++
		}
	}
	if byOthers != 0 {
		t.Fatalf("a refused command rated Ana: %+v", rs)
	}
}
