package coach

import (
	"strings"
	"time"
)

// AwayEmoji are Slack status emoji that mean "not working": Slack's own
// "Vacationing" (:palm_tree:) and "Out sick" (:face_with_thermometer:)
// presets and their common variants.
var AwayEmoji = []string{":palm_tree:", ":desert_island:", ":beach_with_umbrella:", ":face_with_thermometer:", ":thermometer:", ":sick:"}

// AwayWords are words and phrases in a status text that mean the same,
// matched as whole words, case-insensitively.
var AwayWords = []string{"vacation", "vacationing", "holiday", "holidays", "ooo", "out of office", "out of the office",
	"out sick", "sick", "sick leave", "on leave", "parental leave", "pto", "time off"}

// AwayStatus reports whether a Slack status says the person is away: an
// away emoji or an away word in the text, and not past its expiration
// (Slack's status_expiration, Unix seconds; 0 for none). An away person
// gets no nudge, check-in, reminder, refresh or plan invitation until the
// status clears, and shows to their manager as away, not silent.
func AwayStatus(emoji, text string, expiration int64, now time.Time) bool {
	if expiration > 0 && !now.Before(time.Unix(expiration, 0)) {
		return false
	}
	for _, e := range AwayEmoji {
		if emoji == e {
			return true
		}
	}
	words := " " + strings.Join(strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}), " ") + " "
	for _, w := range AwayWords {
		if strings.Contains(words, " "+w+" ") {
			return true
		}
	}
	return false
}
