// Package storagetest is the contract of microcoach's storage backends:
// one suite of behaviours that the bbolt store (package storage) and the
// PostgreSQL store (storage/postgres) must both show, from the same calls
// the bot and the scheduler make: the same results in the same order, the
// same errors, the same counts.
//
// A backend's test calls Run with a function that opens an empty store for
// one test (and closes it in t.Cleanup). Subtests run in parallel, each on
// its own store.
package storagetest

import (
	"time"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/storage"
)

// Store is every method the suite exercises: what bot.Store and
// scheduler.Store need, and the operator's exports, org import and
// forget-me.
type Store interface {
	Version() (int, error)

	Person(id string) (coach.Person, bool, error)
	People() ([]coach.Person, error)
	Enroll(p coach.Person) (coach.Person, error)
	EnrollAll(ps []coach.Person) error
	UpdatePerson(base coach.Person, fn func(p *coach.Person) error) (coach.Person, error)
	SetDMChannel(person, channel string) error

	AssignManager(manager, report coach.Person, at time.Time) (coach.ManagerChange, error)
	ApplyOrg(changes []coach.OrgChange, at time.Time) ([]coach.ManagerChange, error)
	RemoveReport(manager, report string) error
	LeaveTeam(person string) (manager string, err error)
	Reports(manager string) ([]coach.Person, error)
	Invite(manager coach.Person, inv coach.Invitation) (coach.Invitation, error)
	SetInvitationMessage(manager, report, channel, ts string) error
	InvitationsFrom(manager string) ([]coach.Invitation, error)
	InvitationsTo(report string) ([]coach.Invitation, error)
	AnswerInvitation(report coach.Person, manager string, accept bool, now time.Time) (coach.ManagerChange, coach.Invitation, error)
	WithdrawInvitation(manager, report string) (coach.Invitation, error)

	AddRatings(rater coach.Person, ratings []coach.Rating, submission string) ([]coach.Rating, error)
	Ratings(subject, area string) ([]coach.Rating, error)

	AddChallenge(c coach.Challenge) (coach.Challenge, error)
	AcceptChallenge(subject string, id uint64, at time.Time) (coach.Challenge, error)
	Challenges(subject string) ([]coach.Challenge, error)

	Plan(owner string) (coach.Plan, bool, error)
	UpdatePlan(owner, submission string, edit coach.PlanEdit) (coach.Plan, error)
	PlanHistory(owner string) ([]coach.PlanChange, error)
	Submitted(id string) (bool, error)

	Delivery(person string, c coach.Cadence, period string) (coach.Delivery, bool, error)
	Deliveries(person string, c coach.Cadence) ([]coach.Delivery, error)
	DeliveriesSince(person string, since time.Time) ([]coach.Delivery, error)
	OpenDeliveries() ([]coach.Delivery, error)
	QueueDeliveries(ds []coach.Delivery) ([]coach.Delivery, error)
	UpdateDelivery(person string, c coach.Cadence, period string, fn func(d *coach.Delivery) error) (coach.Delivery, error)

	AddAnswer(a coach.Answer, answers *coach.Delivery) (coach.Answer, error)
	Answers(person string) ([]coach.Answer, error)
	SetAnswerShared(person string, id uint64, shared bool, at time.Time) (coach.Answer, error)
	UpdateAnswer(person string, id uint64, fn func(a *coach.Answer) error) (coach.Answer, error)
	ClaimEvent(eventID string, at time.Time) (bool, error)
	SetColour(c coach.ColourChoice, checkin *coach.Delivery) error
	Colours(person string) ([]coach.ColourChoice, error)
	LatestColours(person string) (map[string]coach.Colour, error)
	LastPrep(viewer, subject string) (time.Time, bool, error)
	RecordPrep(viewer, subject string, at time.Time) error

	// The due index and the retention fold (scheduler.Store).
	DueBefore(now time.Time, limit int) (people []string, seen uint64, err error)
	SetNextDue(seen uint64, next map[string]map[coach.Cadence]time.Time) error
	NextDue() (time.Time, bool, error)
	ResetDue(rules string) (bool, error)
	DueChanged() <-chan struct{}
	FoldLedger(people []string, before time.Time) (int, error)
	LedgerQuarters(person string) ([]storage.QuarterCount, error)
	ReleaseMapped() error

	// Upkeep: expiry of dedupe records and ad-hoc questions, and the
	// write probe of /readyz.
	Expire(now time.Time, dedupeKeep, questionKeep time.Duration) (storage.Expired, error)
	Probe(now time.Time) error
	WriteFailures() uint64

	ForgetPerson(id string) (coach.Forgotten, error)
	ExportAll(now time.Time) (storage.Export, error)
	ExportPerson(id string, now time.Time) (storage.PersonExport, bool, error)
	ExportPersonJSON(id string, now time.Time) ([]byte, bool, error)
}
