package bot

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/slackemu"
	"github.com/microcoach/microcoach/storage"
)

// postFixture is a bot that posts through the emulator, not connected to
// Socket Mode: the scheduler's side of it.
func postFixture(t *testing.T) (*Bot, *storage.DB, *slackemu.Server) {
	t.Helper()
	emu := slackemu.New(slackemu.Options{})
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	emu.AddUser(slackemu.User{ID: "UANA", Name: "ana"})
	db, err := storage.Open(filepath.Join(t.TempDir(), "post.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	api := slack.New(emu.BotToken(), slack.OptionAPIURL(emu.APIURL()))
	now := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	b := New(Config{API: api, SlackAPIURL: emu.APIURL(), Store: db, Model: model, Now: func() time.Time { return now }})
	if _, err := db.Enroll(coach.Person{ID: "UANA", Name: "ana", EnrolledAt: now.AddDate(0, -2, 0)}); err != nil {
		t.Fatal(err)
	}
	plan := coach.Plan{Owner: "UANA", Headline: "Lead with evidence", Version: 1, CreatedAt: now.AddDate(0, -1, 0), UpdatedAt: now.AddDate(0, -1, 0), Horizon: now.AddDate(0, 5, 0),
		Themes: []coach.Theme{
			{ID: "t1", Area: "team", Title: "Deliver bad news early", Actions: []coach.Action{{ID: "a1", Text: "Send a weekly stakeholder update"}}},
			{ID: "t2", Area: "listen-learn", Title: "Decide on evidence", Actions: []coach.Action{{ID: "a1", Text: "Define a success metric for every epic"}}},
		}}
	if _, err := db.UpdatePlan("UANA", "", func(coach.Plan) (coach.Plan, coach.PlanChange, error) {
		return plan, coach.PlanChange{By: "UANA", At: plan.CreatedAt}, nil
	}); err != nil {
		t.Fatal(err)
	}
	return b, db, emu
}

// TestPostSendsWhatTheDeliveryCarries: Post asks what the ledger says the
// delivery carries (the scheduler chose it) and writes nothing: the
// ledger entry and the person's record are as they were.
func TestPostSendsWhatTheDeliveryCarries(t *testing.T) {
	b, db, emu := postFixture(t)
	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	q, _ := b.questions.Get("more-successful")
	for _, tc := range []struct {
		name  string
		d     coach.Delivery
		wants string // in the message Ana gets
	}{
		{"the carried action, not the plan's first", coach.Delivery{Cadence: coach.CadenceNudge, ThemeID: "t2", ActionID: "a1"}, "Define a success metric for every epic"},
		{"the carried question", coach.Delivery{Cadence: coach.CadenceNudge, QuestionID: q.ID}, q.Text},
		{"the check-in with the week's action", coach.Delivery{Cadence: coach.CadenceCheckin, ThemeID: "t2", ActionID: "a1"}, "This week's action (instead of a separate nudge): Define a success metric"},
	} {
		at = at.AddDate(0, 0, 7) // an entry of its own
		t.Run(tc.name, func(t *testing.T) {
			d := tc.d
			d.Person, d.Period, d.Due, d.State, d.Attempt = "UANA", at.Format("2006-01-02T15:04"), at, coach.DeliveryAttempted, at
			if _, err := db.QueueDeliveries([]coach.Delivery{d}); err != nil {
				t.Fatal(err)
			}
			before, _, _ := db.Delivery("UANA", d.Cadence, d.Period)
			person, _, _ := db.Person("UANA")
			seen := emu.SeenCount("UANA")
			if _, _, err := b.Post(context.Background(), d); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := emu.WaitSeenAfter(ctx, "UANA", seen, slackemu.Containing(tc.wants)); err != nil {
				t.Fatalf("Ana did not get %q: %v\n%s", tc.wants, err, emu.Transcript("UANA"))
			}
			after, _, _ := db.Delivery("UANA", d.Cadence, d.Period)
			if !reflect.DeepEqual(after, before) {
				t.Errorf("Post changed the ledger entry:\n got %+v\nwant %+v", after, before)
			}
			if p, _, _ := db.Person("UANA"); p.LastTheme != person.LastTheme || p.LastQuestion != person.LastQuestion {
				t.Errorf("Post moved the rotation on the person: %+v", p)
			}
		})
	}
}

// TestPostErrorsSayWhatToDo: the scheduler knows Post's errors by their
// methods: Slack's 429 has RetryAfter, a message no longer owed has
// SkipReason.
func TestPostErrorsSayWhatToDo(t *testing.T) {
	b, _, emu := postFixture(t)
	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	nudge := coach.Delivery{Person: "UANA", Cadence: coach.CadenceNudge, Period: "2026-11-23T09:30", Due: at, ThemeID: "t1", ActionID: "a1"}

	emu.ForceRateLimit("chat.postMessage", 1, 3*time.Second)
	_, _, err := b.Post(context.Background(), nudge)
	var retry interface{ RetryAfter() time.Duration }
	if !errors.As(err, &retry) || retry.RetryAfter() != 3*time.Second {
		t.Errorf("a 429 gave %v, want an error with RetryAfter 3s", err)
	}

	for _, tc := range []struct {
		name string
		d    coach.Delivery
		why  string
	}{
		{"someone microcoach does not know", coach.Delivery{Person: "UNOBODY", Cadence: coach.CadenceNudge, Period: "p", QuestionID: "more-successful"}, "the person is no longer known"},
		{"an action taken out of the plan since", coach.Delivery{Person: "UANA", Cadence: coach.CadenceNudge, Period: "p", ThemeID: "t9", ActionID: "a1"}, "its action was taken out of the plan"},
		{"nothing to ask", coach.Delivery{Person: "UANA", Cadence: coach.CadenceQuestion, Period: "p"}, "the question bank is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := b.Post(context.Background(), tc.d)
			var skip interface{ SkipReason() string }
			if !errors.As(err, &skip) || skip.SkipReason() != tc.why {
				t.Errorf("Post gave %v, want an error with SkipReason %q", err, tc.why)
			}
		})
	}
}

// TestDigestFoundWhereItWent: a digest's ledger entry does not say which
// channel it went to (Post writes nothing); after a crash Find looks in the
// manager's digest channel, then the DM, and finds it once.
func TestDigestFoundWhereItWent(t *testing.T) {
	b, db, emu := postFixture(t)
	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	emu.AddUser(slackemu.User{ID: "UBOSS", Name: "boss"})
	emu.AddChannel(slackemu.Channel{ID: "CTEAM", Name: "coaching", Members: []string{"UBOSS", emu.BotUserID()}})
	boss := coach.Person{ID: "UBOSS", EnrolledAt: at.AddDate(0, -2, 0)}
	if _, err := db.AssignManager(boss, coach.Person{ID: "UANA"}, at.AddDate(0, -1, 0)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tc := range []struct{ name, channel string }{{"in its channel", "CTEAM"}, {"in the DM", digestDM}} {
		at = at.AddDate(0, 0, 7)
		t.Run(tc.name, func(t *testing.T) {
			if _, err := db.UpdatePerson(boss, func(p *coach.Person) error { p.DigestChannel = tc.channel; return nil }); err != nil {
				t.Fatal(err)
			}
			// No Attempt: the emulator stamps messages with the wall clock.
			d := coach.Delivery{Person: "UBOSS", Cadence: coach.CadenceDigest, Period: at.Format("2006-01-02T15:04"), Due: at, State: coach.DeliveryAttempted}
			if _, err := db.QueueDeliveries([]coach.Delivery{d}); err != nil {
				t.Fatal(err)
			}
			if _, _, found, err := b.Find(ctx, d); err != nil || found {
				t.Fatalf("before the post Find says found %v, %v", found, err)
			}
			ch, ts, err := b.Post(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			if got, _, _ := db.Delivery("UBOSS", coach.CadenceDigest, d.Period); got.Channel != "" || got.State != coach.DeliveryAttempted {
				t.Errorf("Post wrote the ledger: %+v", got)
			}
			fch, fts, found, err := b.Find(ctx, d)
			if err != nil || !found || fch != ch || fts != ts {
				t.Errorf("Find = %s %s %v %v, want the post at %s %s", fch, fts, found, err, ch, ts)
			}
			if tc.channel == "CTEAM" && ch != "CTEAM" {
				t.Errorf("the digest went to %s, want CTEAM", ch)
			}
		})
	}
}
