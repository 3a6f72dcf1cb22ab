package coach

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestDefaultQuestions(t *testing.T) {
	b := DefaultQuestions()
	if err := b.Validate(PMwheel()); err != nil {
		t.Fatalf("DefaultQuestions().Validate(PMwheel()) = %v", err)
	}
	// The method's own questions, word for word as people will read them.
	wantText := map[string]string{
		"more-successful":   "What would make you more successful in the role you have now?",
		"one-point-higher":  "On a scale of 1 to 10, how do you feel about {area}? What would it take to make it one point higher?",
		"improve-this-week": "What is the one thing your manager could do to improve your situation this week?",
		"mood":              "Looking at this list of emotions, which one describes how you feel about your current work right now, and why?",
		"problem-to-solve":  "Think of the main thing you're working on. What problem is it solving, and for whom?",
	}
	for id, want := range wantText {
		q, ok := b.Get(id)
		if !ok || q.Text != want {
			t.Errorf("Get(%q) = %q, %v; want %q", id, q.Text, ok, want)
		}
	}
	if q, _ := b.Get("one-point-higher"); q.Kind != KindScale {
		t.Errorf("one-point-higher is %s, want scale", q.Kind)
	}
	mood, _ := b.Get("mood")
	if mood.Kind != KindMood || len(mood.Options) != 30 {
		t.Errorf("mood question is %s with %d options, want mood with 30", mood.Kind, len(mood.Options))
	}
	for _, o := range []string{"energised", "curious", "overwhelmed", "stuck", "sceptical", "determined"} {
		if !slices.Contains(mood.Options, o) {
			t.Errorf("mood options lack %q", o)
		}
	}

	counts := map[QuestionCategory]int{}
	perArea := map[string]int{}
	for _, q := range b.Questions {
		counts[q.Category]++
		for _, a := range q.Areas {
			perArea[a]++
		}
		// Short enough to read at a glance in a Slack DM.
		if n := len([]rune(q.Text)); n > 140 {
			t.Errorf("%s is %d characters; keep built-in questions to 140", q.ID, n)
		}
		if !strings.HasSuffix(q.Text, "?") {
			t.Errorf("%s does not end with a question mark: %q", q.ID, q.Text)
		}
	}
	for _, a := range PMwheel().Areas {
		if perArea[a.ID] < 2 {
			t.Errorf("area %s has %d questions of its own, want at least 2", a.ID, perArea[a.ID])
		}
	}
	if counts[CategorySocratic] < 10 || counts[CategoryCheckin] < 8 || counts[CategoryMood] != 1 || counts[CategoryCoaching] < 4+16 {
		t.Errorf("categories: %v", counts)
	}
}

func TestQuestionBankValidate(t *testing.T) {
	m := PMwheel()
	open := func(id, text string) Question {
		return Question{ID: id, Category: CategoryCoaching, Kind: KindOpen, Text: text}
	}
	with := func(q Question, f func(*Question)) Question { f(&q); return q }
	moodQ := func(options ...string) Question {
		return Question{ID: "feel", Category: CategoryMood, Kind: KindMood, Text: "How do you feel?", Options: options}
	}
	ten := strings.Split("a b c d e f g h i j", " ")
	tests := []struct {
		name  string
		bank  QuestionBank
		field string // the FieldError's field; "" for a bank-wide error
		index int
		want  string // substring of the message; "" = valid
	}{
		{name: "built-in", bank: DefaultQuestions()},
		{name: "one question", bank: QuestionBank{[]Question{open("q", "Why?")}}},
		{name: "area placeholder", bank: QuestionBank{[]Question{open("q", "How is {area} going?")}}},
		{name: "ten emotions", bank: QuestionBank{[]Question{moodQ(ten...)}}},
		{name: "mood kind in checkin", bank: QuestionBank{[]Question{with(moodQ(ten...), func(q *Question) { q.Category = CategoryCheckin })}}},
		{name: "no questions", bank: QuestionBank{}, want: "no questions"},
		{name: "empty id", bank: QuestionBank{[]Question{open("", "Why?")}}, field: "id", want: "is empty"},
		{name: "bad id", bank: QuestionBank{[]Question{open("Why Not", "Why?")}}, field: "id", want: `"Why Not" must be lowercase`},
		{name: "long id", bank: QuestionBank{[]Question{open(strings.Repeat("a", 41), "Why?")}}, field: "id", want: "at most 40"},
		{name: "duplicate id", bank: QuestionBank{[]Question{open("q", "Why?"), open("r", "How?"), open("q", "What?")}}, field: "id", index: 2, want: `duplicate id "q": the question "Why?" has it already`},
		{name: "empty text", bank: QuestionBank{[]Question{open("q", "  ")}}, field: "text", want: "is empty"},
		{name: "long text", bank: QuestionBank{[]Question{open("q", strings.Repeat("x", 501))}}, field: "text", want: "is 501 characters; at most 500"},
		{name: "other placeholder", bank: QuestionBank{[]Question{open("q", "How is {person}?")}}, field: "text", want: "has the placeholder {person}; the only one filled in is {area}"},
		{name: "unknown kind", bank: QuestionBank{[]Question{with(open("q", "Why?"), func(q *Question) { q.Kind = "essay" })}}, field: "kind", want: `"essay" is not a kind; use open, mood or scale`},
		{name: "empty kind", bank: QuestionBank{[]Question{with(open("q", "Why?"), func(q *Question) { q.Kind = "" })}}, field: "kind", want: "is empty"},
		{name: "unknown category", bank: QuestionBank{[]Question{with(open("q", "Why?"), func(q *Question) { q.Category = "fun" })}}, field: "category", want: `"fun" is not a category; use coaching, socratic, checkin or mood`},
		{name: "mood category, open kind", bank: QuestionBank{[]Question{with(moodQ(ten...), func(q *Question) { q.Kind = KindOpen })}}, field: "kind", want: "must be mood"},
		{name: "too few emotions", bank: QuestionBank{[]Question{moodQ("happy", "sad")}}, field: "options", want: "needs 10 to 50 emotions to pick from; it has 2"},
		{name: "too many emotions", bank: QuestionBank{[]Question{moodQ(strings.Split(strings.Repeat("x ", 51), " ")...)}}, field: "options", want: "it has 52"},
		{name: "duplicate emotion", bank: QuestionBank{[]Question{moodQ(append(ten, "C")...)}}, field: "options[10]", want: `"C" is listed twice`},
		{name: "empty emotion", bank: QuestionBank{[]Question{moodQ(append(ten, " ")...)}}, field: "options[10]", want: "is empty"},
		{name: "long emotion", bank: QuestionBank{[]Question{moodQ(append(ten, strings.Repeat("x", 76))...)}}, field: "options[10]", want: "is 76 characters; at most 75"},
		{name: "options on open", bank: QuestionBank{[]Question{with(open("q", "Why?"), func(q *Question) { q.Options = ten })}}, field: "options", want: "only mood questions have options"},
		{name: "unknown area", bank: QuestionBank{[]Question{with(open("q", "Why?"), func(q *Question) { q.Areas = []string{"planning", "marketing"} })}}, field: "areas[1]", want: `"marketing" is not an area of the PMwheel model`},
		{name: "area typo", bank: QuestionBank{[]Question{with(open("q", "Why?"), func(q *Question) { q.Areas = []string{"plannig"} })}}, field: "areas[0]", want: "did you mean planning?"},
		{name: "area by name", bank: QuestionBank{[]Question{with(open("q", "Why?"), func(q *Question) { q.Areas = []string{"Listen & Learn"} })}}, field: "areas[0]", want: "use its id, listen-learn"},
		{name: "area twice", bank: QuestionBank{[]Question{with(open("q", "Why?"), func(q *Question) { q.Areas = []string{"team", "team"} })}}, field: "areas[1]", want: `"team" is listed twice`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.bank.Validate(m)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want an error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want an error containing %q", err, tc.want)
			}
			if ErrorCode(err) != EINVALID && tc.field == "" {
				t.Errorf("ErrorCode = %q, want %q", ErrorCode(err), EINVALID)
			}
			if tc.field == "" {
				return
			}
			fe, ok := err.(*FieldError)
			if !ok {
				t.Fatalf("Validate() = %T, want *FieldError", err)
			}
			if fe.Field != tc.field || fe.Index != tc.index {
				t.Errorf("field %d %q, want %d %q", fe.Index, fe.Field, tc.index, tc.field)
			}
		})
	}
}

func TestRender(t *testing.T) {
	planning, _ := PMwheel().Area("listen-learn")
	tests := []struct {
		text string
		area Area
		want string
	}{
		{"How do you feel about {area}?", planning, "How do you feel about Listen & Learn?"},
		{"{area}, or {area}?", planning, "Listen & Learn, or Listen & Learn?"},
		{"How do you feel about {area}?", Area{}, "How do you feel about your work?"},
		{"How do you feel about {area}?", Area{ID: "discovery"}, "How do you feel about discovery?"},
		{"What would make you more successful?", planning, "What would make you more successful?"},
	}
	for _, tc := range tests {
		q := Question{Text: tc.text}
		if got := q.Render(tc.area); got != tc.want {
			t.Errorf("Render(%q, %q) = %q, want %q", tc.text, tc.area.Name, got, tc.want)
		}
	}
	q, _ := DefaultQuestions().Get("one-point-higher")
	if !q.NeedsArea() {
		t.Error("one-point-higher does not need an area")
	}
	if got := q.Render(planning); got != "On a scale of 1 to 10, how do you feel about Listen & Learn? What would it take to make it one point higher?" {
		t.Errorf("Render = %q", got)
	}
}

func TestNextRotatesThroughEveryQuestion(t *testing.T) {
	b := DefaultQuestions()
	for _, seed := range []uint64{0, 1, 42, QuestionSeed("U012AB3CD")} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			seen := map[string]int{}
			last := ""
			for i := range 2 * len(b.Questions) {
				q := b.Next(last, seed)
				if q.ID == last {
					t.Fatalf("call %d: Next(%q) asked %q again", i, last, q.ID)
				}
				if i < len(b.Questions) {
					if j, ok := seen[q.ID]; ok {
						t.Fatalf("call %d: %q came back before every question was asked (first at call %d)", i, q.ID, j)
					}
					seen[q.ID] = i
				} else if seen[q.ID] != i-len(b.Questions) {
					t.Fatalf("call %d: the second round is not in the same order (%q)", i, q.ID)
				}
				if again := b.Next(last, seed); again.ID != q.ID {
					t.Fatalf("Next(%q, %d) = %q then %q: not deterministic", last, seed, q.ID, again.ID)
				}
				last = q.ID
			}
			if len(seen) != len(b.Questions) {
				t.Fatalf("asked %d of %d questions", len(seen), len(b.Questions))
			}
		})
	}
}

func TestNextOrderDependsOnSeed(t *testing.T) {
	b := DefaultQuestions()
	order := func(seed uint64) string {
		var ids []string
		last := ""
		for range len(b.Questions) {
			last = b.Next(last, seed).ID
			ids = append(ids, last)
		}
		return strings.Join(ids, " ")
	}
	orders := map[string]uint64{}
	for _, seed := range []uint64{1, 2, 3, QuestionSeed("U1"), QuestionSeed("U2")} {
		o := order(seed)
		if other, ok := orders[o]; ok {
			t.Errorf("seeds %d and %d give the same order", other, seed)
		}
		orders[o] = seed
	}
	firsts := map[string]bool{}
	for seed := range uint64(20) {
		firsts[b.Next("", seed).ID] = true
	}
	if len(firsts) < 5 {
		t.Errorf("20 seeds start with only %d different questions: %v", len(firsts), firsts)
	}
}

func TestNextEdges(t *testing.T) {
	one := QuestionBank{[]Question{{ID: "only", Text: "Why?"}}}
	if q := one.Next("only", 7); q.ID != "only" {
		t.Errorf("one question: Next = %q, want it again", q.ID)
	}
	if q := (QuestionBank{}).Next("x", 7); q.ID != "" {
		t.Errorf("empty bank: Next = %q, want the zero question", q.ID)
	}
	two := QuestionBank{[]Question{{ID: "a"}, {ID: "b"}}}
	for seed := range uint64(10) {
		if a, b := two.Next("a", seed), two.Next("b", seed); a.ID != "b" || b.ID != "a" {
			t.Errorf("seed %d: Next(a) = %q, Next(b) = %q", seed, a.ID, b.ID)
		}
	}

	// A question removed from the bank: the rotation goes on from where it
	// was, so nobody starts over.
	full := DefaultQuestions()
	const seed = 99
	gone := full.Next("", seed)
	after := full.Next(gone.ID, seed)
	var without QuestionBank
	for _, q := range full.Questions {
		if q.ID != gone.ID {
			without.Questions = append(without.Questions, q)
		}
	}
	if got := without.Next(gone.ID, seed); got.ID != after.ID {
		t.Errorf("after removing %q: Next = %q, want %q", gone.ID, got.ID, after.ID)
	}
}

func TestForArea(t *testing.T) {
	b := DefaultQuestions()
	const seed = 5
	for _, area := range PMwheel().Areas {
		t.Run(area.ID, func(t *testing.T) {
			qs := b.ForArea(area.ID, 6, seed)
			if len(qs) != 6 {
				t.Fatalf("ForArea(%s, 6) gave %d questions", area.ID, len(qs))
			}
			specific := 0
			for _, q := range b.Questions {
				if q.Suits(area.ID) {
					specific++
				}
			}
			ids := map[string]bool{}
			for i, q := range qs {
				if ids[q.ID] {
					t.Errorf("%q twice", q.ID)
				}
				ids[q.ID] = true
				if got := q.Suits(area.ID); got != (i < specific) {
					t.Errorf("question %d %q: suits %s = %v; area questions must come first", i, q.ID, area.ID, got)
				}
				if q.Kind == KindMood || q.Category == CategoryCheckin {
					t.Errorf("%q (%s, %s) is not a coaching question", q.ID, q.Category, q.Kind)
				}
				if len(q.Areas) > 0 && !q.Suits(area.ID) {
					t.Errorf("%q belongs to %v, not %s", q.ID, q.Areas, area.ID)
				}
			}
			if again := b.ForArea(area.ID, 6, seed); !slices.EqualFunc(qs, again, func(a, b Question) bool { return a.ID == b.ID }) {
				t.Errorf("not deterministic")
			}
		})
	}

	all := b.ForArea("planning", 1000, seed)
	if len(all) != 2+5+11 {
		t.Errorf("ForArea(planning, 1000) gave %d questions, want the 2 planning, 5 general coaching and 11 Socratic", len(all))
	}
	if got := b.ForArea("planning", 0, seed); len(got) != 0 {
		t.Errorf("ForArea(n=0) = %d questions", len(got))
	}
	if got := b.ForArea("marketing", 3, seed); len(got) != 3 || len(got[0].Areas) != 0 {
		t.Errorf("ForArea(unknown area) = %v, want 3 general questions", got)
	}
	a, c := b.ForArea("planning", 20, 1), b.ForArea("planning", 20, 2)
	if slices.EqualFunc(a, c, func(x, y Question) bool { return x.ID == y.ID }) {
		t.Error("seeds 1 and 2 give the same questions in the same order")
	}
}

func TestForModelAndOnly(t *testing.T) {
	m := Model{Name: "ours", Areas: []Area{{ID: "planning", Name: "Planning"}, {ID: "listen-learn", Name: "Listen & Learn"}, {ID: "discovery", Name: "Discovery"}}}
	b := DefaultQuestions()
	if err := b.Validate(m); err == nil {
		t.Fatal("the built-in bank validated against a model without its areas")
	}
	fit := b.ForModel(m)
	if err := fit.Validate(m); err != nil {
		t.Fatalf("ForModel(m).Validate(m) = %v", err)
	}
	if _, ok := fit.Get("roadmap-outcome"); !ok {
		t.Error("ForModel dropped a planning question")
	}
	if _, ok := fit.Get("ritual-purpose"); ok {
		t.Error("ForModel kept an agile question")
	}
	if q, _ := fit.Get("last-customer-talk"); !slices.Equal(q.Areas, []string{"listen-learn"}) {
		t.Errorf("last-customer-talk areas = %v, want [listen-learn]", q.Areas)
	}
	if _, ok := fit.Get("more-successful"); !ok {
		t.Error("ForModel dropped a general question")
	}
	if q, _ := b.Get("last-customer-talk"); len(q.Areas) != 2 {
		t.Errorf("ForModel changed the original bank: %v", q.Areas)
	}

	nudges := b.Only(CategoryCoaching, CategoryMood)
	for _, q := range nudges.Questions {
		if q.Category != CategoryCoaching && q.Category != CategoryMood {
			t.Errorf("Only kept %q (%s)", q.ID, q.Category)
		}
	}
	if _, ok := nudges.Get("mood"); !ok {
		t.Error("Only dropped the mood question")
	}
}
