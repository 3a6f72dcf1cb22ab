package bot

import (
	"time"

	"github.com/microcoach/microcoach/coach"
)

// ScreenReader is what a screen (the App Home, a digest, a 1:1 agenda)
// reads. Config.Screen hands one whose reads all come from one read
// transaction.
type ScreenReader interface {
	Person(id string) (coach.Person, bool, error)
	Reports(manager string) ([]coach.Person, error)
	Plan(owner string) (coach.Plan, bool, error)
	Colours(person string) ([]coach.ColourChoice, error)
	Ratings(subject, area string) ([]coach.Rating, error)
	Challenges(subject string) ([]coach.Challenge, error)
	Deliveries(person string, c coach.Cadence) ([]coach.Delivery, error)
	DeliveriesSince(person string, since time.Time) ([]coach.Delivery, error)
	Answers(person string) ([]coach.Answer, error)
	InvitationsTo(report string) ([]coach.Invitation, error)
	InvitationsFrom(manager string) ([]coach.Invitation, error)
	LastPrep(viewer, subject string) (time.Time, bool, error)
}

// screen runs fn with reads from one transaction when the store offers
// that (Config.Screen), else with the store's own reads.
func (b *Bot) screen(fn func(r ScreenReader) error) error {
	if b.screenReads == nil {
		return fn(b.store)
	}
	return b.screenReads(fn)
}
