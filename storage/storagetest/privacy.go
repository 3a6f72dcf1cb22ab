package storagetest

import (
	"encoding/json"
	"slices"
	"strings"
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

// privacyFixture fills s with a small team: boss manages ana and bob, and
// everyone has something of each kind.
func privacyFixture(t *testing.T, s Store) (boss, ana, bob coach.Person) {
	t.Helper()
	boss, ana, bob = coach.Person{ID: "UBOSS", Name: "boss"}, coach.Person{ID: "UANA", Name: "ana"}, coach.Person{ID: "UBOB", Name: "bob"}
	must1[coach.ManagerChange](t)(s.AssignManager(boss, ana, t0))
	must1[coach.ManagerChange](t)(s.AssignManager(boss, bob, t0))
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
		must1[[]coach.Rating](t)(s.AddRatings(r.rater, []coach.Rating{r.r}, ""))
	}
	proposal := must1[coach.Challenge](t)(s.AddChallenge(coach.Challenge{Subject: ana.ID, Text: anaAccepted, By: boss.ID, Status: coach.ChallengeProposed, At: t0}))
	must1[coach.Challenge](t)(s.AcceptChallenge(ana.ID, proposal.ID, t0))
	must1[coach.Challenge](t)(s.AddChallenge(coach.Challenge{Subject: ana.ID, Text: anaChallenge, By: ana.ID, Status: coach.ChallengeSet, At: t0.Add(1)}))
	must1[coach.Challenge](t)(s.AddChallenge(coach.Challenge{Subject: bob.ID, Text: bobProposal, By: boss.ID, Status: coach.ChallengeProposed, At: t0}))
	for _, who := range []string{ana.ID, bob.ID} {
		headline := map[string]string{ana.ID: anaHeadline, bob.ID: bobHeadline}[who]
		must1[coach.Plan](t)(s.UpdatePlan(who, "", func(old coach.Plan) (coach.Plan, coach.PlanChange, error) {
			p := coach.Plan{Headline: headline, Themes: []coach.Theme{{ID: "t1", Area: "planning", Title: "T"}}, CreatedAt: t0, UpdatedAt: t0, UpdatedBy: who}
			return p, coach.PlanChange{By: who, At: t0, Changes: []string{"created"}}, nil
		}))
	}
	ds := must1[[]coach.Delivery](t)(s.QueueDeliveries([]coach.Delivery{
		{Person: ana.ID, Cadence: coach.CadenceQuestion, Period: "q1", Due: t0},
		{Person: bob.ID, Cadence: coach.CadenceQuestion, Period: "q1", Due: t0},
		{Person: boss.ID, Cadence: coach.CadenceDigest, Period: "d1", Due: t0},
	}))
	must1[coach.Answer](t)(s.AddAnswer(coach.Answer{Person: ana.ID, QuestionID: "q", Text: anaAnswer, At: t0, EventID: "Ev1"}, &ds[0]))
	must1[coach.Answer](t)(s.AddAnswer(coach.Answer{Person: bob.ID, QuestionID: "q", Text: bobAnswer, At: t0, EventID: "Ev2"}, &ds[1]))
	must(t, s.SetColour(coach.ColourChoice{Person: ana.ID, Month: "2026-11", Theme: "t1", Colour: coach.Green, At: t0}, nil))
	must(t, s.SetColour(coach.ColourChoice{Person: bob.ID, Month: "2026-11", Theme: "t1", Colour: coach.Red, Note: bobColour, At: t0}, nil))
	must(t, s.RecordPrep(boss.ID, ana.ID, t0))
	must(t, s.RecordPrep(boss.ID, bob.ID, t0))
	must(t, s.RecordPrep(ana.ID, ana.ID, t0))
	return boss, ana, bob
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func containsAll(t *testing.T, doc string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(doc, w) {
			t.Errorf("missing %q", w)
		}
	}
}

func containsNone(t *testing.T, doc string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(doc, b) {
			t.Errorf("must not contain %q", b)
		}
	}
}

func testExportPerson(t *testing.T, s Store) {
	boss, ana, _ := privacyFixture(t, s)
	must1[coach.Invitation](t)(s.Invite(coach.Person{ID: "UIVAN"}, coach.NewInvitation("UIVAN", ana.ID, t0)))

	e, found, err := s.ExportPerson(ana.ID, t0)
	if err != nil || !found {
		t.Fatalf("ExportPerson = %v, %v", found, err)
	}
	doc := toJSON(t, e)
	containsAll(t, doc, anaNote, bossNoteAna, anaAnswer, anaHeadline, anaChallenge, anaAccepted, `"format":"microcoach-export"`)
	containsNone(t, doc, bobNote, bossNoteBob, bobAnswer, bobHeadline, bobProposal, bobColour, "UBOB")
	if e.Manager != boss.ID || len(e.Reports) != 0 || len(e.Ratings) != 2 || len(e.Answers) != 1 || len(e.Colours) != 1 ||
		e.Plan == nil || len(e.PlanHistory) != 1 || len(e.Challenges) != 2 || len(e.Ledger) != 1 || len(e.Preps) != 1 || len(e.Invitations) != 1 {
		t.Errorf("ana's export: %s", doc)
	}
	if v, _ := s.Version(); e.SchemaVersion != v {
		t.Errorf("export says schema v%d, the store v%d", e.SchemaVersion, v)
	}

	// The manager's export names the reports and holds the ratings and
	// proposals the manager wrote, but nothing the reports wrote.
	e = must1[storagePersonExport](t)(exportPerson(s, boss.ID))
	doc = toJSON(t, e)
	containsAll(t, doc, bossNoteAna, bossNoteBob, bobProposal, anaAccepted)
	containsNone(t, doc, anaNote, bobNote, anaAnswer, bobAnswer, anaHeadline, bobHeadline, anaChallenge, bobColour)
	if !slices.Equal(e.Reports, []string{"UANA", "UBOB"}) || len(e.RatingsGiven) != 2 || e.RatingsGiven[0].Subject != "UANA" ||
		len(e.Ratings) != 1 || len(e.Proposed) != 2 || e.Proposed[0].Subject != "UANA" || len(e.Preps) != 2 || e.Plan != nil {
		t.Errorf("boss's export: %s", doc)
	}

	if _, found, err := s.ExportPerson("UNOBODY", t0); found || err != nil {
		t.Errorf("a stranger's export: found=%v err=%v", found, err)
	}
	raw, found, err := s.ExportPersonJSON(ana.ID, t0)
	if err != nil || !found || !json.Valid(raw) || !strings.Contains(string(raw), anaNote) {
		t.Fatalf("ExportPersonJSON: %v %v %s", found, err, raw)
	}
	if raw, found, err := s.ExportPersonJSON("UNOBODY", t0); found || err != nil || raw != nil {
		t.Errorf("a stranger's JSON export: %s %v %v", raw, found, err)
	}
}

func exportPerson(s Store, id string) (storagePersonExport, error) {
	e, _, err := s.ExportPerson(id, t0)
	return e, err
}

func testExportAll(t *testing.T, s Store) {
	empty := must1[storageExport](t)(s.ExportAll(t0))
	if doc := toJSON(t, empty); strings.Contains(doc, "null") {
		t.Errorf("empty export has nulls: %s", doc)
	}
	privacyFixture(t, s)
	must1[coach.Invitation](t)(s.Invite(coach.Person{ID: "UIVAN"}, coach.NewInvitation("UIVAN", "UCLEO", t0)))
	e := must1[storageExport](t)(s.ExportAll(t0))
	v, _ := s.Version()
	if e.SchemaVersion != v || len(e.People) != 4 || len(e.TeamLinks) != 2 || len(e.Ratings) != 5 ||
		len(e.Challenges) != 3 || len(e.Plans) != 2 || len(e.PlanHistory) != 2 || len(e.Answers) != 2 ||
		len(e.Colours) != 2 || len(e.Ledger) != 3 || len(e.Preps) != 3 || len(e.Invitations) != 1 {
		t.Errorf("export: %s", toJSON(t, e))
	}
	// In key order, as every backend gives them.
	if e.People[0].ID != "UANA" || e.TeamLinks[0].Report != "UANA" || e.Ratings[0].Subject != "UANA" || e.Ratings[4].Subject != "UBOSS" ||
		e.Ledger[0].Person != "UANA" || e.Preps[0].Viewer != "UANA" || !e.ExportedAt.Equal(t0) {
		t.Errorf("export out of order: %s", toJSON(t, e))
	}
}

func testForgetReport(t *testing.T, s Store) {
	boss, ana, bob := privacyFixture(t, s)
	must1[coach.Invitation](t)(s.Invite(coach.Person{ID: "UIVAN"}, coach.NewInvitation("UIVAN", ana.ID, t0)))
	f := must1[coach.Forgotten](t)(s.ForgetPerson(ana.ID))
	want := coach.Forgotten{Person: true, Ratings: 2, Challenges: 2, Plans: 1, PlanChanges: 1, Answers: 1, Colours: 1,
		Deliveries: 1, Preps: 2, Invitations: 1, LeftTeam: true, TotalRecords: 2 + 2 + 1 + 1 + 1 + 1 + 1 + 2 + 1 + 1 + 1}
	if f != want {
		t.Errorf("forgotten = %+v\nwant        %+v", f, want)
	}
	doc := toJSON(t, must1[storageExport](t)(s.ExportAll(t0)))
	containsNone(t, doc, ana.ID, anaNote, bossNoteAna, anaAnswer, anaHeadline, anaChallenge, anaAccepted)
	containsAll(t, doc, bobNote, bossNoteBob, bobAnswer, bobHeadline, bobProposal, bobColour)
	if rs, _ := s.Reports(boss.ID); len(rs) != 1 || rs[0].ID != bob.ID {
		t.Errorf("boss's team after ana left: %+v", rs)
	}
	if f, err := s.ForgetPerson(ana.ID); err != nil || !f.Empty() {
		t.Errorf("second forget = %+v, %v", f, err)
	}
	// Submission and event ids are kept: a repeat stays harmless.
	if _, err := s.AddAnswer(coach.Answer{Person: ana.ID, Text: anaAnswer, At: t0, EventID: "Ev1"}, nil); coach.ErrorCode(err) != coach.ECONFLICT {
		t.Errorf("a repeated event after forgetting = %v, want ErrDuplicate", err)
	}
}

func testForgetManager(t *testing.T, s Store) {
	boss, ana, bob := privacyFixture(t, s)
	f := must1[coach.Forgotten](t)(s.ForgetPerson(boss.ID))
	// Ratings: boss's own and the two boss gave. Challenges: the proposal
	// bob never answered; the one ana accepted stays hers, without author.
	want := coach.Forgotten{Person: true, Ratings: 3, Challenges: 1, Anonymised: 1, Deliveries: 1, Preps: 2, Reports: 2,
		TotalRecords: 3 + 1 + 1 + 1 + 2 + 2 + 1}
	if f != want {
		t.Errorf("forgotten = %+v\nwant        %+v", f, want)
	}
	for _, id := range []string{ana.ID, bob.ID} {
		p, found, _ := s.Person(id)
		if !found || p.Manager != "" || !p.ManagerSince.IsZero() {
			t.Errorf("%s after the manager left: %+v", id, p)
		}
	}
	doc := toJSON(t, must1[storageExport](t)(s.ExportAll(t0)))
	containsNone(t, doc, boss.ID, bossNoteAna, bossNoteBob, bobProposal)
	containsAll(t, doc, anaAccepted, anaNote, bobNote)
	if cs, _ := s.Challenges(ana.ID); len(cs) != 2 || cs[0].Text != anaAccepted || cs[0].By != "" || cs[0].Status != coach.ChallengeAccepted {
		t.Errorf("ana's challenges: %+v", cs)
	}
	if rs, _ := s.Reports(boss.ID); len(rs) != 0 {
		t.Errorf("a forgotten manager has reports: %+v", rs)
	}
}

func testForgetStranger(t *testing.T, s Store) {
	privacyFixture(t, s)
	before := toJSON(t, must1[storageExport](t)(s.ExportAll(t0)))
	for _, id := range []string{"UNOBODY", "UAN", ""} { // a prefix of someone's id must not match them
		if f, err := s.ForgetPerson(id); err != nil || !f.Empty() {
			t.Fatalf("forget %q = %+v, %v", id, f, err)
		}
	}
	if after := toJSON(t, must1[storageExport](t)(s.ExportAll(t0))); after != before {
		t.Error("forgetting a stranger changed the database")
	}
}
