package bot

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/storage"
)

// yearOfHistory fills a database with a manager and n reports, each with a
// plan and one year of weekly activity: a self-rating and a nudge every
// week, a manager rating, a check-in with colours and an answer every month.
func yearOfHistory(tb testing.TB, n int, now time.Time) (*storage.DB, *Bot) {
	tb.Helper()
	db, err := storage.Open(filepath.Join(tb.TempDir(), "year.db"), storage.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	start := now.AddDate(-1, 0, 0)
	manager := coach.Person{ID: "UBOSS", EnrolledAt: start}
	areas := model.Areas
	for i := range n {
		id := fmt.Sprintf("UR%03d", i)
		if _, err := db.AssignManager(manager, coach.Person{ID: id, EnrolledAt: start}, start); err != nil {
			tb.Fatal(err)
		}
		plan := samplePlan()
		plan.Owner = id
		if _, err := db.UpdatePlan(id, "", func(coach.Plan) (coach.Plan, coach.PlanChange, error) {
			return plan, coach.PlanChange{By: id, At: start}, nil
		}); err != nil {
			tb.Fatal(err)
		}
		var ratings []coach.Rating
		var ds []coach.Delivery
		for w := range 52 {
			at := start.AddDate(0, 0, 7*w)
			ratings = append(ratings, coach.Rating{Subject: id, Rater: id, Area: areas[w%len(areas)].ID, Score: 3 + (i+w)%7, At: at, Via: coach.SurfaceCommand})
			ds = append(ds, coach.Delivery{Person: id, Cadence: coach.CadenceNudge, Period: at.Format("2006-01-02T15:04"), Due: at, State: coach.DeliverySent, SentAt: at, Answered: w%3 != 0})
			if w%4 == 0 {
				ratings = append(ratings, coach.Rating{Subject: id, Rater: "UBOSS", Area: areas[w%len(areas)].ID, Score: 2 + (i*w)%8, At: at.Add(time.Hour), Via: coach.SurfaceModal})
				ds = append(ds, coach.Delivery{Person: id, Cadence: coach.CadenceCheckin, Period: at.Format("2006-01-02T15:04"), Due: at, State: coach.DeliverySent, SentAt: at, Answered: w%8 == 0})
			}
		}
		if _, err := db.AddRatings(coach.Person{ID: id}, ratings, ""); err != nil {
			tb.Fatal(err)
		}
		if _, err := db.QueueDeliveries(ds); err != nil {
			tb.Fatal(err)
		}
		for m := range 12 {
			at := start.AddDate(0, m, 1)
			for _, t := range plan.Themes {
				db.SetColour(coach.ColourChoice{Person: id, Month: coach.MonthOf(at), Theme: t.ID, Colour: []coach.Colour{coach.Green, coach.Yellow, coach.Red}[(i+m)%3], At: at}, nil)
			}
			db.AddAnswer(coach.Answer{Person: id, QuestionID: "more-successful", Text: "A private answer that must never reach a digest", At: at}, nil)
		}
	}
	b := New(Config{Store: db, Model: model, Now: func() time.Time { return now }, Screen: oneView(db)})
	return db, b
}

// BenchmarkDigest builds the digest of a manager with 50 reports and a year
// of weekly data: reading every report's status from bbolt and rendering.
//
//	go test ./bot -run '^$' -bench Digest -benchmem
func BenchmarkDigest(b *testing.B) {
	_, bot := yearOfHistory(b, 50, gNow)
	b.ReportAllocs()
	b.ResetTimer()
	var topBlocks int
	for range b.N {
		statuses, err := bot.teamStatuses("UBOSS")
		if err != nil {
			b.Fatal(err)
		}
		v := blocks.Digest(model, statuses, gNow, false)
		topBlocks = len(v.Top.Blocks)
	}
	b.ReportMetric(float64(topBlocks), "top-blocks")
}

// BenchmarkHome builds the App Home of a PM with a year of history, and of
// their manager with 50 such reports.
func BenchmarkHome(b *testing.B) {
	_, bot := yearOfHistory(b, 50, gNow)
	for _, who := range []string{"UR000", "UBOSS"} {
		b.Run(who, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				d, _, err := bot.homeData(who)
				if err != nil {
					b.Fatal(err)
				}
				_ = blocks.Home(model, d)
			}
		})
	}
}

// samplePlan is a plan of three themes, as the blocks tests use.
func samplePlan() coach.Plan {
	return coach.Plan{
		Owner: "UANA", Headline: "From backlog manager to strategic product lead", Version: 3,
		Horizon: time.Date(2027, 5, 21, 0, 0, 0, 0, time.UTC), CreatedAt: gNow.AddDate(0, -1, 0), UpdatedAt: gNow.AddDate(0, 0, -2),
		Themes: []coach.Theme{
			{ID: "t1", Area: "problem-understanding", Title: "Problem briefs before discovery", Actions: []coach.Action{
				{ID: "a1", Text: "Write three problem briefs before discovery starts", Done: true, DoneAt: gNow.AddDate(0, 0, -3)},
				{ID: "a2", Text: "Review each brief with engineering"},
			}},
			{ID: "t2", Area: "team", Title: "Deliver bad news early", Actions: []coach.Action{{ID: "a1", Text: "Send a weekly stakeholder update"}}},
			{ID: "t3", Area: "listen-learn", Title: "Decide on evidence", Actions: []coach.Action{{ID: "a1", Text: "Define a success metric for every epic"}}},
		},
	}
}
