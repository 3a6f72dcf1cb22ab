package coach

import (
	"cmp"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"strings"
)

// QuestionKind says how a question is answered.
type QuestionKind string

// Question kinds.
const (
	KindOpen  QuestionKind = "open"  // answered by a free-text reply in the DM
	KindMood  QuestionKind = "mood"  // pick one emotion from Options, then say why
	KindScale QuestionKind = "scale" // a score from 1 to 10, then free text
)

// QuestionCategory says what a question is for.
type QuestionCategory string

// Question categories.
const (
	CategoryCoaching QuestionCategory = "coaching" // the method's reflection questions
	CategorySocratic QuestionCategory = "socratic" // questions that test the thinking behind the work
	CategoryCheckin  QuestionCategory = "checkin"  // how the person is doing: confidence, clarity, blockers
	CategoryMood     QuestionCategory = "mood"     // pick an emotion from a list
)

// AreaPlaceholder is replaced by an area's name when a question is rendered.
const AreaPlaceholder = "{area}"

// Limits of a question bank. An option fits a Slack select menu option
// (75 characters); a mood list fits one menu (at most 100 options) with room
// to spare and offers enough choice to be honest.
const (
	MaxQuestionIDLen = 40
	MaxQuestionLen   = 500
	MinMoodOptions   = 10
	MaxMoodOptions   = 50
	MaxMoodOptionLen = 75
)

// maxQuestionQuoted is how much of a question an error message quotes.
const maxQuestionQuoted = 40

// Question is one entry of the question bank.
type Question struct {
	ID       string // stable, lowercase words joined by '-', e.g. "more-successful"
	Category QuestionCategory
	Kind     QuestionKind
	// Text is what the person reads. It may contain {area}, filled by
	// Render with an area's name.
	Text string
	// Areas are the ids of the areas this question suits; empty means it
	// suits any area.
	Areas   []string
	Options []string // the emotions of a mood question, in the order shown
}

// QuestionBank is every question microcoach may ask.
type QuestionBank struct {
	Questions []Question
}

var (
	questionKinds      = []QuestionKind{KindOpen, KindMood, KindScale}
	questionCategories = []QuestionCategory{CategoryCoaching, CategorySocratic, CategoryCheckin, CategoryMood}
	placeholderPattern = regexp.MustCompile(`\{[^{}]*\}`)
)

// Validate reports the first rule the bank breaks: no questions, a missing,
// malformed or duplicate id, an unknown category or kind, empty or overlong
// text, a placeholder other than {area}, a mood question without 10–50
// distinct short options, options on a question that is not a mood
// question, or an area the model does not have. Errors are *FieldError
// naming the question by position, so a file loader can point at it.
func (b QuestionBank) Validate(m Model) error {
	if len(b.Questions) == 0 {
		return Errorf(EINVALID, "the question bank has no questions; it needs at least one")
	}
	ids := make(map[string]int, len(b.Questions))
	for i, q := range b.Questions {
		if p := q.validate(m); p != nil {
			return &FieldError{Index: i, Field: p.Field, Message: p.Message}
		}
		if j, ok := ids[q.ID]; ok {
			return &FieldError{Index: i, Field: "id", Message: fmt.Sprintf("duplicate id %q: the question %q has it already", q.ID, quote(b.Questions[j].Text))}
		}
		ids[q.ID] = i
	}
	return nil
}

func (q Question) validate(m Model) *fieldProblem {
	switch {
	case q.ID == "":
		return &fieldProblem{"id", "is empty"}
	case len(q.ID) > MaxQuestionIDLen:
		return &fieldProblem{"id", fmt.Sprintf("is %d characters; at most %d", len(q.ID), MaxQuestionIDLen)}
	case !areaIDPattern.MatchString(q.ID):
		return &fieldProblem{"id", fmt.Sprintf("%q must be lowercase letters and digits, words joined by '-' (like \"more-successful\")", q.ID)}
	case q.Category == "":
		return &fieldProblem{"category", "is empty; use " + joinOr(kindNames(questionCategories))}
	case !slices.Contains(questionCategories, q.Category):
		return &fieldProblem{"category", fmt.Sprintf("%q is not a category; use %s", q.Category, joinOr(kindNames(questionCategories)))}
	case q.Kind == "":
		return &fieldProblem{"kind", "is empty; use " + joinOr(kindNames(questionKinds))}
	case !slices.Contains(questionKinds, q.Kind):
		return &fieldProblem{"kind", fmt.Sprintf("%q is not a kind; use %s", q.Kind, joinOr(kindNames(questionKinds)))}
	case q.Category == CategoryMood && q.Kind != KindMood:
		return &fieldProblem{"kind", fmt.Sprintf("a question in the mood category offers a list of emotions; its kind must be mood, not %s", q.Kind)}
	case strings.TrimSpace(q.Text) == "":
		return &fieldProblem{"text", "is empty; write the question as the person should read it"}
	case len([]rune(q.Text)) > MaxQuestionLen:
		return &fieldProblem{"text", fmt.Sprintf("is %d characters; at most %d (a question should fit a Slack message at a glance)", len([]rune(q.Text)), MaxQuestionLen)}
	}
	for _, ph := range placeholderPattern.FindAllString(q.Text, -1) {
		if ph != AreaPlaceholder {
			return &fieldProblem{"text", fmt.Sprintf("has the placeholder %s; the only one filled in is %s", ph, AreaPlaceholder)}
		}
	}
	if p := q.validateOptions(); p != nil {
		return p
	}
	for i, id := range q.Areas {
		field := fmt.Sprintf("areas[%d]", i)
		if _, ok := m.Area(id); !ok {
			msg := fmt.Sprintf("%q is not an area of the %s model", id, m.Name)
			var me *MatchError
			if a, err := m.Match(id); err == nil {
				msg += fmt.Sprintf("; use its id, %s", a.ID)
			} else if errors.As(err, &me) && len(me.Suggestions) > 0 {
				msg += "; did you mean " + joinOr(areaIDs(me.Suggestions)) + "?"
			}
			return &fieldProblem{field, msg}
		}
		if slices.Contains(q.Areas[:i], id) {
			return &fieldProblem{field, fmt.Sprintf("%q is listed twice", id)}
		}
	}
	return nil
}

func (q Question) validateOptions() *fieldProblem {
	if q.Kind != KindMood {
		if len(q.Options) > 0 {
			return &fieldProblem{"options", fmt.Sprintf("only mood questions have options; remove them or set kind to mood (this one is %s)", q.Kind)}
		}
		return nil
	}
	if n := len(q.Options); n < MinMoodOptions || n > MaxMoodOptions {
		return &fieldProblem{"options", fmt.Sprintf("a mood question needs %d to %d emotions to pick from; it has %d", MinMoodOptions, MaxMoodOptions, n)}
	}
	seen := make(map[string]bool, len(q.Options))
	for i, o := range q.Options {
		field := fmt.Sprintf("options[%d]", i)
		key := strings.ToLower(strings.TrimSpace(o))
		switch {
		case key == "":
			return &fieldProblem{field, "is empty"}
		case len([]rune(o)) > MaxMoodOptionLen:
			return &fieldProblem{field, fmt.Sprintf("is %d characters; at most %d (it must fit a Slack menu)", len([]rune(o)), MaxMoodOptionLen)}
		case seen[key]:
			return &fieldProblem{field, fmt.Sprintf("%q is listed twice", o)}
		}
		seen[key] = true
	}
	return nil
}

func kindNames[T ~string](ks []T) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

// quote shortens a question's text for an error message.
func quote(text string) string {
	r := []rune(strings.TrimSpace(text))
	if len(r) <= maxQuestionQuoted {
		return string(r)
	}
	return strings.TrimSpace(string(r[:maxQuestionQuoted-1])) + "…"
}

// Get returns the question with the given id.
func (b QuestionBank) Get(id string) (Question, bool) {
	for _, q := range b.Questions {
		if q.ID == id {
			return q, true
		}
	}
	return Question{}, false
}

// NeedsArea reports whether the text has {area}, so the caller should pick
// an area (say, the person's weakest) before rendering it.
func (q Question) NeedsArea() bool { return strings.Contains(q.Text, AreaPlaceholder) }

// Render returns the text as the person reads it, with {area} replaced by the
// area's name. For the zero Area it reads "your work".
func (q Question) Render(area Area) string {
	if !q.NeedsArea() {
		return q.Text
	}
	name := area.Name
	if name == "" {
		name = area.ID
	}
	if name == "" {
		name = "your work"
	}
	return strings.ReplaceAll(q.Text, AreaPlaceholder, name)
}

// Suits reports whether the question is tied to the area.
func (q Question) Suits(areaID string) bool { return slices.Contains(q.Areas, areaID) }

// Only returns the questions of the given categories, in bank order; for
// example the weekly nudge may skip Socratic questions.
func (b QuestionBank) Only(categories ...QuestionCategory) QuestionBank {
	var out QuestionBank
	for _, q := range b.Questions {
		if slices.Contains(categories, q.Category) {
			out.Questions = append(out.Questions, q)
		}
	}
	return out
}

// ForModel fits a bank written for another model: it drops the area ids m
// does not have, and the questions whose every area is gone (a question
// about roadmaps has no place in a model without planning).
func (b QuestionBank) ForModel(m Model) QuestionBank {
	out := QuestionBank{Questions: make([]Question, 0, len(b.Questions))}
	for _, q := range b.Questions {
		if len(q.Areas) == 0 {
			out.Questions = append(out.Questions, q)
			continue
		}
		var kept []string
		for _, id := range q.Areas {
			if _, ok := m.Area(id); ok {
				kept = append(kept, id)
			}
		}
		if len(kept) == 0 {
			continue
		}
		q.Areas = kept
		out.Questions = append(out.Questions, q)
	}
	return out
}

// QuestionSeed turns a person's id into a seed for Next and ForArea, so each
// person gets their own order and keeps it from week to week.
func QuestionSeed(person string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(person))
	return h.Sum64()
}

// shuffleKey places a question in the order a seed defines. It depends on
// the question's id, not its position, so adding or removing a question
// leaves everyone else's order as it was.
func shuffleKey(seed uint64, id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return splitmix64(h.Sum64() + splitmix64(seed))
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// shuffled returns the questions in the order seed defines.
func shuffled(qs []Question, seed uint64) []Question {
	type keyed struct {
		key uint64
		q   Question
	}
	ks := make([]keyed, len(qs))
	for i, q := range qs {
		ks[i] = keyed{shuffleKey(seed, q.ID), q}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.q.ID, b.q.ID))
	})
	out := make([]Question, len(ks))
	for i, k := range ks {
		out[i] = k.q
	}
	return out
}

// Next picks the question for a weekly nudge: the one after lastID in the
// order seed defines, wrapping around, so a person sees every question once
// before any comes back. lastID "" starts the rotation; a lastID the bank no
// longer has (or one from another category) continues from where it would
// have been. With more than one question, Next never returns lastID. An
// empty bank gives the zero Question.
func (b QuestionBank) Next(lastID string, seed uint64) Question {
	if len(b.Questions) == 0 {
		return Question{}
	}
	order := shuffled(b.Questions, seed)
	if lastID == "" {
		return order[0]
	}
	last := shuffleKey(seed, lastID)
	for _, q := range order {
		if k := shuffleKey(seed, q.ID); k > last || k == last && q.ID > lastID {
			return q
		}
	}
	return order[0]
}

// ForArea returns up to n distinct questions to ask about one area, for a
// coaching session on a person's weakest area: first the questions tied to
// that area, then the general coaching and Socratic ones. Mood questions
// are left out. Each group is in the order seed defines.
func (b QuestionBank) ForArea(areaID string, n int, seed uint64) []Question {
	if n <= 0 {
		return nil
	}
	var specific, general []Question
	for _, q := range b.Questions {
		switch {
		case q.Kind == KindMood:
		case q.Suits(areaID):
			specific = append(specific, q)
		case len(q.Areas) == 0 && (q.Category == CategoryCoaching || q.Category == CategorySocratic):
			general = append(general, q)
		}
	}
	out := append(shuffled(specific, seed), shuffled(general, seed)...)
	seen := make(map[string]bool, len(out))
	picked := make([]Question, 0, min(n, len(out)))
	for _, q := range out {
		if len(picked) == n {
			break
		}
		if seen[q.ID] {
			continue
		}
		seen[q.ID] = true
		picked = append(picked, q)
	}
	return picked
}

// DefaultMoodOptions are the emotions of the built-in mood question: as many
// pleasant as unpleasant, so no answer feels like the expected one.
func DefaultMoodOptions() []string {
	return []string{
		"energised", "curious", "confident", "proud", "hopeful",
		"calm", "grateful", "focused", "motivated", "relieved",
		"content", "inspired", "optimistic", "challenged", "determined",
		"uncertain", "anxious", "overwhelmed", "frustrated", "stuck",
		"bored", "tired", "disappointed", "isolated", "sceptical",
		"impatient", "stressed", "confused", "indifferent", "nervous",
	}
}

// DefaultQuestions is the built-in question bank, written for the PMwheel
// model: the method's coaching questions and mood question, Socratic
// questions about the work, check-in topics, and two coaching questions for
// each PMwheel area. Use ForModel to fit it to another model.
func DefaultQuestions() QuestionBank {
	coaching := func(id, text string, areas ...string) Question {
		return Question{ID: id, Category: CategoryCoaching, Kind: KindOpen, Text: text, Areas: areas}
	}
	socratic := func(id, text string) Question {
		return Question{ID: id, Category: CategorySocratic, Kind: KindOpen, Text: text}
	}
	checkin := func(id, text string) Question {
		return Question{ID: id, Category: CategoryCheckin, Kind: KindOpen, Text: text}
	}
	return QuestionBank{Questions: []Question{
		// The method's coaching questions.
		coaching("more-successful", "What would make you more successful in the role you have now?"),
		{
			ID: "one-point-higher", Category: CategoryCoaching, Kind: KindScale,
			Text: "On a scale of 1 to 10, how do you feel about {area}? What would it take to make it one point higher?",
		},
		coaching("improve-this-week", "What is the one thing your manager could do to improve your situation this week?"),
		coaching("proudest-recent", "What are you proudest of from the last two weeks, and what made it work?"),
		coaching("hand-off", "If you could hand one part of your job to someone else, which would it be, and why?"),
		{
			ID: "mood", Category: CategoryMood, Kind: KindMood,
			Text:    "Looking at this list of emotions, which one describes how you feel about your current work right now, and why?",
			Options: DefaultMoodOptions(),
		},

		// Socratic questions: the thinking behind the work.
		socratic("problem-to-solve", "Think of the main thing you're working on. What problem is it solving, and for whom?"),
		socratic("know-it-worked", "How will you know your current work worked? What will you look at, and when?"),
		socratic("has-to-be-true", "What would have to be true for your current initiative to succeed?"),
		socratic("evidence", "What evidence do you have that the problem you're working on is worth solving? What would change your mind?"),
		socratic("smallest-try", "What's the smallest thing you could try first to learn whether you're on the right track?"),
		socratic("who-disagrees", "Who disagrees with your current direction, and what is their best argument?"),
		socratic("user-assumptions", "What are you assuming about your users that you haven't checked yet?"),
		socratic("other-options", "What other options did you consider for what you're building now? Why did you drop them?"),
		socratic("trade-offs", "What are you giving up by doing what you're doing now? Does everyone who cares know?"),
		socratic("last-lesson", "What did you learn from the last thing your team shipped, and what will you do differently?"),
		socratic("pre-mortem", "Imagine your current initiative has failed six months from now. What is the most likely reason?"),

		// Check-in topics.
		checkin("practice-confidence", "How confident do you feel using the practices you're working on? Where do you still feel unsure?"),
		checkin("clear-expectations", "How clear is it what's expected of you right now? What feels fuzzy?"),
		checkin("skill-needed", "Which skill would make the biggest difference to your work over the next three months?"),
		checkin("energy", "What gave you energy at work this week, and what drained it?"),
		checkin("concerns", "Is anything worrying you about your work or your team that you haven't said out loud yet?"),
		checkin("blockers", "What's blocking you right now, and who could help clear it?"),
		checkin("workload", "How sustainable does your workload feel at the moment? What would you change first?"),
		checkin("feedback-lately", "When did you last get feedback that was useful? What would you like more feedback on?"),

		// Two coaching questions for each PMwheel area.
		coaching("problem-without-solution", "Pick one item on your roadmap. Can you explain the user problem behind it in two sentences, without naming the solution?", "problem-understanding"),
		coaching("last-customer-talk", "When did you last talk to a customer? What did you hear that surprised you?", "problem-understanding", "listen-learn"),
		coaching("three-ways", "For the problem you're working on now, what are three different ways to solve it? Which would your engineers pick?", "solution-finding"),
		coaching("riskiest-assumption", "What's the riskiest assumption in the solution you're building, and how could you test it this week?", "solution-finding"),
		coaching("roadmap-outcome", "Which outcome is your roadmap meant to move, and how would you know in three months whether it did?", "planning"),
		coaching("recent-no", "What did you say no to recently to protect your priorities? What should you have said no to?", "planning"),
		coaching("sprint-slowdown", "What slowed your team down most in the last sprint, and what could you change about it?", "execution"),
		coaching("waiting-decision", "Which decision is your team waiting on you for right now? What would it take to make it today?", "execution"),
		coaching("key-number", "Which number tells you whether your product is working? When did you last look at it, and what did it say?", "listen-learn"),
		coaching("changed-mind", "When did data or user feedback last change your mind about something you were building?", "listen-learn"),
		coaching("difficult-conversation", "Is there a difficult conversation you've been putting off? What would make it easier to have?", "team"),
		coaching("team-needs", "What does your team need from you that they aren't getting yet? How could you find out?", "team"),
		coaching("learning-now", "What are you learning at the moment, and where will you put it to use in the next month?", "personal-growth"),
		coaching("feedback-to-ask", "Whose feedback would help you grow most right now? What's stopping you from asking for it?", "personal-growth"),
		coaching("ritual-purpose", "Which of your team's rituals would you drop if you could? What is it meant to achieve?", "agile"),
		coaching("smallest-slice", "What's the smallest slice of your current work you could put in front of users next week?", "agile"),
	}}
}
