package coach

import (
	"testing"
	"time"
)

func TestAnswerParts(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	a := Answer{Text: "one", At: at, Parts: []AnswerPart{{TS: "1.1", Text: "one", At: at}}}
	if !a.Joins(at.Add(AnswerJoinWindow)) || a.Joins(at.Add(AnswerJoinWindow+time.Second)) {
		t.Fatal("the join window is ten minutes from the last message")
	}
	a, err := a.WithPart("1.2", "two", at.Add(5*time.Minute))
	if err != nil || a.Text != "one\ntwo" {
		t.Fatalf("joined = %q, %v", a.Text, err)
	}
	if !a.Joins(at.Add(14 * time.Minute)) {
		t.Fatal("the window counts from the newest message")
	}
	a, found, err := a.WithEdit("1.1", "ONE")
	if !found || err != nil || a.Text != "ONE\ntwo" {
		t.Fatalf("edited = %q %v %v", a.Text, found, err)
	}
	if _, found, _ := a.WithEdit("9.9", "x"); found {
		t.Fatal("an edit of another message changed the answer")
	}
	a, found = a.WithoutPart("1.2")
	if !found || a.Text != "ONE" {
		t.Fatalf("after delete = %q", a.Text)
	}
	a, _ = a.WithoutPart("1.1")
	if a.Text != "" {
		t.Fatalf("an answer without messages keeps %q", a.Text)
	}
	long := make([]rune, MaxAnswerLen)
	for i := range long {
		long[i] = 'x'
	}
	b := Answer{Text: "y", At: at}
	if _, err := b.WithPart("2", string(long), at); ErrorCode(err) != EINVALID {
		t.Fatalf("too long: %v", err)
	}
	old := Answer{Text: "stored before parts", At: at}
	if e, _ := old.SetText("rewritten"); e.Text != "rewritten" || !e.LastAt().Equal(at) {
		t.Fatalf("SetText = %+v", e)
	}
}
