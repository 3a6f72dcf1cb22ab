package bot

import (
	"strings"
	"testing"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/coach"
)

func TestParseRate(t *testing.T) {
	model := coach.PMwheel()
	tests := []struct {
		name    string
		text    string
		area    string
		score   int
		note    string
		subject string
		modal   bool
		err     string // substring of the problem shown
	}{
		{name: "modal", text: "", modal: true},
		{name: "blank is modal", text: "   ", modal: true},
		{name: "simple", text: "planning 7", area: "planning", score: 7},
		{name: "prefix", text: "plan 7", area: "planning", score: 7},
		{name: "case", text: "PLANNING 7", area: "planning", score: 7},
		{name: "note keeps spacing", text: "planning 7 led the  Q3 review", area: "planning", score: 7, note: "led the  Q3 review"},
		{name: "multi-word name", text: "listen & learn 6", area: "listen-learn", score: 6},
		{name: "two-word name", text: "Problem Understanding 4 need more interviews", area: "problem-understanding", score: 4, note: "need more interviews"},
		{name: "slash score", text: "team 8/10", area: "team", score: 8},
		{name: "mention", text: "<@U2ABC|bob> planning 5", subject: "U2ABC", area: "planning", score: 5},
		{name: "mention without name", text: "<@U2ABC> team 5", subject: "U2ABC", area: "team", score: 5},
		{name: "typo", text: "plnning 7", err: `unknown area "plnning" — did you mean planning?`},
		{name: "ambiguous", text: "p 7", err: `"p" could be problem-understanding, planning or personal-growth`},
		{name: "unknown lists areas", text: "marketing 7", err: "areas are problem-understanding"},
		{name: "missing score", text: "planning", err: "add a score from 1 to 10"},
		{name: "zero", text: "planning 0", err: "whole number from 1 to 10"},
		{name: "eleven", text: "planning 11", err: "whole number from 1 to 10"},
		{name: "fraction", text: "planning 7.5", err: `(you typed "7.5")`},
		{name: "word", text: "planning seven", err: `(you typed "seven")`},
		{name: "words before score", text: "planning is great 7", err: `(you typed "is")`},
		{name: "long note", text: "planning 7 " + strings.Repeat("x", 5000), err: "5000 characters long"},
		{name: "control character", text: "planning 7 bell\a", err: "control character"},
		{name: "unknown person", text: "@ghost planning 7", err: "I can't find @ghost"},
		{name: "mention alone", text: "<@U2ABC|bob>", err: "say which area and score"},
		{name: "help", text: "help", err: "type /rate alone"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc, err := parseRate(model, tc.text)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("parseRate(%.60q) = %+v, %v; want error containing %q", tc.text, rc, err, tc.err)
				}
				if e, ok := err.(*coach.Error); !ok || e.Code != coach.EINVALID || e.Hint == "" {
					t.Errorf("error is %#v, want a coach EINVALID error with the usage as its hint", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseRate(%q) = %v", tc.text, err)
			}
			if tc.modal {
				if rc != nil {
					t.Fatalf("parseRate(%q) = %+v, want the modal", tc.text, rc)
				}
				return
			}
			if rc.Area.ID != tc.area || rc.Score != tc.score || rc.Note != tc.note {
				t.Errorf("parseRate(%q) = area %q score %d note %q; want %q %d %q", tc.text, rc.Area.ID, rc.Score, rc.Note, tc.area, tc.score, tc.note)
			}
			if got := ""; rc.Subject != nil {
				got = rc.Subject.ID
				if got != tc.subject {
					t.Errorf("subject %q, want %q", got, tc.subject)
				}
			} else if tc.subject != "" {
				t.Errorf("no subject, want %q", tc.subject)
			}
		})
	}
}

func TestParseCoach(t *testing.T) {
	subs := []subcommand{{Name: "help"}, {Name: "plan"}, {Name: "pause"}}
	for _, tc := range []struct {
		text, name, rest, err string
	}{
		{text: "", name: "help"},
		{text: "help", name: "help"},
		{text: "HELP", name: "help"},
		{text: "plan <@U1|ana>  now", name: "plan", rest: "<@U1|ana>  now"},
		{text: "hlep", err: `unknown command "hlep" — did you mean /coach help?`},
		{text: "pla", err: `unknown command "pla" — did you mean /coach plan?`},
		{text: "frobnicate", err: `unknown command "frobnicate"`},
	} {
		cc, err := parseCoach(subs, tc.text)
		if tc.err != "" {
			if err == nil || coach.ErrorMessage(err) != tc.err {
				t.Errorf("parseCoach(%q) = %+v, %v; want %q", tc.text, cc, err, tc.err)
			}
			continue
		}
		if err != nil || cc.Name != tc.name || cc.Text != tc.rest {
			t.Errorf("parseCoach(%q) = %+v, %v; want %q %q", tc.text, cc, err, tc.name, tc.rest)
		}
	}
}

func TestEscape(t *testing.T) {
	if got := blocks.Escape("<!channel> & <@U1>"); got != "&lt;!channel&gt; &amp; &lt;@U1&gt;" {
		t.Errorf("escape = %q", got)
	}
}
