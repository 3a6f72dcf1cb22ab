package coachfile_test

// Native fuzz tests for the model and question-bank files an organisation
// writes. Seeds live in testdata/fuzz/<FuzzName>/ and run with every
// `go test`; to explore, run one target at a time, e.g.
//
//	go test -run='^$' -fuzz='^FuzzParseModel$' -fuzztime=30s ./coach/coachfile

import (
	"bytes"
	"errors"
	"testing"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/coach/coachfile"
)

// yamlLines is the number of lines of raw as YAML counts them: it breaks
// lines at \n, \r\n, a lone \r, and NEL, LS and PS, and an error at the
// very end of a file that ends with a line break is on the line after.
func yamlLines(raw []byte) int {
	n := 1
	for i := 0; i < len(raw); i++ {
		switch {
		case raw[i] == '\n':
			n++
		case raw[i] == '\r':
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
			n++
		case bytes.HasPrefix(raw[i:], []byte("\u0085")), bytes.HasPrefix(raw[i:], []byte("\u2028")), bytes.HasPrefix(raw[i:], []byte("\u2029")):
			n++
		}
	}
	return n
}

// checkFileError: every error is a *coachfile.Error naming the file, with a
// message, and a line (if any) inside the file.
func checkFileError(t *testing.T, name string, raw []byte, err error) {
	t.Helper()
	var fe *coachfile.Error
	if !errors.As(err, &fe) || error(fe) != err {
		t.Fatalf("error %T %v, want a *coachfile.Error", err, err)
	}
	if fe.File != name {
		t.Fatalf("error %v names file %q, want %q", err, fe.File, name)
	}
	if fe.Message == "" {
		t.Fatalf("error %+v has no message", fe)
	}
	if lines := yamlLines(raw); fe.Line < 0 || fe.Line > lines {
		t.Fatalf("error %v on line %d; the file has %d lines", err, fe.Line, lines)
	}
}

// FuzzParseModel: a model file never panics the loader; an error points
// into the file; an accepted model validates.
func FuzzParseModel(f *testing.F) {
	const name = "model.yaml"
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := coachfile.ParseModel(name, raw)
		if err != nil {
			checkFileError(t, name, raw, err)
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("accepted model does not validate: %v", err)
		}
		if m.Name == "" {
			t.Fatalf("accepted model has no name")
		}
	})
}

// FuzzParseQuestions: a question bank file never panics the loader; an
// error points into the file; an accepted bank validates against the
// model. The model is PMwheel, or the one-area example model when
// exampleModel is set (the built-in bank is then fitted to it).
func FuzzParseQuestions(f *testing.F) {
	const name = "questions.yaml"
	example, err := coachfile.ParseModel("example.yaml", []byte(coachfile.ModelExample))
	if err != nil {
		f.Fatal(err)
	}
	builtin := coach.DefaultQuestions()
	f.Fuzz(func(t *testing.T, raw []byte, exampleModel bool) {
		model := coach.PMwheel()
		if exampleModel {
			model = example
		}
		bank, err := coachfile.ParseQuestions(name, raw, model, builtin)
		if err != nil {
			checkFileError(t, name, raw, err)
			return
		}
		if err := bank.Validate(model); err != nil {
			t.Fatalf("accepted bank does not validate: %v", err)
		}
	})
}
