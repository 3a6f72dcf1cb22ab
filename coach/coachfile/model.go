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
	Areas []areaEntry `yaml:"areas"`
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
