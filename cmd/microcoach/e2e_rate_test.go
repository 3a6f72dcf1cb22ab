package main

import (
	"strings"
	"testing"

	"github.com/microcoach/microcoach/slackemu"
)

func TestRateEndToEnd(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, nil)
	got := h.slash(ana, "/rate", "planning 6 first try")
	mustContain(t, got, "Planning", "you rated yourself *6*/10", "first try", "First rating in this area")

	got = h.slash(ana, "/rate", "plan 8 led the Q3 review")
	mustContain(t, got, "you rated yourself *8*/10", "Before: *6*", "↑ +2")

	// Restart on the same database: the previous score is still there.
	h.restart()
	got = h.slash(ana, "/rate", "Planning 7")
	mustContain(t, got, "Before: *8*", "↓ -1", "Trend:")

	db := h.db()
	rs := ratingsOf(t, db, ana.ID)
	if len(rs) != 3 || rs[0].Note != "first try" || rs[2].Score != 7 || rs[2].Via != "command" || rs[2].Rater != ana.ID {
		t.Fatalf("stored ratings = %+v", rs)
	}
}

func TestRateBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, nil)
	tests := []struct {
		text string
		want []string
	}{
		{"plnning 7", []string{`Unknown area "plnning" — did you mean planning?`, "Usage: `/rate <area> <1-10> [note]`"}},
		{"p 7", []string{`"p" could be problem-understanding, planning or personal-growth`}},
		{"marketing 7", []string{`Unknown area "marketing"`, "areas are problem-understanding"}},
		{"planning", []string{"Add a score from 1 to 10"}},
		{"planning 0", []string{"Score must be a whole number from 1 to 10", `"0"`}},
		{"planning 11", []string{"whole number from 1 to 10", `"11"`}},
		{"planning 7.5", []string{`"7.5"`}},
		{"planning seven", []string{`"seven"`}},
		{"planning great 7", []string{`"great"`}},
		{"planning 7 " + strings.Repeat("x", 5000), []string{"The note is 5000 characters long; keep it to 1000 or fewer (nothing was saved)"}},
		{"planning 7 bell\x07", []string{"control character"}},
		{"@ghost planning 7", []string{"I can't find @ghost"}},
		{"@bob planning 7", []string{"You can only see or change your own coaching data"}},
	}
	for _, tc := range tests {
		got := h.slash(ana, "/rate", tc.text)
		mustContain(t, got, tc.want...)
	}
	got := h.slash(ana, "/coach", "hlep")
	mustContain(t, got, `Unknown command "hlep" — did you mean /coach help?`)
	got = h.slash(ana, "/coach", "")
	mustContain(t, got, "/rate <area> <1-10> [note]", "/coach plan", "/coach team")

	if rs := ratingsOf(t, h.db(), ana.ID); len(rs) != 0 {
		t.Fatalf("bad input stored ratings: %+v", rs)
	}
}

func TestUserTextIsEscaped(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, nil)
	n := h.emu.SeenCount(ana.ID)
	h.slash(ana, "/rate", "team 7 <!channel> & <@UBOB>")
	reply := h.waitSeen(ana, n, slackemu.Kind(slackemu.SeenEphemeral))
	raw := string(reply.Blocks)
	if strings.Contains(raw, "<!channel>") || strings.Contains(raw, "\\u003c!channel\\u003e") {
		t.Fatalf("a note could ping the channel: %s", raw)
	}
	mustContain(t, raw, "&lt;!channel&gt; &amp; &lt;@UBOB&gt;")
}

func TestRateModal(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, nil)
	h.slash(ana, "/rate", "team 5")
	got := h.slash(ana, "/rate", "")
	mustContain(t, got, "Rate yourself", "Planning", "Last time: 5")
	view := h.lastModal(ana)
	ctx := ctxT(t)

	// A forged score comes back inline and saves nothing.
	res, err := h.emu.SubmitView(ctx, ana.ID, view.ID, map[string]map[string]slackemu.Value{
		"note:agile": {"note~agile": slackemu.TextValue("no score here")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.ResponseAction != "errors" || !strings.Contains(res.Errors["score:agile"], "Pick a score for Agile") {
		t.Fatalf("submission result %+v", res)
	}
	n := h.emu.SeenCount(ana.ID)
	res, err = h.emu.SubmitView(ctx, ana.ID, view.ID, map[string]map[string]slackemu.Value{
		"score:planning": {"score~planning": slackemu.Choice("7")},
		"score:team":     {"score~team": slackemu.Choice("6")},
		"note:team":      {"note~team": slackemu.TextValue("better 1:1s")},
	})
	if err != nil || !res.Closed {
		t.Fatalf("submit: %+v, %v", res, err)
	}
	s := h.waitSeen(ana, n, slackemu.Kind(slackemu.SeenEphemeral))
	mustContain(t, s.Text(), "Saved 2 ratings for yourself: Planning *7* (intermediate), Team *6* (intermediate)")

	rs := ratingsOf(t, h.db(), ana.ID)
	if len(rs) != 3 {
		t.Fatalf("stored %d ratings, want 3: %+v", len(rs), rs)
	}
	for _, r := range rs {
		if r.Area == "team" && r.Score == 6 && (r.Note != "better 1:1s" || r.Via != "modal") {
			t.Errorf("modal rating stored as %+v", r)
		}
	}
}
