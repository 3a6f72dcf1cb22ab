package storage

import (
	"testing"

	"github.com/microcoach/microcoach/coach"
)

// Private texts of the privacy fixture: each belongs to one person, so a
// test can search a whole document for what must not be there.
const (
	anaNote      = "ana-self-note"
	bossNoteAna  = "boss-note-about-ana"
	bobNote      = "bob-self-note"
	bossNoteBob  = "boss-note-about-bob"
	anaAnswer    = "ana-private-answer"
	bobAnswer    = "bob-private-answer"
	anaHeadline  = "ana-plan-headline"
	bobHeadline  = "bob-plan-headline"
	anaChallenge = "ana-own-challenge"
	bobProposal  = "boss-proposal-for-bob"
	anaAccepted  = "boss-proposal-ana-accepted"
	bobColour    = "bob-colour-note"
)

// privacyFixture fills db with a small team: boss manages ana and bob, and
// everyone has something of each kind.
func privacyFixture(t *testing.T, db *DB) (boss, ana, bob coach.Person) {
	t.Helper()
	boss, ana, bob = coach.Person{ID: "UBOSS", Name: "boss"}, coach.Person{ID: "UANA", Name: "ana"}, coach.Person{ID: "UBOB", Name: "bob"}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := db.AssignManager(boss, ana, t0)
	must(err)
	_, err = db.AssignManager(boss, bob, t0)
	must(err)
	for _, r := range []struct {
		rater coach.Person
		r     coach.Rating
	}{
		{ana, coach.Rating{Subject: ana.ID, Rater: ana.ID, Area: "planning", Score: 6, Note: anaNote, At: t0}},
		{boss, coach.Rating{Subject: ana.ID, Rater: boss.ID, Area: "planning", Score: 4, Note: bossNoteAna, At: t0}},
		{bob, coach.Rating{Subject: bob.ID, Rater: bob.ID, Area: "team", Score: 7, Note: bobNote, At: t0}},
		{boss, coach.Rating{Subject: bob.ID, Rater: boss.ID, Area: "team", Score: 5, Note: bossNoteBob, At: t0}},
		{boss, coach.Rating{Subject: boss.ID, Rater: boss.ID, Area: "team", Score: 8, At: t0}},
	} {
		_, err := db.AddRatings(r.rater, []coach.Rating{r.r}, "")
		must(err)
	}
	proposal, err := db.AddChallenge(coach.Challenge{Subject: ana.ID, Text: anaAccepted, By: boss.ID, Status: coach.ChallengeProposed, At: t0})
	must(err)
	_, err = db.AcceptChallenge(ana.ID, proposal.ID, t0)
	must(err)
	_, err = db.AddChallenge(coach.Challenge{Subject: ana.ID, Text: anaChallenge, By: ana.ID, Status: coach.ChallengeSet, At: t0.Add(1)})
	must(err)
	_, err = db.AddChallenge(coach.Challenge{Subject: bob.ID, Text: bobProposal, By: boss.ID, Status: coach.ChallengeProposed, At: t0})
	must(err)
	for who, headline := range map[string]string{ana.ID: anaHeadline, bob.ID: bobHeadline} {
		_, err := db.UpdatePlan(who, "", func(old coach.Plan) (coach.Plan, coach.PlanChange, error) {
			p := coach.Plan{Headline: headline, Themes: []coach.Theme{{ID: "t1", Area: "planning", Title: "T"}}, CreatedAt: t0, UpdatedAt: t0, UpdatedBy: who}
			return p, coach.PlanChange{By: who, At: t0, Changes: []string{"created"}}, nil
		})
		must(err)
	}
	ds, err := db.QueueDeliveries([]coach.Delivery{
		{Person: ana.ID, Cadence: coach.CadenceQuestion, Period: "q1", Due: t0},
		{Person: bob.ID, Cadence: coach.CadenceQuestion, Period: "q1", Due: t0},
		{Person: boss.ID, Cadence: coach.CadenceDigest, Period: "d1", Due: t0},
	})
	must(err)
	_, err = db.AddAnswer(coach.Answer{Person: ana.ID, QuestionID: "q", Text: anaAnswer, At: t0, EventID: "Ev1"}, &ds[0])
	must(err)
	_, err = db.AddAnswer(coach.Answer{Person: bob.ID, QuestionID: "q", Text: bobAnswer, At: t0, EventID: "Ev2"}, &ds[1])
	must(err)
	must(db.SetColour(coach.ColourChoice{Person: ana.ID, Month: "2026-11", Theme: "t1", Colour: coach.Green, At: t0}, nil))
	must(db.SetColour(coach.ColourChoice{Person: bob.ID, Month: "2026-11", Theme: "t1", Colour: coach.Red, Note: bobColour, At: t0}, nil))
	must(db.RecordPrep(boss.ID, ana.ID, t0))
	must(db.RecordPrep(boss.ID, bob.ID, t0))
	must(db.RecordPrep(ana.ID, ana.ID, t0))
	return boss, ana, bob
}
