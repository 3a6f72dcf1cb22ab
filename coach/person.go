package coach

import "time"

// Person is someone microcoach knows: enrolled on first use, or when a
// manager adds them to a team.
type Person struct {
	ID         string    // Slack user id
	Name       string    // display name at enrolment, for logs and exports
	EnrolledAt time.Time // first use
	// Manager is the Slack user id of the person's manager of record, or
	// "" for none. A person has at most one.
	Manager string
	// ManagerSince is when Manager was set.
	ManagerSince time.Time `json:",omitzero"`

	// TZ is the person's IANA time zone as Slack last reported it; cadences
	// run in it. Empty until first looked up.
	TZ string `json:",omitempty"`
	// DMChannel is the id of the app's DM with the person, once opened.
	DMChannel string `json:",omitempty"`

	// Cadence preferences.
	PausedUntil  time.Time `json:",omitzero"`  // nothing is sent before this
	NudgeSpec    string    `json:",omitempty"` // own weekly nudge time, a cron spec; "" = the default
	NudgesOff    bool      `json:",omitempty"` // no weekly nudges at all
	SnoozedUntil time.Time `json:",omitzero"`  // the weekly nudge skips until this
	// Rotation state of weekly nudges.
	LastQuestion string `json:",omitempty"` // id of the last bank question asked
	LastTheme    string `json:",omitempty"` // id of the theme the last action nudge was about

	// DigestChannel is where a manager's digest goes; "" = the default.
	DigestChannel string `json:",omitempty"`
}

// Paused reports whether the person asked for quiet at now.
func (p Person) Paused(now time.Time) bool { return now.Before(p.PausedUntil) }

// Location returns the person's time zone, UTC when unknown.
func (p Person) Location() *time.Location {
	if p.TZ != "" {
		if loc, err := time.LoadLocation(p.TZ); err == nil {
			return loc
		}
	}
	return time.UTC
}

// CanSee reports whether viewer may see subject's plan, ratings, colours
// and challenge: only the person themselves and their manager of record.
// Private answers are stricter still (see Answer).
func CanSee(viewer string, subject Person) bool {
	return viewer != "" && (viewer == subject.ID || viewer == subject.Manager)
}

// IsManagerOf reports whether manager is subject's manager of record.
func IsManagerOf(manager string, subject Person) bool {
	return manager != "" && subject.Manager == manager
}

// TeamRefusal is why a person cannot be added to a team.
type TeamRefusal int

// Reasons CheckAddReport refuses.
const (
	RefuseSelf         TeamRefusal = iota + 1 // adding yourself
	RefuseAlreadyYours                        // already in your team
	RefuseHasManager                          // has another manager of record
	RefuseCycle                               // is above you in the chain
)

// TeamError is a refused team change. Manager is the report's current
// manager of record for RefuseHasManager.
type TeamError struct {
	Reason  TeamRefusal
	Manager string
}

func (e *TeamError) Error() string {
	switch e.Reason {
	case RefuseSelf:
		return "coach: a person can't be their own manager"
	case RefuseAlreadyYours:
		return "coach: already in this team"
	case RefuseHasManager:
		return "coach: already has a manager of record"
	default:
		return "coach: would make a reporting cycle"
	}
}

// CheckAddReport decides whether manager may add report to their team.
// managerOf returns the manager of record of a person ("" for none), so the
// rule can refuse a cycle: nobody may manage someone above them in the
// chain. A refusal is a *TeamError.
func CheckAddReport(manager string, report Person, managerOf func(id string) string) error {
	switch {
	case manager == report.ID:
		return &TeamError{Reason: RefuseSelf}
	case report.Manager == manager:
		return &TeamError{Reason: RefuseAlreadyYours}
	case report.Manager != "":
		return &TeamError{Reason: RefuseHasManager, Manager: report.Manager}
	}
	seen := map[string]bool{}
	for up := managerOf(manager); up != ""; up = managerOf(up) {
		if up == report.ID {
			return &TeamError{Reason: RefuseCycle}
		}
		if seen[up] {
			break // an old cycle in the data; stop rather than loop
		}
		seen[up] = true
	}
	return nil
}

// ErrNotInTeam is returned when a removal names someone who is not in the
// manager's team, or a person leaves a team they are not in.
var ErrNotInTeam = Errorf(ENOTFOUND, "not in the team")
