package storagetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/storage"
)

// Run runs the whole suite; open returns an empty store for one test.
func Run(t *testing.T, open func(t *testing.T) Store) {
	for _, tc := range []struct {
		name string
		test func(t *testing.T, s Store)
	}{
		{"Version", testVersion},
		{"Enroll", testEnroll},
		{"UpdatePerson", testUpdatePerson},
		{"RatingsAreATimeSeries", testRatingsAreATimeSeries},
		{"AddRatingsIsAllOrNothing", testAddRatingsIsAllOrNothing},
		{"AddRatingsDedupe", testAddRatingsDedupe},
		{"Teams", testTeams},
		{"Invitations", testInvitations},
		{"ApplyOrg", testApplyOrg},
		{"ApplyOrgReorganisation", testApplyOrgReorganisation},
		{"ApplyOrgAllOrNothing", testApplyOrgAllOrNothing},
		{"ShareAnswerWithManagerAtThatTime", testShareAnswerWithManagerAtThatTime},
		{"AnswerDedupeAndMarksDelivery", testAnswerDedupeAndMarksDelivery},
		{"UpdateAndDeleteAnswer", testUpdateAndDeleteAnswer},
		{"ClaimEventOnce", testClaimEventOnce},
		{"Challenges", testChallenges},
		{"UpdatePlan", testUpdatePlan},
		{"LedgerStates", testLedgerStates},
		{"DeliveriesSince", testDeliveriesSince},
		{"Colours", testColours},
		{"Preps", testPreps},
		{"ExportPersonHoldsOnlyTheirOwnData", testExportPerson},
		{"ExportAll", testExportAll},
		{"ForgetReport", testForgetReport},
		{"ForgetManager", testForgetManager},
		{"ForgetStranger", testForgetStranger},
		{"DueMarks", testDueMarks},
		{"DueSeenKeepsLaterMarks", testDueSeenKeepsLaterMarks},
		{"DueMarksRaceTicks", testDueMarksRaceTicks},
		{"ResetDue", testResetDue},
		{"DueChanged", testDueChanged},
		{"FoldLedgerKeepsQuarterCounts", testFoldLedger},
		{"Expire", testExpire},
		{"Probe", testProbe},
		{"ConcurrentQueueOwesOnce", testConcurrentQueue},
		{"ConcurrentClaimOfADelivery", testConcurrentClaim},
		{"ConcurrentSubmissions", testConcurrentSubmissions},
		{"ConcurrentPlanEdits", testConcurrentPlanEdits},
		{"ConcurrentOppositeAssignments", testConcurrentOppositeAssignments},
		{"ConcurrentInvitationAnswers", testConcurrentInvitationAnswers},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, open(t))
		})
	}
}

// t0 is in a zone other than UTC, so a backend that loses the offset of a
// stored time shows it.
var t0 = time.Date(2026, 11, 2, 9, 30, 0, 0, time.FixedZone("CET", 3600))

func rating(subject, rater, area string, score int, at time.Time) coach.Rating {
	return coach.Rating{Subject: subject, Rater: rater, Area: area, Score: score, At: at, Via: coach.SurfaceCommand}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func must1[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func testVersion(t *testing.T, s Store) {
	v, err := s.Version()
	if err != nil || v < 1 {
		t.Fatalf("Version = %d, %v", v, err)
	}
}

func testEnroll(t *testing.T, s Store) {
	p := must1[coach.Person](t)(s.Enroll(coach.Person{ID: "U1", EnrolledAt: t0}))
	if p.ID != "U1" || p.Name != "" {
		t.Fatalf("Enroll = %+v", p)
	}
	// A name learnt later is filled in; nothing else changes.
	p = must1[coach.Person](t)(s.Enroll(coach.Person{ID: "U1", Name: "ana", TZ: "Europe/Berlin", EnrolledAt: t0.Add(time.Hour)}))
	if p.Name != "ana" || p.TZ != "" || !p.EnrolledAt.Equal(t0) {
		t.Fatalf("second Enroll = %+v", p)
	}
	p = must1[coach.Person](t)(s.Enroll(coach.Person{ID: "U1", Name: "other"}))
	if p.Name != "ana" {
		t.Fatalf("a name was overwritten: %+v", p)
	}
	must(t, s.EnrollAll([]coach.Person{{ID: "U3"}, {ID: "U10"}, {ID: "U1", Name: "x"}, {ID: "U2"}}))
	people := must1[[]coach.Person](t)(s.People())
	var ids []string
	for _, p := range people {
		ids = append(ids, p.ID)
	}
	if got := fmt.Sprint(ids); got != "[U1 U10 U2 U3]" {
		t.Errorf("People in order %s, want [U1 U10 U2 U3] (byte order)", got)
	}
	if _, found, err := s.Person("UNOBODY"); found || err != nil {
		t.Errorf("Person(UNOBODY) = %v, %v", found, err)
	}
}

func testUpdatePerson(t *testing.T, s Store) {
	until := t0.AddDate(0, 0, 14)
	p := must1[coach.Person](t)(s.UpdatePerson(coach.Person{ID: "U1", Name: "ana"}, func(p *coach.Person) error {
		p.PausedUntil = until
		return nil
	}))
	if p.Name != "ana" || !p.PausedUntil.Equal(until) {
		t.Fatalf("UpdatePerson = %+v", p)
	}
	refused := coach.Errorf(coach.EINVALID, "no")
	if _, err := s.UpdatePerson(coach.Person{ID: "U1"}, func(p *coach.Person) error {
		p.NudgesOff = true
		return refused
	}); !errors.Is(err, refused) {
		t.Fatalf("refused update = %v", err)
	}
	must(t, s.SetDMChannel("U1", "D1"))
	must(t, s.SetDMChannel("UNOBODY", "D2"))
	got, _, _ := s.Person("U1")
	if got.NudgesOff || got.DMChannel != "D1" || !got.PausedUntil.Equal(until) {
		t.Errorf("stored %+v", got)
	}
	if _, found, _ := s.Person("UNOBODY"); found {
		t.Error("SetDMChannel enrolled a stranger")
	}
}

type (
	storageExport       = storage.Export
	storagePersonExport = storage.PersonExport
)
