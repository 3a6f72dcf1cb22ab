package coach

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Score bounds and the gap that is worth a conversation.
const (
	MinScore     = 1
	MaxScore     = 10
	GapThreshold = 2
	// MaxNoteLen is the longest note kept with a rating, in characters.
	// Longer notes are refused rather than cut, so nothing the person wrote
	// is silently lost.
	MaxNoteLen = 1000
)

// Surface says where a rating was made.
type Surface string

// Surfaces a rating can come from.
const (
	SurfaceCommand Surface = "command" // /rate <area> <score>
	SurfaceModal   Surface = "modal"   // the /rate modal or the assessment modal
)

// Rating is one score for one area of one person, by themselves or by their
// manager. Ratings are never edited: a new score is a new Rating, so the
// series shows how a view changed over time.
type Rating struct {
	ID      uint64    // assigned by storage; increases with every rating
	Subject string    // who is rated (a Slack user id)
	Rater   string    // who rated
	Area    string    // Area.ID
	Score   int       // MinScore..MaxScore
	Note    string    // optional, at most MaxNoteLen characters
	At      time.Time // when it was made
	Via     Surface
}

// Self reports whether the person rated themselves.
func (r Rating) Self() bool { return r.Subject == r.Rater }

// Validate checks a rating before it is stored.
func (r Rating) Validate() error {
	switch {
	case r.Subject == "" || r.Rater == "":
		return Errorf(EINVALID, "a rating needs a subject and a rater")
	case r.Area == "":
		return Errorf(EINVALID, "a rating needs an area")
	case r.Score < MinScore || r.Score > MaxScore:
		return Errorf(EINVALID, "score must be a whole number from %d to %d", MinScore, MaxScore)
	case r.At.IsZero():
		return Errorf(EINVALID, "a rating needs a time")
	}
	return CheckNote(r.Note)
}

// ParseScore reads a score as a person types it: "7" or "7/10". Anything
// else (0, 11, 7.5, "seven") is an EINVALID error that says what is allowed
// and echoes what was typed.
func ParseScore(s string) (int, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimSuffix(t, "/10")
	n, err := strconv.Atoi(t)
	if err != nil || n < MinScore || n > MaxScore || strings.HasPrefix(t, "+") {
		return 0, Errorf(EINVALID, "score must be a whole number from %d to %d (you typed %q)", MinScore, MaxScore, s)
	}
	return n, nil
}

// CheckNote refuses notes that are too long or carry control characters
// (other than line breaks and tabs), which would garble messages.
func CheckNote(note string) error {
	if n := len([]rune(note)); n > MaxNoteLen {
		return Errorf(EINVALID, "the note is %d characters long; keep it to %d or fewer (nothing was saved)", n, MaxNoteLen)
	}
	for _, r := range note {
		if r == '\n' || r == '\t' {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return Errorf(EINVALID, "the note contains a control character (%U); remove it and try again", r)
		}
	}
	return nil
}

// Gap is the perception gap: self score minus manager score. Positive means
// the person rates themselves higher than their manager does.
func Gap(self, manager int) int { return self - manager }

// Flagged reports whether a gap is big enough to talk about.
func Flagged(gap int) bool { return gap >= GapThreshold || gap <= -GapThreshold }

// Direction is the way a series of scores moves.
type Direction int

// Directions of a Trend.
const (
	Flat Direction = iota
	Up
	Down
)

// Trend summarises a series of scores for one area by one kind of rater.
type Trend struct {
	Latest   Rating
	Previous *Rating // nil for the first rating
	Delta    int     // Latest.Score - Previous.Score
	Dir      Direction
	Count    int // ratings in the series
}

// TrendOf summarises a chronological series (oldest first). It returns false
// for an empty series.
func TrendOf(series []Rating) (Trend, bool) {
	if len(series) == 0 {
		return Trend{}, false
	}
	t := Trend{Latest: series[len(series)-1], Count: len(series)}
	if len(series) > 1 {
		prev := series[len(series)-2]
		t.Previous = &prev
		t.Delta = t.Latest.Score - prev.Score
		switch {
		case t.Delta > 0:
			t.Dir = Up
		case t.Delta < 0:
			t.Dir = Down
		}
	}
	return t, true
}

// Sparkline draws scores (1–10) as a row of block characters, oldest first,
// at most the last n scores.
func Sparkline(scores []int, n int) string {
	const bars = "▁▂▃▄▅▆▇█"
	runes := []rune(bars)
	if len(scores) > n {
		scores = scores[len(scores)-n:]
	}
	var b strings.Builder
	for _, s := range scores {
		s = max(MinScore, min(MaxScore, s))
		b.WriteRune(runes[(s-1)*(len(runes)-1)/(MaxScore-1)])
	}
	return b.String()
}
