package storage

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/microcoach/microcoach/coach"
)

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

func TestExportPersonHoldsOnlyTheirOwnData(t *testing.T) {
	db := openTest(t)
	boss, ana, _ := privacyFixture(t, db)

	e, found, err := db.ExportPerson(ana.ID, t0)
	if err != nil || !found {
		t.Fatalf("ExportPerson = %v, %v", found, err)
	}
	doc := toJSON(t, e)
	containsAll(t, doc, anaNote, bossNoteAna, anaAnswer, anaHeadline, anaChallenge, anaAccepted, `"format":"microcoach-export"`)
	containsNone(t, doc, bobNote, bossNoteBob, bobAnswer, bobHeadline, bobProposal, bobColour, "UBOB")
	if e.Manager != boss.ID || len(e.Reports) != 0 || len(e.Ratings) != 2 || len(e.Answers) != 1 || len(e.Colours) != 1 ||
		e.Plan == nil || len(e.PlanHistory) != 1 || len(e.Challenges) != 2 || len(e.Ledger) != 1 || len(e.Preps) != 1 {
		t.Errorf("ana's export: %s", doc)
	}

	// The manager's export names the reports and holds the ratings and
	// proposals the manager wrote, but nothing the reports wrote.
	e, _, err = db.ExportPerson(boss.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	doc = toJSON(t, e)
	containsAll(t, doc, bossNoteAna, bossNoteBob, bobProposal, anaAccepted)
	containsNone(t, doc, anaNote, bobNote, anaAnswer, bobAnswer, anaHeadline, bobHeadline, anaChallenge, bobColour)
	if !slices.Equal(e.Reports, []string{"UANA", "UBOB"}) || len(e.RatingsGiven) != 2 || len(e.Ratings) != 1 || len(e.Proposed) != 2 || len(e.Preps) != 2 {
		t.Errorf("boss's export: %s", doc)
	}

	if _, found, err := db.ExportPerson("UNOBODY", t0); found || err != nil {
		t.Errorf("a stranger's export: found=%v err=%v", found, err)
	}
	raw, found, err := db.ExportPersonJSON(ana.ID, t0)
	if err != nil || !found || !json.Valid(raw) {
		t.Fatalf("ExportPersonJSON: %v %v %s", found, err, raw)
	}
}

func TestExportAll(t *testing.T) {
	db := openTest(t)
	privacyFixture(t, db)
	e, err := db.ExportAll(t0)
	if err != nil {
		t.Fatal(err)
	}
	if e.SchemaVersion != SchemaVersion || len(e.People) != 3 || len(e.TeamLinks) != 2 || len(e.Ratings) != 5 ||
		len(e.Challenges) != 3 || len(e.Plans) != 2 || len(e.PlanHistory) != 2 || len(e.Answers) != 2 ||
		len(e.Colours) != 2 || len(e.Ledger) != 3 || len(e.Preps) != 3 {
		t.Errorf("export: %s", toJSON(t, e))
	}
	// An empty database exports empty lists, not nulls.
	empty, err := openTest(t).ExportAll(t0)
	if err != nil {
		t.Fatal(err)
	}
	if doc := toJSON(t, empty); strings.Contains(doc, "null") {
		t.Errorf("empty export has nulls: %s", doc)
	}
}

func TestForgetReport(t *testing.T) {
	db := openTest(t)
	boss, ana, bob := privacyFixture(t, db)
	f, err := db.ForgetPerson(ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := coach.Forgotten{Person: true, Ratings: 2, Challenges: 2, Plans: 1, PlanChanges: 1, Answers: 1, Colours: 1,
		Deliveries: 1, Preps: 2, LeftTeam: true, TotalRecords: 2 + 2 + 1 + 1 + 1 + 1 + 1 + 2 + 1 + 1}
	if f != want {
		t.Errorf("forgotten = %+v\nwant        %+v", f, want)
	}
	all, err := db.ExportAll(t0)
	if err != nil {
		t.Fatal(err)
	}
	doc := toJSON(t, all)
	containsNone(t, doc, ana.ID, anaNote, bossNoteAna, anaAnswer, anaHeadline, anaChallenge, anaAccepted)
	containsAll(t, doc, bobNote, bossNoteBob, bobAnswer, bobHeadline, bobProposal, bobColour)
	if rs, _ := db.Reports(boss.ID); len(rs) != 1 || rs[0].ID != bob.ID {
		t.Errorf("boss's team after ana left: %+v", rs)
	}
	// Forgetting again finds nothing.
	if f, err := db.ForgetPerson(ana.ID); err != nil || !f.Empty() {
		t.Errorf("second forget = %+v, %v", f, err)
	}
}

func TestForgetManager(t *testing.T) {
	db := openTest(t)
	boss, ana, bob := privacyFixture(t, db)
	f, err := db.ForgetPerson(boss.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Ratings: boss's own and the two boss gave. Challenges: the proposal
	// bob never answered; the one ana accepted stays hers, without author.
	want := coach.Forgotten{Person: true, Ratings: 3, Challenges: 1, Anonymised: 1, Deliveries: 1, Preps: 2, Reports: 2,
		TotalRecords: 3 + 1 + 1 + 1 + 2 + 2 + 1}
	if f != want {
		t.Errorf("forgotten = %+v\nwant        %+v", f, want)
	}
	for _, id := range []string{ana.ID, bob.ID} {
		p, found, _ := db.Person(id)
		if !found || p.Manager != "" || !p.ManagerSince.IsZero() {
			t.Errorf("%s after the manager left: %+v", id, p)
		}
	}
	doc := toJSON(t, mustExportAll(t, db))
	containsNone(t, doc, boss.ID, bossNoteAna, bossNoteBob, bobProposal)
	containsAll(t, doc, anaAccepted, anaNote, bobNote)
	if cs, _ := db.Challenges(ana.ID); len(cs) != 2 || cs[0].Text != anaAccepted || cs[0].By != "" || cs[0].Status != coach.ChallengeAccepted {
		t.Errorf("ana's challenges: %+v", cs)
	}
}

func TestForgetStranger(t *testing.T) {
	db := openTest(t)
	privacyFixture(t, db)
	before := toJSON(t, mustExportAll(t, db))
	if f, err := db.ForgetPerson("UNOBODY"); err != nil || !f.Empty() {
		t.Fatalf("forget = %+v, %v", f, err)
	}
	// A prefix of someone's id must not match them.
	if f, err := db.ForgetPerson("UAN"); err != nil || !f.Empty() {
		t.Fatalf("forget prefix = %+v, %v", f, err)
	}
	if after := toJSON(t, mustExportAll(t, db)); after != before {
		t.Error("forgetting a stranger changed the database")
	}
}

func mustExportAll(t *testing.T, db *DB) Export {
	t.Helper()
	e, err := db.ExportAll(t0)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestEveryBucketIsCoveredByExportAndForget fails when a bucket is added:
// decide what ExportAll, ExportPerson and ForgetPerson do with its records,
// then add it here.
func TestEveryBucketIsCoveredByExportAndForget(t *testing.T) {
	covered := map[string]string{
		"meta":            "schema version only",
		"people":          "exported; forgotten",
		"reports":         "exported as team_links; forgotten both ways",
		"ratings":         "exported; forgotten (of and by)",
		"challenges":      "exported; forgotten (of, and proposals by)",
		"plans":           "exported; forgotten",
		"plan_history":    "exported; forgotten",
		"submissions":     "ids of Slack deliveries only; kept",
		"ledger":          "exported; forgotten",
		"answers":         "exported; forgotten",
		"colours":         "exported; forgotten",
		"preps":           "exported; forgotten (by and about)",
		"invites":         "exported; forgotten (to and from)",
		"invites_sent":    "index of invites; forgotten with them",
		"due":             "scheduler's index of when people are due (ids and times only); forgotten",
		"due_by":          "reverse of due; forgotten with it",
		"open":            "index of unfinished ledger entries (keys only); forgotten",
		"ledger_quarters": "ledger counts folded by retention; exported; forgotten",
	}
	db := openTest(t)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			if _, ok := covered[string(name)]; !ok {
				t.Errorf("bucket %q is new: make storage/export.go and storage/forget.go handle it, then list it here", name)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
