package coach

import (
	"errors"
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	m := PMwheel()
	tests := []struct {
		query      string
		want       string   // area id when found
		suggest    []string // for a typo
		candidates []string // for an ambiguous prefix
	}{
		{query: "planning", want: "planning"},
		{query: "PLANNING", want: "planning"},
		{query: "plan", want: "planning"},
		{query: "listen", want: "listen-learn"},
		{query: "Listen & Learn", want: "listen-learn"},
		{query: "listen-learn", want: "listen-learn"},
		{query: "learn", want: "listen-learn"},
		{query: "problem", want: "problem-understanding"},
		{query: "Problem Understanding", want: "problem-understanding"},
		{query: "growth", want: "personal-growth"},
		{query: "agile", want: "agile"},
		{query: "plnning", suggest: []string{"planning"}},
		{query: "exection", suggest: []string{"execution"}},
		{query: "agiel", suggest: []string{"agile"}},
		{query: "p", candidates: []string{"problem-understanding", "planning", "personal-growth"}},
		{query: "pro", want: "problem-understanding"},
		{query: "marketing"},
		{query: ""},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			a, err := m.Match(tc.query)
			if tc.want != "" {
				if err != nil || a.ID != tc.want {
					t.Fatalf("Match(%q) = %q, %v; want %q", tc.query, a.ID, err, tc.want)
				}
				return
			}
			var me *MatchError
			if !errors.As(err, &me) {
				t.Fatalf("Match(%q) = %q, %v; want a *MatchError", tc.query, a.ID, err)
			}
			if got := areaIDs(me.Suggestions); strings.Join(got, ",") != strings.Join(tc.suggest, ",") {
				t.Errorf("suggestions = %v, want %v", got, tc.suggest)
			}
			if got := areaIDs(me.Candidates); strings.Join(got, ",") != strings.Join(tc.candidates, ",") {
				t.Errorf("candidates = %v, want %v", got, tc.candidates)
			}
			if ErrorCode(err) != EINVALID {
				t.Errorf("ErrorCode = %q, want %q", ErrorCode(err), EINVALID)
			}
		})
	}
}

func TestMatchErrorMessages(t *testing.T) {
	m := PMwheel()
	for query, want := range map[string]string{
		"plnning": `unknown area "plnning" — did you mean planning?`,
		"p":       `"p" could be problem-understanding, planning or personal-growth — type more of the name`,
		"xyz":     `unknown area "xyz"`,
	} {
		_, err := m.Match(query)
		if got := ErrorMessage(err); got != want {
			t.Errorf("Match(%q): message %q, want %q", query, got, want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"plan", "plan", 0}, {"plnning", "planning", 1},
		{"agiel", "agile", 1}, {"kitten", "sitting", 3},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestModelValidate(t *testing.T) {
	area := func(id, name string) Area { return Area{ID: id, Name: name} }
	tests := []struct {
		name  string
		model Model
		want  string // substring of the error; "" = valid
	}{
		{"built-in", PMwheel(), ""},
		{"no areas", Model{}, "no areas"},
		{"duplicate id", Model{Areas: []Area{area("a", "A"), area("a", "B")}}, `duplicate id "a"`},
		{"duplicate name", Model{Areas: []Area{area("a", "Same"), area("b", "same")}}, `duplicate name "same"`},
		{"empty id", Model{Areas: []Area{area("", "A")}}, `field "id": is empty`},
		{"bad id", Model{Areas: []Area{area("Big Area", "A")}}, "lowercase"},
		{"empty name", Model{Areas: []Area{area("a", " ")}}, `field "name": is empty`},
		{"long description", Model{Areas: []Area{{ID: "a", Name: "A", Description: strings.Repeat("x", MaxAreaDescLen+1)}}}, "description"},
		{"too many", Model{Areas: func() []Area {
			var as []Area
			for i := range MaxAreas + 1 {
				as = append(as, area("a"+string(rune('a'+i%26))+string(rune('a'+i/26)), "A"+string(rune('a'+i%26))+string(rune('a'+i/26))))
			}
			return as
		}()}, "at most"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.model.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestPMwheelIsComplete(t *testing.T) {
	m := PMwheel()
	if len(m.Areas) != 8 {
		t.Fatalf("PMwheel has %d areas, want 8", len(m.Areas))
	}
	for _, a := range m.Areas {
		if a.Description == "" || a.Levels.Beginner == "" || a.Levels.Intermediate == "" || a.Levels.Advanced == "" {
			t.Errorf("area %s lacks a description or a level", a.ID)
		}
	}
}
