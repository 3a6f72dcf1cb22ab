package coach

import (
	"slices"
	"time"
)

// Access is something one person does to, or sees of, a person's coaching
// data. Policy.Authorize is the one place that decides who may.
type Access int

// The kinds of access, each with its rule.
const (
	// SeeCoaching: plan, ratings, gaps, colours, challenge, trends, the
	// person's line on a Home tab or in a digest. The person and their
	// manager of record.
	SeeCoaching Access = iota + 1
	// SeeNote: a note written with a check-in colour. The person; their
	// manager of record only for notes written while they were that (a note
	// about a former manager never reaches the next one).
	SeeNote
	// SeeAnswer: an answer to a coaching question. The person; their
	// manager of record only when the person shared it with that manager.
	SeeAnswer
	// Assess: rate the person as their manager (/rate @person, the
	// assessment form). The manager of record only.
	Assess
	// ProposeChallenge: propose a Next Bigger Challenge. The manager of
	// record only.
	ProposeChallenge
	// Prep: build a 1:1 agenda about the person. The person and their
	// manager of record.
	Prep
	// ChangeOwn: everything a person does to their own data and nobody
	// else may: write their plan, set their challenge, pick colours,
	// answer, share an answer, pause, choose nudge times, export, forget,
	// answer or withdraw an invitation addressed to or sent by them.
	ChangeOwn
	// AssignManager: set or change anyone's manager of record without an
	// invitation. Admins only; it grants no access to coaching data.
	AssignManager
)

// Target is whose data an access is about, and for notes and answers the
// one record it touches.
type Target struct {
	Person Person
	// SharedWith is, for SeeAnswer, whom the answer was shared with ("" for
	// a private answer).
	SharedWith string
	// WrittenAt is, for SeeNote, when the note was written.
	WrittenAt time.Time
}

// About names a person as the target of an action.
func About(p Person) Target { return Target{Person: p} }

// AnswerOf names one of a person's answers as the target.
func AnswerOf(p Person, a Answer) Target { return Target{Person: p, SharedWith: a.SharedWith} }

// NoteOf names a note the person wrote at a time as the target.
func NoteOf(p Person, at time.Time) Target { return Target{Person: p, WrittenAt: at} }

// ErrNotYours is the one refusal for anything about someone else's data.
// It reads the same whether the person exists, has a manager, was invited,
// or is a stranger, so it reveals nothing about them.
var ErrNotYours = Errorf(EFORBIDDEN, "You can only see or change your own coaching data, and that of people who accepted you as their manager. To coach someone, invite them: /coach team add @person")

// ErrAdminsOnly refuses an admin action to someone who is not an admin.
var ErrAdminsOnly = Errorf(EFORBIDDEN, "Only microcoach's admins can assign a manager of record. To coach someone, invite them: /coach team add @person")

// Policy decides who may see or change what of whom. Being an admin lets
// a person assign managers of record and nothing else: an admin sees no
// one's coaching data by being one.
type Policy struct {
	admins []string
}

// NewPolicy returns the policy with the given admins (Slack user ids).
func NewPolicy(admins []string) Policy {
	a := slices.Clone(admins)
	slices.Sort(a)
	return Policy{admins: slices.Compact(a)}
}

// IsAdmin reports whether id is one of the admins.
func (p Policy) IsAdmin(id string) bool {
	_, found := slices.BinarySearch(p.admins, id)
	return id != "" && found
}

// Admins returns the admins' ids, sorted.
func (p Policy) Admins() []string { return slices.Clone(p.admins) }

// Authorize decides whether actor may do act to t. It returns nil, or
// ErrNotYours (ErrAdminsOnly for AssignManager): never a refusal that
// says anything about the target.
func (p Policy) Authorize(actor string, act Access, t Target) error {
	if actor == "" {
		return ErrNotYours
	}
	self := actor == t.Person.ID
	manager := t.Person.Manager != "" && actor == t.Person.Manager
	var ok bool
	switch act {
	case SeeCoaching, Prep:
		ok = self || manager
	case SeeNote:
		ok = self || manager && !t.WrittenAt.Before(t.Person.ManagerSince)
	case SeeAnswer:
		ok = self || manager && t.SharedWith == actor
	case Assess, ProposeChallenge:
		ok = manager
	case ChangeOwn:
		ok = self
	case AssignManager:
		if !p.IsAdmin(actor) {
			return ErrAdminsOnly
		}
		ok = true
	}
	if !ok {
		return ErrNotYours
	}
	return nil
}

// Audience is what a channel post may carry.
type Audience int

// Audiences of a channel post.
const (
	// AudienceSummary: someone in the channel may not see everyone's data;
	// post counts only, nothing about any one person.
	AudienceSummary Audience = iota
	// AudienceFull: every human member may see the coaching data of every
	// person the post shows.
	AudienceFull
)

// ChannelAudience decides what a post in a channel may carry: full details
// only when every human member may see the coaching data of every person
// shown (a manager's own channel); otherwise a summary. A channel with no
// human member is treated as one anybody could join later: a summary.
func (p Policy) ChannelAudience(humans []string, shown []Person) Audience {
	if len(humans) == 0 {
		return AudienceSummary
	}
	for _, h := range humans {
		for _, s := range shown {
			if p.Authorize(h, SeeCoaching, About(s)) != nil {
				return AudienceSummary
			}
		}
	}
	return AudienceFull
}
