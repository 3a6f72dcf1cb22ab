package coach

import (
	"strings"
	"testing"
	"time"
)

func TestParseScore(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"1", 1, true}, {"10", 10, true}, {"7", 7, true}, {"7/10", 7, true}, {" 5 ", 5, true},
		{"0", 0, false}, {"11", 0, false}, {"7.5", 0, false}, {"seven", 0, false},
		{"-3", 0, false}, {"+3", 0, false}, {"", 0, false}, {"7/5", 0, false}, {"1e1", 0, false},
	} {
		got, err := ParseScore(tc.in)
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("ParseScore(%q) = %d, %v; want %d (ok=%v)", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && !strings.Contains(ErrorMessage(err), "whole number from 1 to 10") {
			t.Errorf("ParseScore(%q) message %q does not state the rule", tc.in, ErrorMessage(err))
		}
	}
}

func TestCheckNote(t *testing.T) {
	for _, tc := range []struct {
		name, note, want string
	}{
		{"empty", "", ""},
		{"plain", "led the Q3 roadmap review", ""},
		{"newline and tab", "line one\n\tline two", ""},
		{"unicode", "très bien 👍", ""},
		{"at the limit", strings.Repeat("é", MaxNoteLen), ""},
		{"too long", strings.Repeat("x", 5000), "5000 characters"},
		{"bell", "ding\a", "control character"},
		{"escape", "\x1b[31mred", "control character"},
		{"line separator", "a\u2028b", "control character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckNote(tc.note)
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(ErrorMessage(err), tc.want)) {
				t.Fatalf("CheckNote = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestGap(t *testing.T) {
	for _, tc := range []struct {
		self, mgr, gap int
		flagged        bool
	}{
		{7, 7, 0, false}, {8, 7, 1, false}, {8, 6, 2, true}, {4, 7, -3, true}, {6, 7, -1, false},
	} {
		g := Gap(tc.self, tc.mgr)
		if g != tc.gap || Flagged(g) != tc.flagged {
			t.Errorf("Gap(%d, %d) = %d flagged %v; want %d flagged %v", tc.self, tc.mgr, g, Flagged(g), tc.gap, tc.flagged)
		}
	}
}

func TestTrendOf(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	r := func(score, day int) Rating {
		return Rating{Subject: "U1", Rater: "U1", Area: "planning", Score: score, At: at.AddDate(0, 0, day)}
	}
	if _, ok := TrendOf(nil); ok {
		t.Fatal("TrendOf(nil) reported a trend")
	}
	tr, _ := TrendOf([]Rating{r(5, 0)})
	if tr.Previous != nil || tr.Dir != Flat || tr.Count != 1 {
		t.Errorf("single rating: %+v", tr)
	}
	tr, _ = TrendOf([]Rating{r(5, 0), r(4, 1), r(7, 2)})
	if tr.Previous == nil || tr.Previous.Score != 4 || tr.Delta != 3 || tr.Dir != Up || tr.Latest.Score != 7 {
		t.Errorf("rising: %+v", tr)
	}
	tr, _ = TrendOf([]Rating{r(7, 0), r(6, 1)})
	if tr.Dir != Down || tr.Delta != -1 {
		t.Errorf("falling: %+v", tr)
	}
}

func TestSparkline(t *testing.T) {
	if got := Sparkline([]int{1, 5, 10}, 10); got != "▁▄█" {
		t.Errorf("Sparkline = %q", got)
	}
	if got := Sparkline([]int{1, 2, 3, 10}, 2); got != "▂█" {
		t.Errorf("Sparkline of the last two = %q, want %q", got, "▂█")
	}
}

func TestRatingValidate(t *testing.T) {
	ok := Rating{Subject: "U1", Rater: "U1", Area: "planning", Score: 7, At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid rating refused: %v", err)
	}
	bad := ok
	bad.Score = 11
	if ErrorCode(bad.Validate()) != EINVALID {
		t.Error("score 11 accepted")
	}
	bad = ok
	bad.At = time.Time{}
	if bad.Validate() == nil {
		t.Error("rating without a time accepted")
	}
}
