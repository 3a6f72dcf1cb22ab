package coach

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Cadence is one rhythm of the method.
type Cadence string

// Cadences. Each (person, cadence, period) is delivered at most once.
const (
	CadenceNudge    Cadence = "nudge"    // weekly: one plan action, or a bank question
	CadenceCheckin  Cadence = "checkin"  // monthly: green / yellow / red per theme
	CadenceRefresh  Cadence = "refresh"  // quarterly: new headline; keep / change / retire
	CadenceReminder Cadence = "reminder" // once, for an unanswered check-in
	CadenceDigest   Cadence = "digest"   // a manager's digest
	CadenceQuestion Cadence = "question" // asked on request (/coach question)
)

// Grace says how late a missed occurrence may still be sent after downtime:
// a weekly nudge the same day, a monthly or quarterly one within 3 days.
// Later ones are skipped.
func (c Cadence) Grace() time.Duration {
	switch c {
	case CadenceCheckin, CadenceRefresh, CadenceReminder:
		return 72 * time.Hour
	default:
		return 0 // same local day; see SameDay
	}
}

// DeliveryState is where one delivery stands in the ledger.
type DeliveryState string

// Delivery states. Queued entries were never attempted; Attempted ones may
// or may not have reached Slack (a crash in between) and are checked
// against the conversation's history before any retry.
const (
	DeliveryQueued    DeliveryState = "queued"
	DeliveryAttempted DeliveryState = "attempted"
	DeliverySent      DeliveryState = "sent"
	DeliverySkipped   DeliveryState = "skipped"
)

// Delivery is one ledger entry: a message microcoach owes or has sent.
type Delivery struct {
	Person  string
	Cadence Cadence
	Period  string    // names the occurrence, e.g. "2026-11-23T09:30"
	Due     time.Time // the occurrence
	State   DeliveryState
	// Attempt is when the last post was started.
	Attempt time.Time `json:",omitzero"`
	Channel string    `json:",omitempty"`
	TS      string    `json:",omitempty"`
	SentAt  time.Time `json:",omitzero"`
	// What was sent, for answers and updates.
	QuestionID string `json:",omitempty"`
	ThemeID    string `json:",omitempty"`
	ActionID   string `json:",omitempty"`
	// Answered is set when the person responded (a colour, a button, a reply).
	Answered   bool      `json:",omitempty"`
	AnsweredAt time.Time `json:",omitzero"`
	Note       string    `json:",omitempty"` // why it was skipped
}

// Key names the delivery uniquely; it is also the idempotency key carried
// in the Slack message's metadata.
func (d Delivery) Key() string {
	return d.Person + "/" + string(d.Cadence) + "/" + d.Period
}

// ParsePause reads "/coach pause" arguments: a duration like "2w", "10d",
// "3 weeks", or "until 2026-12-24". It returns the end of the pause in loc.
func ParsePause(args string, now time.Time, loc *time.Location) (time.Time, error) {
	a := strings.ToLower(strings.TrimSpace(args))
	if a == "" {
		return time.Time{}, Errorf(EINVALID, "say for how long: /coach pause 2w, or /coach pause until 2026-12-24")
	}
	if rest, ok := strings.CutPrefix(a, "until "); ok {
		d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(rest), loc)
		if err != nil {
			return time.Time{}, Errorf(EINVALID, "%q is not a date like 2026-12-24", strings.TrimSpace(rest))
		}
		end := d.AddDate(0, 0, 1) // through the end of that day
		if !end.After(now) {
			return time.Time{}, Errorf(EINVALID, "%s is in the past", d.Format(time.DateOnly))
		}
		if end.Sub(now) > 366*24*time.Hour {
			return time.Time{}, Errorf(EINVALID, "a pause can last at most a year")
		}
		return end, nil
	}
	num, unit := a, ""
	for i, r := range a {
		if r < '0' || r > '9' {
			num, unit = a[:i], strings.TrimSpace(a[i:])
			break
		}
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 {
		return time.Time{}, Errorf(EINVALID, "%q is not a pause like 2w, 10d or until 2026-12-24", args)
	}
	if n > 366 { // checked before any arithmetic, which could overflow
		return time.Time{}, Errorf(EINVALID, "a pause can last at most a year")
	}
	var end time.Time
	switch unit {
	case "d", "day", "days":
		end = now.AddDate(0, 0, n)
	case "w", "wk", "week", "weeks":
		end = now.AddDate(0, 0, 7*n)
	case "m", "month", "months":
		end = now.AddDate(0, n, 0)
	default:
		return time.Time{}, Errorf(EINVALID, "%q: use d (days), w (weeks) or m (months), like 2w", args)
	}
	if !end.After(now) || end.Sub(now) > 366*24*time.Hour {
		return time.Time{}, Errorf(EINVALID, "a pause can last at most a year")
	}
	return end, nil
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// NudgeTime is a person's own weekly nudge time: a weekday and a
// wall-clock time, in their time zone.
type NudgeTime struct {
	Day          time.Weekday
	Hour, Minute int
}

// Spec is the cron spec Person.NudgeSpec stores: "M H * * D".
func (t NudgeTime) Spec() string { return fmt.Sprintf("%d %d * * %d", t.Minute, t.Hour, int(t.Day)) }

// String phrases it for the person: "on Tuesdays at 14:00".
func (t NudgeTime) String() string {
	return fmt.Sprintf("on %ss at %02d:%02d", t.Day, t.Hour, t.Minute)
}

// ParseNudgeTime reads "/coach nudges tue 14:00" into a cron spec for the
// person's own weekly nudge time.
func ParseNudgeTime(day, clock string) (string, error) {
	d := strings.ToLower(strings.TrimSpace(day))
	if len(d) > 3 {
		d = d[:3]
	}
	wd, ok := weekdays[d]
	if !ok {
		return "", Errorf(EINVALID, "%q is not a weekday; use mon, tue, wed, thu, fri, sat or sun", day)
	}
	t, err := time.Parse("15:04", strings.TrimSpace(clock))
	if err != nil {
		return "", Errorf(EINVALID, "%q is not a time like 14:00 (24-hour clock)", clock)
	}
	return NudgeTime{Day: wd, Hour: t.Hour(), Minute: t.Minute()}.Spec(), nil
}

// ParseNudgeSpec reads a person's own weekly nudge time from their
// Person.NudgeSpec; it is the one reader of that field (the scheduler's
// NudgeFor and the bot's replies call it). ok is false for "" (the team's
// default) and for anything ParseNudgeTime does not write.
func ParseNudgeSpec(spec string) (t NudgeTime, ok bool) {
	f := strings.Fields(spec)
	if len(f) != 5 || f[2] != "*" || f[3] != "*" {
		return NudgeTime{}, false
	}
	var n [3]int
	for i, field := range []string{f[0], f[1], f[4]} {
		v, err := strconv.Atoi(field)
		if err != nil {
			return NudgeTime{}, false
		}
		n[i] = v
	}
	if n[0] < 0 || n[0] > 59 || n[1] < 0 || n[1] > 23 || n[2] < 0 || n[2] > 7 {
		return NudgeTime{}, false
	}
	return NudgeTime{Day: time.Weekday(n[2] % 7), Hour: n[1], Minute: n[0]}, true
}

// AddWorkingDays returns t plus n working days (Monday to Friday) in t's
// location, at the same wall-clock time.
func AddWorkingDays(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t
}

// Answer is a person's reply to a bank question. It is private to the
// person: not even their manager sees it unless they share it.
type Answer struct {
	ID         uint64
	Person     string
	QuestionID string
	Question   string // the text as asked
	Text       string
	Emotion    string `json:",omitempty"` // for a mood question
	At         time.Time
	// SharedWith is the manager of record the person shared the answer
	// with, at SharedAt; "" while it is private. A later manager does not
	// inherit it.
	SharedWith string    `json:",omitempty"`
	SharedAt   time.Time `json:",omitzero"`
	EventID    string    `json:",omitempty"` // the Slack event it came from
	Delivery   string    `json:",omitempty"` // Key of the delivery that asked

	// Parts are the DM messages the answer was written in, oldest first;
	// Text joins them. See AnswerJoinWindow.
	Parts []AnswerPart `json:",omitempty"`
}

// Shared reports whether the person shared the answer with a manager.
func (a Answer) Shared() bool { return a.SharedWith != "" }

// ErrNoManagerToShare refuses to share an answer when the person has no
// manager of record to share it with.
var ErrNoManagerToShare = Errorf(EINVALID, "You have no manager of record, so there is nobody to share this answer with. It stays private.")

// MaxAnswerLen is the longest answer kept, in characters.
const MaxAnswerLen = 4000

// ColourChoice is one theme's colour for one month's check-in.
type ColourChoice struct {
	Person string
	Month  string // "2026-12"
	Theme  string // Theme.ID
	Colour Colour
	Note   string `json:",omitempty"`
	At     time.Time
}

// MonthOf names the check-in month of t.
func MonthOf(t time.Time) string { return t.Format("2006-01") }
