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
	NudgeSpec    string    `json:",omitempty"` // own weekly nudge time, "M H * * D" (ParseNudgeSpec); "" = the default
	NudgesOff    bool      `json:",omitempty"` // no weekly nudges at all
	SnoozedUntil time.Time `json:",omitzero"`  // the weekly nudge skips until this
	// Rotation state of weekly nudges, kept by versions before the ledger
	// recorded what each message carried; no longer written. Carry starts
	// the rotation from them while the ledger carries no choice.
	LastQuestion string `json:",omitempty"` // id of the last bank question asked
	LastTheme    string `json:",omitempty"` // id of the theme the last action nudge was about

	// DigestChannel is where a manager's digest goes; "" = the default.
	DigestChannel string `json:",omitempty"`

	// CoacheeOptIn: a manager who is not coached asked for the coachee
	// cadence anyway (/coach nudges on); see GetsCoacheeCadence.
	CoacheeOptIn bool `json:",omitempty"`
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

// TeamRefusal is why a person cannot become someone's report.
type TeamRefusal int

// Reasons CheckManager refuses.
const (
	RefuseSelf         TeamRefusal = iota + 1 // managing yourself
	RefuseAlreadyYours                        // already your report
	RefuseCycle                               // is above you in the chain
)

// TeamError is a refused team change. It names nobody: a refusal about
// another person must not tell who manages them.
type TeamError struct {
	Reason TeamRefusal
}

func (e *TeamError) Error() string {
	switch e.Reason {
	case RefuseSelf:
		return "coach: a person can't be their own manager"
	case RefuseAlreadyYours:
		return "coach: already in this team"
	default:
		return "coach: would make a reporting cycle"
	}
}

// CheckManager decides whether manager may become report's manager of
// record, by invitation, by an admin or by an import. A report who has
// another manager moves: that is allowed. managerOf returns the manager of
// record of a person ("" for none), so the rule can refuse a cycle: nobody
// may manage someone above them in the chain. A refusal is a *TeamError.
func CheckManager(manager string, report Person, managerOf func(id string) string) error {
	switch {
	case manager == report.ID:
		return &TeamError{Reason: RefuseSelf}
	case report.Manager == manager:
		return &TeamError{Reason: RefuseAlreadyYours}
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

// InvitationLifetime is how long an invitation to accept a manager of
// record stays open.
const InvitationLifetime = 14 * 24 * time.Hour

// Invitation asks a person to accept someone as their manager of record.
// Until they accept, the inviter is a stranger to their data.
type Invitation struct {
	Manager string    // who asks
	Report  string    // who is asked
	At      time.Time // when
	Expires time.Time
	// Channel and TS locate the DM that carries Accept / Decline, so it
	// can be updated when the invitation is answered, withdrawn or expires.
	Channel string `json:",omitempty"`
	TS      string `json:",omitempty"`
}

// NewInvitation returns an invitation from manager to report made at now.
func NewInvitation(manager, report string, now time.Time) Invitation {
	return Invitation{Manager: manager, Report: report, At: now, Expires: now.Add(InvitationLifetime)}
}

// Expired reports whether the invitation can no longer be accepted.
func (i Invitation) Expired(now time.Time) bool { return !now.Before(i.Expires) }

// Errors of answering or withdrawing an invitation. Each says what
// happened in words the clicking person understands; none changes anything.
var (
	ErrInvitationGone    = Errorf(ECONFLICT, "This invitation is no longer open: it was withdrawn or already answered. Nothing changed.")
	ErrInvitationExpired = Errorf(ECONFLICT, "This invitation has expired, so nothing changed. Ask them to invite you again if you still want them as your manager of record.")
	ErrAlreadyInvited    = Errorf(ECONFLICT, "You have already invited them; the invitation is waiting for their answer.")
	ErrNotInvited        = Errorf(ENOTFOUND, "There is no open invitation from you to them.")
)

// ManagerChange is the outcome of a change of manager of record.
type ManagerChange struct {
	Person  Person // the report, as now stored
	Former  string // their manager of record before, "" for none
	Already bool   // nothing changed: the manager was already theirs
}
