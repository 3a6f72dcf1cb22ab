package coachfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microcoach/microcoach/coach"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "model.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadModel(t *testing.T) {
	m, err := LoadModel(writeFile(t, ModelExample))
	if err != nil {
		t.Fatalf("LoadModel(example) = %v", err)
	}
	if m.Name != "Our PM competencies" || len(m.Areas) != 1 || m.Areas[0].ID != "discovery" || m.Areas[0].Levels.Advanced == "" {
		t.Fatalf("LoadModel(example) = %+v", m)
	}
}

func TestLoadModelErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		line int
		want string
	}{
		{"empty file", "", 0, "the file is empty"},
		{"no areas", "name: X\nareas: []\n", 2, "no areas"},
		{"duplicate id", "areas:\n  - id: a\n    name: A\n  - id: a\n    name: B\n", 4, `areas[1].id: duplicate id "a"`},
		{"unknown field", "areas:\n  - id: a\n    nmae: A\n", 3, `unknown field "nmae"`},
		{"bad yaml", "areas:\n  - id: a\n   name: [\n", -1, "expected"},
		{"missing name", "areas:\n  - id: a\n", 2, `areas[0].name: is empty`},
		{"bad id", "areas:\n  - id: Big Area\n    name: A\n", 2, "areas[0].id"},
		{"level too long", "areas:\n  - id: a\n    name: A\n    levels:\n      advanced: " + strings.Repeat("x", 600) + "\n", 5, "areas[0].levels.advanced"},
		{"wrong type", "areas: 3\n", 1, "cannot unmarshal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, tc.body)
			_, err := LoadModel(path)
			if err == nil {
				t.Fatal("LoadModel accepted a bad file")
			}
			fe, ok := err.(*Error)
			if !ok {
				t.Fatalf("error %T %v, want *Error", err, err)
			}
			if fe.File != path {
				t.Errorf("File = %q, want %q", fe.File, path)
			}
			if tc.line < 0 && fe.Line == 0 {
				t.Errorf("no line in %v", err)
			}
			if tc.line > 0 && fe.Line != tc.line {
				t.Errorf("Line = %d, want %d (%v)", fe.Line, tc.line, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestLoadModelMissingFile(t *testing.T) {
	_, err := LoadModel(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "nope.yaml: file not found") {
		t.Fatalf("LoadModel(missing) = %v", err)
	}
}

// The example README.md links to must load.
func TestExampleModelFileLoads(t *testing.T) {
	m, err := LoadModel("../../deploy/examples/model.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Areas) != 4 || m.Areas[0].ID != "discovery" {
		t.Fatalf("example model = %+v", m)
	}
}

func TestModelBands(t *testing.T) {
	head := "name: x\nbands:\n  beginner: %s\n  intermediate: %s\n  advanced: %s\nareas:\n  - id: a\n    name: A\n    description: d\n    levels: {beginner: b, intermediate: i, advanced: v}\n"
	m, err := ParseModel("m.yaml", []byte(fmt.Sprintf(head, "1-4", "5-8", "9-10")))
	if err != nil {
		t.Fatal(err)
	}
	if l, what := m.LevelOf(m.Areas[0], 4); l != coach.Beginner || what != "b" {
		t.Errorf("4 with 1-4 beginner is %v %q", l, what)
	}
	if l, _ := m.LevelOf(m.Areas[0], 9); l != coach.Advanced {
		t.Errorf("9 is %v", l)
	}
	for _, bad := range [][3]string{{"1-3", "5-7", "8-10"}, {"1-3", "4-10", "10-10"}, {"0-3", "4-7", "8-10"}, {"one", "4-7", "8-10"}, {"1-3", "4-7", "8-9"}} {
		_, err := ParseModel("m.yaml", []byte(fmt.Sprintf(head, bad[0], bad[1], bad[2])))
		if err == nil || !strings.Contains(err.Error(), "m.yaml:3: bands:") {
			t.Errorf("bands %v: %v", bad, err)
		}
	}
}
