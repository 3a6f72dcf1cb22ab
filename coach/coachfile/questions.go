package coachfile

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/microcoach/microcoach/coach"
)

// Question bank modes.
const (
	// ModeExtend adds the file's questions to the built-in bank; a question
	// with a built-in id takes that question's place.
	ModeExtend = "extend"
	// ModeReplace uses only the file's questions.
	ModeReplace = "replace"
)

type questionsFile struct {
	Mode      string          `yaml:"mode"`
	Questions []questionEntry `yaml:"questions"`
}

type questionEntry struct {
	ID       string   `yaml:"id"`
	Category string   `yaml:"category"`
	Kind     string   `yaml:"kind"`
	Text     string   `yaml:"text"`
	Areas    []string `yaml:"areas"`
	Options  []string `yaml:"options"`
}

// QuestionsExample is a valid question bank file, shown in documentation
// and errors.
const QuestionsExample = `mode: extend   # or replace: use only these questions
questions:
  - id: roadmap-confidence
    category: checkin
    kind: open
    text: How confident are you in the roadmap you presented?
    areas: [planning]
  - id: skill-scale
    category: coaching
    kind: scale
    text: On a scale of 1 to 10, how do you feel about {area}? What would make it one point higher?
`

// LoadQuestions reads a question bank file and checks it against the model.
// In extend mode the file adds to the built-in bank (coach.DefaultQuestions,
// fitted to the model).
func LoadQuestions(path string, model coach.Model) (coach.QuestionBank, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return coach.QuestionBank{}, &Error{File: path, Message: "file not found"}
		}
		return coach.QuestionBank{}, &Error{File: path, Message: err.Error()}
	}
	return ParseQuestions(path, raw, model, coach.DefaultQuestions())
}

// ParseQuestions parses a question bank file's contents; name is used in
// errors. mode is extend (the default) or replace. In extend mode the
// result is builtin, fitted to the model (coach.QuestionBank.ForModel),
// with each question of the file either taking the place of the built-in
// question with its id or added at the end. kind may be left out: it is
// mood for a question with options and open otherwise.
func ParseQuestions(name string, raw []byte, model coach.Model, builtin coach.QuestionBank) (coach.QuestionBank, error) {
	var probe yaml.Node
	if err := yaml.Unmarshal(raw, &probe); err == nil && len(probe.Content) == 0 {
		// Only comments: strictDecode would report a bare "EOF".
		return coach.QuestionBank{}, &Error{File: name, Message: "the file is empty"}
	}
	var f questionsFile
	var root yaml.Node
	if err := strictDecode(name, raw, &f, &root); err != nil {
		return coach.QuestionBank{}, err
	}
	mode := strings.TrimSpace(f.Mode)
	switch mode {
	case "":
		mode = ModeExtend
	case ModeExtend, ModeReplace:
	default:
		e := &Error{File: name, Field: "mode", Message: fmt.Sprintf("%q is not a mode; use extend (add to the built-in questions) or replace (use only this file's)", f.Mode)}
		if v := mappingValue(document(&root), "mode"); v != nil {
			e.Line = v.Line
		}
		return coach.QuestionBank{}, e
	}

	own := coach.QuestionBank{Questions: make([]coach.Question, 0, len(f.Questions))}
	for _, e := range f.Questions {
		q := coach.Question{
			ID:       strings.TrimSpace(e.ID),
			Category: coach.QuestionCategory(strings.TrimSpace(e.Category)),
			Kind:     coach.QuestionKind(strings.TrimSpace(e.Kind)),
			Text:     strings.TrimSpace(e.Text),
		}
		if q.Kind == "" {
			q.Kind = coach.KindOpen
			if len(e.Options) > 0 {
				q.Kind = coach.KindMood
			}
		}
		for _, a := range e.Areas {
			q.Areas = append(q.Areas, strings.TrimSpace(a))
		}
		for _, o := range e.Options {
			q.Options = append(q.Options, strings.TrimSpace(o))
		}
		own.Questions = append(own.Questions, q)
	}
	if len(own.Questions) == 0 {
		line := 0
		if v := mappingValue(document(&root), "questions"); v != nil {
			line = v.Line
		}
		return coach.QuestionBank{}, &Error{File: name, Line: line, Field: "questions",
			Message: "there are no questions; add at least one, or leave the file out to use the built-in questions"}
	}
	if err := own.Validate(model); err != nil {
		return coach.QuestionBank{}, clampLine(locateQuestion(name, &root, err), raw)
	}
	if mode == ModeReplace {
		return own, nil
	}

	bank := builtin.ForModel(model)
	bank.Questions = append([]coach.Question(nil), bank.Questions...)
	at := make(map[string]int, len(bank.Questions))
	for i, q := range bank.Questions {
		at[q.ID] = i
	}
	for _, q := range own.Questions {
		if i, ok := at[q.ID]; ok {
			bank.Questions[i] = q
			continue
		}
		at[q.ID] = len(bank.Questions)
		bank.Questions = append(bank.Questions, q)
	}
	if err := bank.Validate(model); err != nil {
		return coach.QuestionBank{}, &Error{File: name, Message: "the built-in questions do not fit this model: " + err.Error()}
	}
	return bank, nil
}

// locateQuestion is locate for the questions list, and also finds the line
// of one item of a list inside a question, like "options[3]" or "areas[1]".
func locateQuestion(name string, root *yaml.Node, err error) error {
	located := locate(name, root, "questions", err)
	var fe *coach.FieldError
	var e *Error
	if !errors.As(err, &fe) || !errors.As(located, &e) {
		return located
	}
	key, index, ok := splitIndex(fe.Field)
	if !ok {
		return located
	}
	list := mappingValue(document(root), "questions")
	if list == nil || list.Kind != yaml.SequenceNode || fe.Index >= len(list.Content) {
		return located
	}
	items := mappingValue(list.Content[fe.Index], key)
	if items != nil && items.Kind == yaml.SequenceNode && index < len(items.Content) {
		e.Line = items.Content[index].Line
	}
	return e
}

// splitIndex reads "options[3]" as "options", 3.
func splitIndex(field string) (key string, index int, ok bool) {
	open := strings.IndexByte(field, '[')
	if open < 0 || !strings.HasSuffix(field, "]") {
		return "", 0, false
	}
	if _, err := fmt.Sscanf(field[open:], "[%d]", &index); err != nil {
		return "", 0, false
	}
	return field[:open], index, true
}
