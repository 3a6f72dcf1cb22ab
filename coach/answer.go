package coach

import (
	"strings"
	"time"
)

// AnswerJoinWindow is how close together the DM messages of one answer
// are: a message sent within this time of the answer's last message, in
// reply to the same open question, joins that answer instead of being
// refused. People type an answer in two or three messages.
const AnswerJoinWindow = 10 * time.Minute

// AnswerPart is one DM message of an answer.
type AnswerPart struct {
	TS   string    // the Slack message's ts: edits and deletes name it
	Text string    // as last edited
	At   time.Time // when it arrived
}

// LastAt is when the answer's newest message arrived (its At when it has
// no recorded parts).
func (a Answer) LastAt() time.Time {
	last := a.At
	for _, p := range a.Parts {
		if p.At.After(last) {
			last = p.At
		}
	}
	return last
}

// Joins reports whether a message arriving at at, in reply to the same
// question, belongs to this written answer.
func (a Answer) Joins(at time.Time) bool {
	return a.Text != "" && !at.Before(a.LastAt()) && at.Sub(a.LastAt()) <= AnswerJoinWindow
}

// WithPart returns the answer with one more message appended, or an
// EINVALID error when the whole would be longer than MaxAnswerLen.
func (a Answer) WithPart(ts, text string, at time.Time) (Answer, error) {
	a.Parts = append(a.partsOrText(), AnswerPart{TS: ts, Text: text, At: at})
	return a.rejoined()
}

// WithEdit returns the answer with the message ts replaced by text, and
// whether the answer holds that message at all.
func (a Answer) WithEdit(ts, text string) (Answer, bool, error) {
	parts := a.partsOrText()
	for i, p := range parts {
		if p.TS != "" && p.TS == ts {
			parts[i].Text = text
			a.Parts = parts
			out, err := a.rejoined()
			return out, true, err
		}
	}
	return a, false, nil
}

// WithoutPart returns the answer without the message ts, and whether it
// held that message. An answer whose last message is gone has no Text:
// it is removed, not kept empty.
func (a Answer) WithoutPart(ts string) (Answer, bool) {
	parts := a.partsOrText()
	for i, p := range parts {
		if p.TS != "" && p.TS == ts {
			a.Parts = append(parts[:i:i], parts[i+1:]...)
			out, _ := a.rejoined() // shorter than before: never too long
			return out, true
		}
	}
	return a, false
}

// HasPart reports whether the message ts is part of the answer.
func (a Answer) HasPart(ts string) bool {
	for _, p := range a.Parts {
		if p.TS != "" && p.TS == ts {
			return true
		}
	}
	return false
}

// partsOrText is the answer's messages; an answer stored before parts
// were recorded is one message with no ts (it cannot be edited from
// Slack, only from /coach answers).
func (a Answer) partsOrText() []AnswerPart {
	if len(a.Parts) > 0 {
		return append([]AnswerPart(nil), a.Parts...)
	}
	if a.Text == "" {
		return nil
	}
	return []AnswerPart{{Text: a.Text, At: a.At}}
}

func (a Answer) rejoined() (Answer, error) {
	texts := make([]string, 0, len(a.Parts))
	for _, p := range a.Parts {
		if t := strings.TrimSpace(p.Text); t != "" {
			texts = append(texts, t)
		}
	}
	a.Text = strings.Join(texts, "\n")
	if len([]rune(a.Text)) > MaxAnswerLen {
		return a, Errorf(EINVALID, "that answer is too long to keep (at most %d characters); please shorten it", MaxAnswerLen)
	}
	return a, nil
}

// SetText replaces the whole answer with text, as written in the answer
// editor: the separate messages become one, which Slack edits no longer
// reach.
func (a Answer) SetText(text string) (Answer, error) {
	a.Parts = []AnswerPart{{Text: text, At: a.LastAt()}}
	return a.rejoined()
}
