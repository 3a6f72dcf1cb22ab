package coach

import (
	"fmt"
	"regexp"
	"strings"
)

// Area is one competency of a Model.
type Area struct {
	ID          string // short, lowercase, stable: used in commands and storage
	Name        string // shown to people
	Description string // one line
	Levels      Levels // what each level looks like
}

// Levels says what beginner, intermediate and advanced look like in an area.
type Levels struct {
	Beginner     string
	Intermediate string
	Advanced     string
}

// Model is a competency model: the definition of "good" that ratings, gaps
// and plan themes refer to.
type Model struct {
	Name  string
	Areas []Area
	// Bands say which scores mean which level; the zero value is
	// DefaultBands.
	Bands Bands
}

// Level is one of the three levels an area describes.
type Level int

// The levels, lowest first.
const (
	Beginner Level = iota + 1
	Intermediate
	Advanced
)

func (l Level) String() string {
	switch l {
	case Beginner:
		return "beginner"
	case Intermediate:
		return "intermediate"
	case Advanced:
		return "advanced"
	}
	return ""
}

// Bands split the 1–10 scale into the three levels: scores up to
// BeginnerMax are beginner, up to IntermediateMax intermediate, the rest
// advanced.
type Bands struct {
	BeginnerMax     int
	IntermediateMax int
}

// DefaultBands: 1–3 beginner, 4–7 intermediate, 8–10 advanced.
var DefaultBands = Bands{BeginnerMax: 3, IntermediateMax: 7}

// Validate reports bands that do not split 1–10 into three non-empty levels.
func (b Bands) Validate() error {
	if b.BeginnerMax < MinScore || b.IntermediateMax <= b.BeginnerMax || b.IntermediateMax >= MaxScore {
		return Errorf(EINVALID, "score bands must leave each level at least one score: beginner 1–%d, intermediate %d–%d, advanced %d–10 does not", b.BeginnerMax, b.BeginnerMax+1, b.IntermediateMax, b.IntermediateMax+1)
	}
	return nil
}

// Of returns the level a score falls in.
func (b Bands) Of(score int) Level {
	switch {
	case score <= b.BeginnerMax:
		return Beginner
	case score <= b.IntermediateMax:
		return Intermediate
	}
	return Advanced
}

// Range returns the lowest and highest score of a level.
func (b Bands) Range(l Level) (lo, hi int) {
	switch l {
	case Beginner:
		return MinScore, b.BeginnerMax
	case Intermediate:
		return b.BeginnerMax + 1, b.IntermediateMax
	}
	return b.IntermediateMax + 1, MaxScore
}

// ScoreBands returns the model's bands, DefaultBands when none were set.
func (m Model) ScoreBands() Bands {
	if m.Bands == (Bands{}) {
		return DefaultBands
	}
	return m.Bands
}

// LevelOf says which level a score in an area falls in, and what that
// level looks like there ("" when the model does not say).
func (m Model) LevelOf(a Area, score int) (Level, string) {
	l := m.ScoreBands().Of(score)
	switch l {
	case Beginner:
		return l, a.Levels.Beginner
	case Intermediate:
		return l, a.Levels.Intermediate
	}
	return l, a.Levels.Advanced
}

// Limits of a model, so that every area fits in one modal (100 blocks, two
// per area) and in a select menu (100 options).
const (
	MaxAreas       = 40
	MaxAreaIDLen   = 40
	MaxAreaNameLen = 60
	MaxAreaDescLen = 300
	MaxLevelLen    = 500
)

var areaIDPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// Validate reports the first rule the model breaks: no areas, too many,
// a missing or malformed id, a duplicate id or name, or text that is too long.
// Errors name the area by position (1-based) so a file loader can point at it.
func (m Model) Validate() error {
	if m.Bands != (Bands{}) {
		if err := m.Bands.Validate(); err != nil {
			return err
		}
	}
	if len(m.Areas) == 0 {
		return Errorf(EINVALID, "the model has no areas; it needs at least one")
	}
	if len(m.Areas) > MaxAreas {
		return Errorf(EINVALID, "the model has %d areas; at most %d fit in Slack's views", len(m.Areas), MaxAreas)
	}
	ids := make(map[string]int, len(m.Areas))
	names := make(map[string]int, len(m.Areas))
	for i, a := range m.Areas {
		if err := a.validate(); err != nil {
			return &FieldError{Index: i, Field: err.Field, Message: err.Message}
		}
		if j, ok := ids[a.ID]; ok {
			return &FieldError{Index: i, Field: "id", Message: fmt.Sprintf("duplicate id %q: the area %q has it already", a.ID, m.Areas[j].Name)}
		}
		ids[a.ID] = i
		key := Normalize(a.Name)
		if j, ok := names[key]; ok {
			return &FieldError{Index: i, Field: "name", Message: fmt.Sprintf("duplicate name %q: the area %q has it already", a.Name, m.Areas[j].ID)}
		}
		names[key] = i
	}
	return nil
}

// FieldError is a model or question-bank rule broken by one field of one
// entry. Index is 0-based.
type FieldError struct {
	Index   int
	Field   string
	Message string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("entry %d, field %q: %s", e.Index+1, e.Field, e.Message)
}

type fieldProblem struct{ Field, Message string }

func (a Area) validate() *fieldProblem {
	switch {
	case a.ID == "":
		return &fieldProblem{"id", "is empty"}
	case len(a.ID) > MaxAreaIDLen:
		return &fieldProblem{"id", fmt.Sprintf("is %d characters; at most %d", len(a.ID), MaxAreaIDLen)}
	case !areaIDPattern.MatchString(a.ID):
		return &fieldProblem{"id", fmt.Sprintf("%q must be lowercase letters and digits, words joined by '-' (like \"problem-understanding\")", a.ID)}
	case strings.TrimSpace(a.Name) == "":
		return &fieldProblem{"name", "is empty"}
	case len([]rune(a.Name)) > MaxAreaNameLen:
		return &fieldProblem{"name", fmt.Sprintf("is %d characters; at most %d", len([]rune(a.Name)), MaxAreaNameLen)}
	case len([]rune(a.Description)) > MaxAreaDescLen:
		return &fieldProblem{"description", fmt.Sprintf("is %d characters; at most %d", len([]rune(a.Description)), MaxAreaDescLen)}
	}
	for _, l := range []struct{ field, text string }{
		{"beginner", a.Levels.Beginner}, {"intermediate", a.Levels.Intermediate}, {"advanced", a.Levels.Advanced},
	} {
		if len([]rune(l.text)) > MaxLevelLen {
			return &fieldProblem{"levels." + l.field, fmt.Sprintf("is %d characters; at most %d", len([]rune(l.text)), MaxLevelLen)}
		}
	}
	return nil
}

// Area returns the area with the given id.
func (m Model) Area(id string) (Area, bool) {
	for _, a := range m.Areas {
		if a.ID == id {
			return a, true
		}
	}
	return Area{}, false
}

// AreaName returns the name of the area with the given id, or the id itself
// for an area the model no longer has (ratings outlive model changes).
func (m Model) AreaName(id string) string {
	if a, ok := m.Area(id); ok {
		return a.Name
	}
	return id
}

// PMwheel is the built-in model: the eight PMwheel areas.
func PMwheel() Model {
	return Model{
		Name: "PMwheel",
		Areas: []Area{
			{
				ID: "problem-understanding", Name: "Problem Understanding",
				Description: "Grasping the underlying user and business problems before jumping to solutions.",
				Levels: Levels{
					Beginner:     "Takes requests as given; can restate the problem when asked.",
					Intermediate: "Frames problems from user research and data; writes clear problem briefs.",
					Advanced:     "Finds the problems worth solving before anyone asks; reframes the team's work around them.",
				},
			},
			{
				ID: "solution-finding", Name: "Solution Finding",
				Description: "Designing effective ways to solve those problems, together with design and engineering.",
				Levels: Levels{
					Beginner:     "Picks the first workable idea; relies on others to explore options.",
					Intermediate: "Explores several options with the team and tests the riskiest assumptions.",
					Advanced:     "Runs fast discovery loops; the team reaches better solutions because of how they work.",
				},
			},
			{
				ID: "planning", Name: "Planning",
				Description: "Roadmaps and goal setting, e.g. OKRs, that connect the work to outcomes.",
				Levels: Levels{
					Beginner:     "Keeps a list of features; plans a sprint or two ahead.",
					Intermediate: "Owns an outcome-based roadmap and sets measurable goals with the team.",
					Advanced:     "Shapes strategy across teams; stakeholders trust the plan and its trade-offs.",
				},
			},
			{
				ID: "execution", Name: "Execution",
				Description: "Getting it done: working with engineering, writing backlog items, delivering.",
				Levels: Levels{
					Beginner:     "Writes backlog items with help; follows the team's process.",
					Intermediate: "Keeps delivery flowing: clear items, quick decisions, few surprises.",
					Advanced:     "Delivers complex work across teams predictably and unblocks others.",
				},
			},
			{
				ID: "listen-learn", Name: "Listen & Learn",
				Description: "Quantitative and qualitative data, user feedback, and iterating on what was learnt.",
				Levels: Levels{
					Beginner:     "Looks at the numbers when asked; collects feedback occasionally.",
					Intermediate: "Defines success metrics up front and changes course on evidence.",
					Advanced:     "Builds a learning habit into the team; decisions cite evidence by default.",
				},
			},
			{
				ID: "team", Name: "Team",
				Description: "Motivation, collaboration and cross-functional leadership.",
				Levels: Levels{
					Beginner:     "A good colleague within the team; avoids difficult conversations.",
					Intermediate: "Aligns the team and stakeholders; shares bad news early and clearly.",
					Advanced:     "Leads without authority across functions; people want to work with them.",
				},
			},
			{
				ID: "personal-growth", Name: "Personal Growth",
				Description: "Curiosity and self-improvement habits.",
				Levels: Levels{
					Beginner:     "Learns when training is offered.",
					Intermediate: "Seeks feedback and sets their own learning goals.",
					Advanced:     "Grows deliberately and helps others grow; coaches peers.",
				},
			},
			{
				ID: "agile", Name: "Agile",
				Description: "Understanding the values and principles behind iterative delivery, not just the rituals.",
				Levels: Levels{
					Beginner:     "Follows the ceremonies the team uses.",
					Intermediate: "Explains why the practices exist and adapts them to the team.",
					Advanced:     "Improves how the organisation works; small batches and fast feedback are the norm.",
				},
			},
		},
	}
}
