// Package coachfile reads an organisation's own competency model and
// question bank from YAML files, with errors that name the file, the line
// and the field.
package coachfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/microcoach/microcoach/coach"
)

// Error is a problem with a file: where it is and what is wrong.
type Error struct {
	File    string
	Line    int // 0 when the problem is not on one line
	Field   string
	Message string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", loc, e.Message)
}

type modelFile struct {
	Name  string      `yaml:"name"`
	Bands *bandsEntry `yaml:"bands"`
	Areas []areaEntry `yaml:"areas"`
}

// bandsEntry says which scores mean which level: "beginner: 1-3",
// "intermediate: 4-7", "advanced: 8-10". Optional; those are the defaults.
type bandsEntry struct {
	Beginner     string `yaml:"beginner"`
	Intermediate string `yaml:"intermediate"`
	Advanced     string `yaml:"advanced"`
}

type areaEntry struct {
	ID          string `yaml:"id"`
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Levels      struct {
		Beginner     string `yaml:"beginner"`
		Intermediate string `yaml:"intermediate"`
		Advanced     string `yaml:"advanced"`
	} `yaml:"levels"`
}

// ModelExample is a valid model file, shown in documentation and errors.
const ModelExample = `name: Our PM competencies
bands: # optional: which scores mean which level (these are the defaults)
  beginner: 1-3
  intermediate: 4-7
  advanced: 8-10
areas:
  - id: discovery
    name: Discovery
    description: Finding problems worth solving.
    levels:
      beginner: Joins interviews others run.
      intermediate: Runs interviews and synthesises them.
      advanced: Shapes the team's discovery practice.
`

// LoadModel reads and validates a competency model file.
func LoadModel(path string) (coach.Model, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return coach.Model{}, &Error{File: path, Message: "file not found"}
		}
		return coach.Model{}, &Error{File: path, Message: err.Error()}
	}
	return ParseModel(path, raw)
}

// ParseModel parses a model file's contents; name is used in errors.
func ParseModel(name string, raw []byte) (coach.Model, error) {
	var f modelFile
	var root yaml.Node
	if err := strictDecode(name, raw, &f, &root); err != nil {
		return coach.Model{}, err
	}
	m := coach.Model{Name: strings.TrimSpace(f.Name)}
	if m.Name == "" {
		m.Name = "custom"
	}
	if f.Bands != nil {
		b, err := parseBands(*f.Bands)
		if err != nil {
			line := 0
			if n := mappingValue(document(&root), "bands"); n != nil {
				line = n.Line
			}
			return coach.Model{}, &Error{File: name, Line: line, Field: "bands", Message: err.Error()}
		}
		m.Bands = b
	}
	for _, a := range f.Areas {
		m.Areas = append(m.Areas, coach.Area{
			ID:          strings.TrimSpace(a.ID),
			Name:        strings.TrimSpace(a.Name),
			Description: strings.TrimSpace(a.Description),
			Levels: coach.Levels{
				Beginner:     strings.TrimSpace(a.Levels.Beginner),
				Intermediate: strings.TrimSpace(a.Levels.Intermediate),
				Advanced:     strings.TrimSpace(a.Levels.Advanced),
			},
		})
	}
	if err := m.Validate(); err != nil {
		return coach.Model{}, clampLine(locate(name, &root, "areas", err), raw)
	}
	return m, nil
}

// parseBands reads three "lo-hi" ranges that must cover 1–10 in order,
// each level at least one score.
func parseBands(e bandsEntry) (coach.Bands, error) {
	var lo, hi [3]int
	for i, r := range []struct{ level, text string }{{"beginner", e.Beginner}, {"intermediate", e.Intermediate}, {"advanced", e.Advanced}} {
		if n, err := fmt.Sscanf(strings.ReplaceAll(strings.TrimSpace(r.text), " ", ""), "%d-%d", &lo[i], &hi[i]); err != nil || n != 2 || lo[i] > hi[i] {
			return coach.Bands{}, fmt.Errorf("%s: %q is not a range of scores like 4-7", r.level, r.text)
		}
	}
	if lo[0] != coach.MinScore || hi[2] != coach.MaxScore || lo[1] != hi[0]+1 || lo[2] != hi[1]+1 {
		return coach.Bands{}, fmt.Errorf("the three ranges must cover %d-%d in order with no gap or overlap (like 1-3, 4-7, 8-10)", coach.MinScore, coach.MaxScore)
	}
	return coach.Bands{BeginnerMax: hi[0], IntermediateMax: hi[1]}, nil
}

// strictDecode decodes raw into v, refusing unknown fields, and into root
// for line lookups.
func strictDecode(name string, raw []byte, v any, root *yaml.Node) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return &Error{File: name, Message: "the file is empty"}
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return &Error{File: name, Message: "the file has no content, only comments"}
		}
		return clampLine(yamlError(name, err), raw)
	}
	if err := yaml.Unmarshal(raw, root); err != nil {
		return clampLine(yamlError(name, err), raw)
	}
	return nil
}

var unknownField = regexp.MustCompile(`field (\S+) not found in type \S+`)

// yamlError turns the YAML library's "yaml: line N: msg" into an *Error.
func yamlError(name string, err error) error {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = unknownField.ReplaceAllString(msg, `unknown field "$1"`)
	var line int
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
		if i := strings.Index(msg, ":"); i >= 0 {
			msg = strings.TrimSpace(msg[i+1:])
		}
	}
	return &Error{File: name, Line: line, Message: msg}
}

// locate finds the line of the field a *coach.FieldError names in the list
// under key, so the person can jump to it.
func locate(name string, root *yaml.Node, key string, err error) error {
	var fe *coach.FieldError
	if !errors.As(err, &fe) {
		line := 0
		if list := mappingValue(document(root), key); list != nil {
			line = list.Line
		} else if d := document(root); d != nil {
			line = d.Line
		}
		return &Error{File: name, Line: line, Message: coach.ErrorMessage(err)}
	}
	e := &Error{File: name, Field: fmt.Sprintf("%s[%d].%s", key, fe.Index, fe.Field), Message: fe.Message}
	list := mappingValue(document(root), key)
	if list == nil || fe.Index >= len(list.Content) {
		return e
	}
	item := list.Content[fe.Index]
	e.Line = item.Line
	node := item
	for _, part := range strings.Split(fe.Field, ".") {
		v := mappingValue(node, part)
		if v == nil {
			break
		}
		e.Line, node = v.Line, v
	}
	return e
}

func document(root *yaml.Node) *yaml.Node {
	if root != nil && root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		return root.Content[0]
	}
	return root
}

// mappingValue returns the value node of key in a mapping node.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// clampLine keeps an error's line within the file: an empty document
// ("---") makes the YAML library report the line after the last one.
func clampLine(err error, raw []byte) error {
	var fe *Error
	if errors.As(err, &fe) {
		lines := bytes.Count(raw, []byte("\n"))
		if len(raw) > 0 && raw[len(raw)-1] != '\n' {
			lines++
		}
		if fe.Line > lines {
			fe.Line = lines
		}
	}
	return err
}
