package coachfile

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microcoach/microcoach/coach"
)

func TestLoadQuestionsExtend(t *testing.T) {
	builtin := coach.DefaultQuestions()
	b, err := LoadQuestions(filepath.Join("testdata", "questions-extend.yaml"), coach.PMwheel())
	if err != nil {
		t.Fatalf("LoadQuestions = %v", err)
	}
	if got, want := len(b.Questions), len(builtin.Questions)+2; got != want {
		t.Errorf("%d questions, want %d (the built-in ones and two new)", got, want)
	}
	q, ok := b.Get("roadmap-confidence")
	if !ok || q.Text != "How confident are you in the roadmap you presented?" || q.Category != coach.CategoryCheckin || len(q.Areas) != 1 || q.Areas[0] != "planning" {
		t.Errorf("roadmap-confidence = %+v, %v", q, ok)
	}
	// The override keeps the built-in question's place and takes the file's
	// words; kind was left out and reads as open.
	for i, q := range builtin.Questions {
		if q.ID != "improve-this-week" {
			continue
		}
		got := b.Questions[i]
		if got.ID != q.ID || got.Text != "What is the one thing I could do to make your week easier?" || got.Kind != coach.KindOpen {
			t.Errorf("questions[%d] = %+v, want the file's improve-this-week", i, got)
		}
	}
	mood, _ := b.Get("mood-friday")
	if mood.Kind != coach.KindMood || len(mood.Options) != 10 || mood.Options[6] != "stretched" {
		t.Errorf("mood-friday = %+v", mood)
	}
	if _, ok := b.Get("more-successful"); !ok {
		t.Error("extend dropped the built-in questions")
	}
}

func TestLoadQuestionsReplace(t *testing.T) {
	b, err := LoadQuestions(filepath.Join("testdata", "questions-replace.yaml"), coach.PMwheel())
	if err != nil {
		t.Fatalf("LoadQuestions = %v", err)
	}
	var ids []string
	for _, q := range b.Questions {
		ids = append(ids, q.ID)
	}
	if got := strings.Join(ids, " "); got != "win-of-the-week area-scale discovery-interviews so-what blockers mood" {
		t.Errorf("questions = %s", got)
	}
	planning, _ := coach.PMwheel().Area("planning")
	q, _ := b.Get("area-scale")
	if got := q.Render(planning); got != "On a scale of 1 to 10, how do you feel about Planning? What would make it one point higher?" {
		t.Errorf("Render = %q", got)
	}
	if mood, _ := b.Get("mood"); len(mood.Options) != 14 || mood.Options[7] != "uncertain" {
		t.Errorf("mood options = %v", mood.Options)
	}
}

func TestParseQuestionsFitsBuiltinToModel(t *testing.T) {
	m := coach.Model{Name: "ours", Areas: []coach.Area{{ID: "planning", Name: "Planning"}, {ID: "discovery", Name: "Discovery"}}}
	raw := "questions:\n  - id: interviews\n    category: coaching\n    text: Who did you interview this week?\n    areas: [discovery]\n"
	b, err := ParseQuestions("q.yaml", []byte(raw), m, coach.DefaultQuestions())
	if err != nil {
		t.Fatalf("ParseQuestions = %v", err)
	}
	if _, ok := b.Get("ritual-purpose"); ok {
		t.Error("kept a built-in question about an area the model lacks")
	}
	if _, ok := b.Get("roadmap-outcome"); !ok {
		t.Error("dropped a built-in planning question")
	}
	if got := b.ForArea("discovery", 1, 1); len(got) != 1 || got[0].ID != "interviews" {
		t.Errorf("ForArea(discovery) = %v", got)
	}
}

func TestParseQuestionsExample(t *testing.T) {
	b, err := ParseQuestions("example.yaml", []byte(QuestionsExample), coach.PMwheel(), coach.DefaultQuestions())
	if err != nil {
		t.Fatalf("QuestionsExample: %v", err)
	}
	if _, ok := b.Get("skill-scale"); !ok {
		t.Error("QuestionsExample lost skill-scale")
	}
}

func TestLoadQuestionsErrors(t *testing.T) {
	const head = "mode: replace\nquestions:\n"
	const ok1 = "  - id: first\n    category: coaching\n    text: Why?\n"
	const emotions = "happy, sad, calm, tired, proud, bored, stuck, keen, curious"
	tests := []struct {
		name string
		body string
		line int    // -1: any line
		want string // substring of the error, after "file:line: "
	}{
		{"empty file", "", 0, "the file is empty"},
		{"comments only", "# nothing yet\n", 0, "the file is empty"},
		{"bad yaml", head + "  - id: a\n   text: [\n", -1, "yaml"},
		{"unknown top-level field", "mode: extend\nquestion:\n  - id: a\n", 2, `unknown field "question"`},
		{"unknown field", head + ok1 + "  - id: second\n    category: coaching\n    txet: How?\n", 8, `unknown field "txet"`},
		{"wrong type", "questions: many\n", 1, "cannot unmarshal"},
		{"bad mode", "mode: merge\nquestions:\n" + ok1, 1, `mode: "merge" is not a mode; use extend`},
		{"no questions", "mode: extend\nquestions: []\n", 2, "questions: there are no questions"},
		{"questions left out", "mode: replace\n", 0, "there are no questions"},
		{"bad kind", head + ok1 + "  - id: second\n    category: coaching\n    kind: essay\n    text: How?\n", 8, `questions[1].kind: "essay" is not a kind; use open, mood or scale`},
		{"bad category", head + "  - id: a\n    category: fun\n    text: Why?\n", 4, `questions[0].category: "fun" is not a category; use coaching, socratic, checkin or mood`},
		{"missing category", head + "  - id: a\n    text: Why?\n", 3, "questions[0].category: is empty"},
		{"duplicate id", head + ok1 + "  - id: second\n    category: coaching\n    text: How?\n  - id: first\n    category: socratic\n    text: What?\n", 9, `questions[2].id: duplicate id "first": the question "Why?" has it already`},
		{"bad id", head + "  - id: Roadmap Confidence\n    category: coaching\n    text: Why?\n", 3, `questions[0].id: "Roadmap Confidence" must be lowercase`},
		{"empty text", head + ok1 + "  - id: second\n    category: coaching\n    text: \"  \"\n", 8, "questions[1].text: is empty"},
		{"missing text", head + "  - id: a\n    category: coaching\n", 3, "questions[0].text: is empty"},
		{"long text", head + "  - id: a\n    category: coaching\n    text: " + strings.Repeat("why ", 130) + "\n", 5, "questions[0].text: is 519 characters; at most 500"},
		{"unknown placeholder", head + "  - id: a\n    category: coaching\n    text: How is {team}?\n", 5, "questions[0].text: has the placeholder {team}"},
		{"area not in the model", head + "  - id: a\n    category: coaching\n    text: Why?\n    areas:\n      - planning\n      - marketing\n", 8, `questions[0].areas[1]: "marketing" is not an area of the PMwheel model`},
		{"area typo", head + "  - id: a\n    category: coaching\n    text: Why?\n    areas: [exection]\n", 6, "did you mean execution?"},
		{"too few emotions", head + "  - id: m\n    category: mood\n    text: How do you feel?\n    options: [happy, sad]\n", 6, "questions[0].options: a mood question needs 10 to 50 emotions to pick from; it has 2"},
		{"mood without options", head + "  - id: m\n    category: mood\n    kind: mood\n    text: How do you feel?\n", 3, "questions[0].options: a mood question needs 10 to 50 emotions"},
		{"duplicate emotion", head + "  - id: m\n    category: mood\n    text: How do you feel?\n    options:\n      - " + strings.ReplaceAll(emotions, ", ", "\n      - ") + "\n      - Sad\n", 16, `questions[0].options[9]: "Sad" is listed twice`},
		{"long emotion", head + "  - id: m\n    category: mood\n    text: How do you feel?\n    options: [" + emotions + ", " + strings.Repeat("x", 80) + "]\n", 6, "questions[0].options[9]: is 80 characters; at most 75"},
		{"options on an open question", head + "  - id: a\n    category: coaching\n    kind: open\n    text: Why?\n    options: [" + emotions + ", glad]\n", 7, "questions[0].options: only mood questions have options"},
		{"mood category with open kind", head + "  - id: m\n    category: mood\n    kind: open\n    text: How do you feel?\n", 5, "questions[0].kind: a question in the mood category offers a list of emotions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, tc.body)
			_, err := LoadQuestions(path, coach.PMwheel())
			if err == nil {
				t.Fatal("LoadQuestions accepted a bad file")
			}
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("error %T %v, want *Error", err, err)
			}
			if fe.File != path {
				t.Errorf("File = %q, want %q", fe.File, path)
			}
			switch {
			case tc.line < 0 && fe.Line == 0:
				t.Errorf("no line in %v", err)
			case tc.line >= 0 && fe.Line != tc.line:
				t.Errorf("Line = %d, want %d (%v)", fe.Line, tc.line, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if tc.line > 0 && !strings.HasPrefix(err.Error(), path+":") {
				t.Errorf("error %q does not start with file:line", err)
			}
		})
	}
}

func TestLoadQuestionsMissingFile(t *testing.T) {
	_, err := LoadQuestions(filepath.Join(t.TempDir(), "questions.yaml"), coach.PMwheel())
	if err == nil || !strings.Contains(err.Error(), "questions.yaml: file not found") {
		t.Fatalf("LoadQuestions(missing) = %v", err)
	}
}
