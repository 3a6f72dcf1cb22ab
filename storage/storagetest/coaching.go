package storagetest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
)

func testRatingsAreATimeSeries(t *testing.T, s Store) {
	ana := coach.Person{ID: "U1", Name: "ana", EnrolledAt: t0}
	// Stored out of time order: read back oldest first.
	for _, i := range []int{2, 0, 1} {
		score := []int{5, 6, 8}[i]
		must1[[]coach.Rating](t)(s.AddRatings(ana, []coach.Rating{rating("U1", "U1", "planning", score, t0.AddDate(0, 0, 7*i))}, ""))
	}
	// Another area, another person whose id is a prefix: neither leaks in.
	must1[[]coach.Rating](t)(s.AddRatings(ana, []coach.Rating{rating("U1", "U1", "plan", 2, t0)}, ""))
	must1[[]coach.Rating](t)(s.AddRatings(coach.Person{ID: "U10"}, []coach.Rating{rating("U10", "U10", "planning", 9, t0)}, ""))
	got := must1[[]coach.Rating](t)(s.Ratings("U1", "planning"))
	if len(got) != 3 {
		t.Fatalf("got %d ratings, want 3: %+v", len(got), got)
	}
	for i, want := range []int{5, 6, 8} {
		if got[i].Score != want || got[i].Area != "planning" || got[i].Subject != "U1" {
			t.Errorf("rating %d = %+v, want score %d", i, got[i], want)
		}
		if !got[i].At.Equal(t0.AddDate(0, 0, 7*i)) || got[i].At.Location() != time.UTC {
			t.Errorf("rating %d at %v, want %v in UTC", i, got[i].At, t0.AddDate(0, 0, 7*i))
		}
	}
	if got[2].ID == 0 || got[2].ID >= got[0].ID || got[0].ID >= got[1].ID {
		t.Errorf("ids do not follow the order of saving (the third, first, second): %d, %d, %d", got[0].ID, got[1].ID, got[2].ID)
	}
	all := must1[[]coach.Rating](t)(s.Ratings("U1", ""))
	if len(all) != 4 || all[0].Area != "plan" || all[1].Area != "planning" {
		t.Errorf("all areas: %+v, want 4 grouped by area", all)
	}
	p, ok, err := s.Person("U1")
	if err != nil || !ok || p.Name != "ana" {
		t.Errorf("Person(U1) = %+v, %v, %v", p, ok, err)
	}
	// The manager's rating enrols the subject.
	must1[[]coach.Rating](t)(s.AddRatings(coach.Person{ID: "UBOSS"}, []coach.Rating{rating("U7", "UBOSS", "team", 4, t0)}, ""))
	if _, found, _ := s.Person("U7"); !found {
		t.Error("a rated person was not enrolled")
	}
}

func testAddRatingsIsAllOrNothing(t *testing.T, s Store) {
	good := rating("U1", "U1", "planning", 7, t0)
	bad := rating("U1", "U1", "team", 11, t0)
	if _, err := s.AddRatings(coach.Person{ID: "U1"}, []coach.Rating{good, bad}, "view-1"); coach.ErrorCode(err) != coach.EINVALID {
		t.Fatalf("AddRatings with a bad score = %v, want an invalid error", err)
	}
	if got, _ := s.Ratings("U1", ""); len(got) != 0 {
		t.Fatalf("half a change was stored: %+v", got)
	}
	if _, ok, _ := s.Person("U1"); ok {
		t.Error("the person was enrolled by a refused change")
	}
	if done, _ := s.Submitted("view-1"); done {
		t.Error("a refused change claimed its submission id")
	}
}

func testAddRatingsDedupe(t *testing.T, s Store) {
	r := []coach.Rating{rating("U1", "U1", "planning", 7, t0)}
	must1[[]coach.Rating](t)(s.AddRatings(coach.Person{ID: "U1"}, r, "view-1"))
	if _, err := s.AddRatings(coach.Person{ID: "U1"}, r, "view-1"); !errors.Is(err, coach.ErrDuplicate) {
		t.Fatalf("the same submission again = %v, want ErrDuplicate", err)
	}
	if got, _ := s.Ratings("U1", ""); len(got) != 1 {
		t.Fatalf("%d ratings after a repeat", len(got))
	}
	if done, err := s.Submitted("view-1"); !done || err != nil {
		t.Errorf("Submitted = %v, %v", done, err)
	}
}

func testTeams(t *testing.T, s Store) {
	boss, ana, bob := coach.Person{ID: "UBOSS"}, coach.Person{ID: "UANA", Name: "ana"}, coach.Person{ID: "UBOB"}
	ch := must1[coach.ManagerChange](t)(s.AssignManager(boss, ana, t0))
	if ch.Former != "" || ch.Already || ch.Person.Manager != "UBOSS" || ch.Person.Name != "ana" {
		t.Fatalf("AssignManager = %+v", ch)
	}
	must1[coach.ManagerChange](t)(s.AssignManager(boss, bob, t0))
	var te *coach.TeamError
	if _, err := s.AssignManager(ana, boss, t0); !errors.As(err, &te) || te.Reason != coach.RefuseCycle {
		t.Fatalf("cycle: %v", err)
	}
	if _, err := s.AssignManager(boss, ana, t0); !errors.As(err, &te) || te.Reason != coach.RefuseAlreadyYours {
		t.Fatalf("twice: %v", err)
	}
	if _, err := s.AssignManager(boss, boss, t0); !errors.As(err, &te) || te.Reason != coach.RefuseSelf {
		t.Fatalf("yourself: %v", err)
	}
	reports, _ := s.Reports("UBOSS")
	if len(reports) != 2 || reports[0].ID != "UANA" || reports[0].Manager != "UBOSS" || !reports[0].ManagerSince.Equal(t0) {
		t.Fatalf("reports = %+v", reports)
	}
	if err := s.RemoveReport("UBOB", "UANA"); !errors.Is(err, coach.ErrNotInTeam) {
		t.Fatalf("a stranger removed a report: %v", err)
	}
	must(t, s.RemoveReport("UBOSS", "UANA"))
	if m, err := s.LeaveTeam("UBOB"); err != nil || m != "UBOSS" {
		t.Fatalf("LeaveTeam = %q, %v", m, err)
	}
	if _, err := s.LeaveTeam("UBOB"); !errors.Is(err, coach.ErrNotInTeam) {
		t.Fatalf("leaving twice: %v", err)
	}
	if reports, _ := s.Reports("UBOSS"); len(reports) != 0 {
		t.Fatalf("after removal: %+v", reports)
	}
	p, _, _ := s.Person("UANA")
	if p.Manager != "" || p.Name != "ana" || !p.ManagerSince.IsZero() {
		t.Fatalf("ana after removal = %+v", p)
	}
	if rs, err := s.Reports(""); err != nil || len(rs) != 0 {
		t.Errorf("Reports(\"\") = %+v, %v", rs, err)
	}
}

func testInvitations(t *testing.T, s Store) {
	maya, ivan := coach.Person{ID: "UMAYA"}, coach.Person{ID: "UIVAN"}
	ana := coach.Person{ID: "UANA", Name: "ana"}
	must1[coach.Invitation](t)(s.Invite(maya, coach.NewInvitation("UMAYA", "UANA", t0)))
	if _, found, _ := s.Person("UANA"); found {
		t.Fatal("an invitation enrolled the person it invites")
	}
	if _, found, _ := s.Person("UMAYA"); !found {
		t.Fatal("inviting did not enrol the inviter")
	}
	open, err := s.Invite(maya, coach.NewInvitation("UMAYA", "UANA", t0.Add(time.Hour)))
	if !errors.Is(err, coach.ErrAlreadyInvited) || !open.At.Equal(t0) {
		t.Fatalf("second invitation: %+v %v", open, err)
	}
	if _, err := s.Invite(maya, coach.NewInvitation("UMAYA", "UMAYA", t0)); err == nil {
		t.Fatal("invited themselves")
	}
	must(t, s.SetInvitationMessage("UMAYA", "UANA", "D1", "1.2"))
	must(t, s.SetInvitationMessage("UMAYA", "UNOBODY", "D1", "1.3"))
	if got, _ := s.InvitationsFrom("UMAYA"); len(got) != 1 || got[0].Report != "UANA" || got[0].TS != "1.2" {
		t.Fatalf("InvitationsFrom = %+v", got)
	}
	must1[coach.Invitation](t)(s.Invite(ivan, coach.NewInvitation("UIVAN", "UANA", t0)))
	if got, _ := s.InvitationsTo("UANA"); len(got) != 2 || got[0].Manager != "UIVAN" || got[1].Manager != "UMAYA" {
		t.Fatalf("InvitationsTo = %+v, want ivan's then maya's", got)
	}

	// Accept: Maya becomes Ana's manager, the invitation is gone.
	ch, inv, err := s.AnswerInvitation(ana, "UMAYA", true, t0.Add(time.Hour))
	if err != nil || ch.Person.Manager != "UMAYA" || ch.Former != "" || inv.Manager != "UMAYA" || inv.Channel != "D1" {
		t.Fatalf("accept = %+v %+v %v", ch, inv, err)
	}
	if again, _, err := s.AnswerInvitation(ana, "UMAYA", true, t0.Add(2*time.Hour)); err != nil || !again.Already {
		t.Fatalf("accepting twice = %+v %v", again, err)
	}
	if _, _, err := s.AnswerInvitation(ana, "UMAYA", false, t0.Add(2*time.Hour)); !errors.Is(err, coach.ErrInvitationGone) {
		t.Fatalf("declining after accepting: %v", err)
	}
	// Ivan's invitation is still open; accepting moves her and Maya loses
	// her in the same transaction.
	moved, _, err := s.AnswerInvitation(ana, "UIVAN", true, t0.Add(3*time.Hour))
	if err != nil || moved.Former != "UMAYA" || moved.Person.Manager != "UIVAN" || !moved.Person.ManagerSince.Equal(t0.Add(3*time.Hour)) {
		t.Fatalf("move = %+v %v", moved, err)
	}
	if rs, _ := s.Reports("UMAYA"); len(rs) != 0 {
		t.Fatalf("the former manager still has %+v", rs)
	}
	// Ana's report can't invite her: that would be a cycle.
	must1[coach.ManagerChange](t)(s.AssignManager(coach.Person{ID: "UANA"}, coach.Person{ID: "UCLEO"}, t0))
	var te *coach.TeamError
	if _, err := s.Invite(coach.Person{ID: "UCLEO"}, coach.NewInvitation("UCLEO", "UANA", t0)); !errors.As(err, &te) || te.Reason != coach.RefuseCycle {
		t.Fatalf("a cycle by invitation: %v", err)
	}

	// Expired: refused and removed. Declined and withdrawn: removed.
	bob := coach.Person{ID: "UBOB"}
	must1[coach.Invitation](t)(s.Invite(maya, coach.NewInvitation("UMAYA", "UBOB", t0)))
	if _, _, err := s.AnswerInvitation(bob, "UMAYA", true, t0.Add(coach.InvitationLifetime)); !errors.Is(err, coach.ErrInvitationExpired) {
		t.Fatalf("expired: %v", err)
	}
	if got, _ := s.InvitationsTo("UBOB"); len(got) != 0 {
		t.Fatalf("expired invitation kept: %+v", got)
	}
	// An expired invitation is replaced by a new one.
	must1[coach.Invitation](t)(s.Invite(maya, coach.NewInvitation("UMAYA", "UBOB", t0)))
	renewed := must1[coach.Invitation](t)(s.Invite(maya, coach.NewInvitation("UMAYA", "UBOB", t0.Add(coach.InvitationLifetime))))
	if !renewed.At.Equal(t0.Add(coach.InvitationLifetime)) {
		t.Fatalf("renewed = %+v", renewed)
	}
	must2(t)(s.AnswerInvitation(bob, "UMAYA", false, t0.Add(coach.InvitationLifetime+time.Hour)))
	if p, found, _ := s.Person("UBOB"); found && p.Manager != "" {
		t.Fatalf("declining linked %+v", p)
	}
	must1[coach.Invitation](t)(s.Invite(maya, coach.NewInvitation("UMAYA", "UBOB", t0)))
	must1[coach.Invitation](t)(s.WithdrawInvitation("UMAYA", "UBOB"))
	if _, err := s.WithdrawInvitation("UMAYA", "UBOB"); !errors.Is(err, coach.ErrNotInvited) {
		t.Fatalf("withdrawing twice: %v", err)
	}
	if got, _ := s.InvitationsFrom("UMAYA"); len(got) != 0 {
		t.Fatalf("after withdrawal: %+v", got)
	}
}

func must2(t *testing.T) func(coach.ManagerChange, coach.Invitation, error) {
	return func(_ coach.ManagerChange, _ coach.Invitation, err error) {
		t.Helper()
		must(t, err)
	}
}

func orgPerson(id string) coach.OrgPerson {
	return coach.OrgPerson{ID: id, Name: strings.ToLower(id[1:]), TZ: "Europe/Berlin"}
}

func change(line int, report, manager string) coach.OrgChange {
	return coach.OrgChange{Line: line, Report: orgPerson(report), Manager: orgPerson(manager)}
}

func testApplyOrg(t *testing.T, s Store) {
	must1[coach.ManagerChange](t)(s.AssignManager(coach.Person{ID: "UOLD", Name: "old"}, coach.Person{ID: "UR0_0", Name: "r0_0"}, t0.AddDate(0, -1, 0)))
	must1[coach.ManagerChange](t)(s.AssignManager(coach.Person{ID: "UM1", Name: "m1"}, coach.Person{ID: "UR1_0", Name: "r1_0"}, t0.AddDate(0, -1, 0)))
	must1[coach.Invitation](t)(s.Invite(coach.Person{ID: "UM2"}, coach.NewInvitation("UM2", "UR2_0", t0.AddDate(0, 0, -1))))
	var changes []coach.OrgChange
	line := 2
	for m := range 3 {
		changes = append(changes, change(line, fmt.Sprintf("UM%d", m), "UHEAD"))
		line++
		for r := range 3 {
			changes = append(changes, change(line, fmt.Sprintf("UR%d_%d", m, r), fmt.Sprintf("UM%d", m)))
			line++
		}
	}
	got := must1[[]coach.ManagerChange](t)(s.ApplyOrg(changes, t0))
	if people, _ := s.People(); len(people) != 14 { // 13 and the old manager
		t.Errorf("%d people stored, want 14", len(people))
	}
	for i, c := range changes {
		p, found, err := s.Person(c.Report.ID)
		if err != nil || !found || p.Manager != c.Manager.ID || p.Name != c.Report.Name {
			t.Errorf("line %d: stored %+v %v %v", c.Line, p, found, err)
		}
		if got[i].Person.ID != c.Report.ID {
			t.Errorf("result %d is about %s, want %s", i, got[i].Person.ID, c.Report.ID)
		}
	}
	if rs, _ := s.Reports("UHEAD"); len(rs) != 3 {
		t.Errorf("the head has %d reports, want 3", len(rs))
	}
	if moved := got[1]; moved.Person.ID != "UR0_0" || moved.Former != "UOLD" || moved.Already || !moved.Person.ManagerSince.Equal(t0) {
		t.Errorf("moved: %+v", moved)
	}
	if rs, _ := s.Reports("UOLD"); len(rs) != 0 {
		t.Errorf("the former manager still has %d reports", len(rs))
	}
	if kept := got[5]; kept.Person.ID != "UR1_0" || !kept.Already || kept.Former != "UM1" || kept.Person.ManagerSince.Equal(t0) {
		t.Errorf("kept: %+v", kept)
	}
	if invs, _ := s.InvitationsFrom("UM2"); len(invs) != 0 {
		t.Errorf("invitations left: %+v", invs)
	}
}

func testApplyOrgReorganisation(t *testing.T, s Store) {
	must1[coach.ManagerChange](t)(s.AssignManager(coach.Person{ID: "UANA"}, coach.Person{ID: "UBOB"}, t0))
	got := must1[[]coach.ManagerChange](t)(s.ApplyOrg([]coach.OrgChange{change(2, "UANA", "UBOB"), change(3, "UBOB", "UMAYA")}, t0))
	if got[0].Former != "" || got[1].Former != "UANA" {
		t.Errorf("formers: %+v", got)
	}
	for id, want := range map[string]string{"UANA": "UBOB", "UBOB": "UMAYA", "UMAYA": ""} {
		if p, _, _ := s.Person(id); p.Manager != want {
			t.Errorf("%s reports to %q, want %q", id, p.Manager, want)
		}
	}
}

func testApplyOrgAllOrNothing(t *testing.T, s Store) {
	must1[coach.ManagerChange](t)(s.AssignManager(coach.Person{ID: "UMAYA"}, coach.Person{ID: "UANA"}, t0))
	must1[coach.ManagerChange](t)(s.AssignManager(coach.Person{ID: "UBOB"}, coach.Person{ID: "UCLEO"}, t0))
	before := must1[storageExport](t)(s.ExportAll(t0))
	for _, tc := range []struct {
		changes []coach.OrgChange
		want    string
		reason  coach.TeamRefusal
	}{
		{[]coach.OrgChange{change(2, "UCLEO", "UMAYA"), change(3, "UDAN", "UMAYA"), change(4, "UMAYA", "UANA")}, "line 4: make UANA the manager of UMAYA", coach.RefuseCycle},
		{[]coach.OrgChange{change(2, "UCLEO", "UMAYA"), change(3, "UDAN", "UDAN")}, "line 3: make UDAN the manager of UDAN", coach.RefuseSelf},
		{[]coach.OrgChange{change(2, "UCLEO", "UMAYA"), change(5, "UCLEO", "UBOB")}, "line 5: UCLEO is already on line 2", 0},
	} {
		_, err := s.ApplyOrg(tc.changes, t0.AddDate(0, 0, 1))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "nothing was changed") {
			t.Errorf("got %v, want %q", err, tc.want)
		}
		var te *coach.TeamError
		if tc.reason != 0 && (!errors.As(err, &te) || te.Reason != tc.reason) {
			t.Errorf("got %v, want reason %v", err, tc.reason)
		}
	}
	if after := must1[storageExport](t)(s.ExportAll(t0)); !reflect.DeepEqual(before, after) {
		t.Errorf("the database changed:\nbefore %+v\nafter  %+v", before, after)
	}
}

func testChallenges(t *testing.T, s Store) {
	set := func(c coach.Challenge) coach.Challenge {
		t.Helper()
		return must1[coach.Challenge](t)(s.AddChallenge(c))
	}
	own := set(coach.Challenge{Subject: "U1", By: "U1", Text: "Lead discovery", Status: coach.ChallengeSet, At: t0})
	prop := set(coach.Challenge{Subject: "U1", By: "UBOSS", Text: "Lead H2 planning", Status: coach.ChallengeProposed, At: t0.Add(time.Hour)})
	if own.ID == 0 || prop.ID <= own.ID {
		t.Errorf("ids %d, %d", own.ID, prop.ID)
	}
	if _, err := s.AcceptChallenge("U2", prop.ID, t0); !errors.Is(err, coach.ErrNoProposal) {
		t.Fatalf("someone else accepted the proposal: %v", err)
	}
	if _, err := s.AcceptChallenge("U1", own.ID, t0); !errors.Is(err, coach.ErrNoProposal) {
		t.Fatalf("accepted a challenge that was not a proposal: %v", err)
	}
	acc := must1[coach.Challenge](t)(s.AcceptChallenge("U1", prop.ID, t0.Add(2*time.Hour)))
	if acc.Status != coach.ChallengeAccepted || !acc.DecidedAt.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("accepted = %+v", acc)
	}
	// Two proposals in a row: the newer replaces the older. Then the person
	// writes their own: the waiting proposal is replaced too.
	set(coach.Challenge{Subject: "U1", By: "UBOSS", Text: "Run the offsite", Status: coach.ChallengeProposed, At: t0.Add(3 * time.Hour)})
	set(coach.Challenge{Subject: "U1", By: "UBOSS", Text: "Run two offsites", Status: coach.ChallengeProposed, At: t0.Add(4 * time.Hour)})
	set(coach.Challenge{Subject: "U1", By: "U1", Text: "Mentor a junior PM", Status: coach.ChallengeSet, At: t0.Add(5 * time.Hour)})
	h := must1[[]coach.Challenge](t)(s.Challenges("U1"))
	wantStatus := []coach.ChallengeStatus{coach.ChallengeSet, coach.ChallengeAccepted, coach.ChallengeReplaced, coach.ChallengeReplaced, coach.ChallengeSet}
	if len(h) != len(wantStatus) {
		t.Fatalf("history has %d entries, want %d", len(h), len(wantStatus))
	}
	for i, w := range wantStatus {
		if h[i].Status != w {
			t.Errorf("entry %d (%q) status %s, want %s", i, h[i].Text, h[i].Status, w)
		}
	}
	if !h[2].DecidedAt.Equal(t0.Add(4*time.Hour)) || !h[3].DecidedAt.Equal(t0.Add(5*time.Hour)) {
		t.Errorf("replaced at %v and %v", h[2].DecidedAt, h[3].DecidedAt)
	}
	cur, pending := coach.CurrentChallenge(h)
	if cur.Text != "Mentor a junior PM" || pending != nil {
		t.Errorf("current %q, pending %v", cur.Text, pending)
	}
	if _, err := s.AddChallenge(coach.Challenge{Subject: "U1", Text: "", At: t0}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("empty challenge stored: %v", err)
	}
	if h, _ := s.Challenges("U"); len(h) != 0 {
		t.Errorf("a prefix of the id matched: %+v", h)
	}
}

// editFrom returns an edit that sets p when the stored plan is at version
// base, and refuses with coach.ErrPlanChanged otherwise.
func editFrom(p coach.Plan, base int, at time.Time) coach.PlanEdit {
	return func(old coach.Plan) (coach.Plan, coach.PlanChange, error) {
		if old.Version != base {
			return coach.Plan{}, coach.PlanChange{}, coach.ErrPlanChanged
		}
		return p, coach.PlanChange{By: "U1", At: at, Changes: []string{"edit"}}, nil
	}
}

func testUpdatePlan(t *testing.T, s Store) {
	if _, found, err := s.Plan("U1"); found || err != nil {
		t.Fatalf("Plan before any = %v, %v", found, err)
	}
	first := coach.Plan{Headline: "Grow", Horizon: t0.AddDate(0, 6, 0), Themes: []coach.Theme{{ID: "t1", Area: "team", Title: "Talks", Actions: []coach.Action{{ID: "a1", Text: "Role-play"}}}}}
	p, err := s.UpdatePlan("U1", "view-1", editFrom(first, 0, t0))
	if err != nil || p.Version != 1 || p.Owner != "U1" {
		t.Fatalf("first save = %+v, %v", p, err)
	}
	if _, err := s.UpdatePlan("U1", "view-1", editFrom(first, 1, t0)); !errors.Is(err, coach.ErrDuplicate) {
		t.Fatalf("second submission of the same form: %v", err)
	}
	second := first
	second.Headline = "Grow faster"
	if _, err := s.UpdatePlan("U1", "view-2", editFrom(second, 0, t0)); !errors.Is(err, coach.ErrPlanChanged) {
		t.Fatalf("stale edit: %v", err)
	}
	if done, _ := s.Submitted("view-2"); done {
		t.Error("a refused edit claimed its submission id")
	}
	must1[coach.Plan](t)(s.UpdatePlan("U1", "view-2", editFrom(second, 1, t0.Add(time.Hour))))
	got, found, _ := s.Plan("U1")
	if !found || got.Headline != "Grow faster" || got.Version != 2 || !got.Horizon.Equal(first.Horizon) || len(got.Themes) != 1 || got.Themes[0].Actions[0].Text != "Role-play" {
		t.Fatalf("stored plan = %+v", got)
	}
	h := must1[[]coach.PlanChange](t)(s.PlanHistory("U1"))
	if len(h) != 2 || h[0].Version != 1 || h[1].Version != 2 || h[1].By != "U1" || h[1].Owner != "U1" || !h[1].At.Equal(t0.Add(time.Hour)) {
		t.Fatalf("history = %+v", h)
	}
}

func testShareAnswerWithManagerAtThatTime(t *testing.T, s Store) {
	ana := coach.Person{ID: "UANA"}
	must1[coach.Person](t)(s.Enroll(ana))
	a := must1[coach.Answer](t)(s.AddAnswer(coach.Answer{Person: "UANA", QuestionID: "q", Text: "private", At: t0}, nil))
	if _, err := s.SetAnswerShared("UANA", a.ID, true, t0); !errors.Is(err, coach.ErrNoManagerToShare) {
		t.Fatalf("shared with nobody: %v", err)
	}
	if _, err := s.SetAnswerShared("UBOB", a.ID, true, t0); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Fatalf("someone else shared ana's answer: %v", err)
	}
	must1[coach.ManagerChange](t)(s.AssignManager(coach.Person{ID: "UOLGA"}, ana, t0))
	shared, err := s.SetAnswerShared("UANA", a.ID, true, t0.Add(time.Hour))
	if err != nil || shared.SharedWith != "UOLGA" || !shared.SharedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("shared = %+v, %v", shared, err)
	}
	// A new manager does not inherit it.
	must1[coach.ManagerChange](t)(s.AssignManager(coach.Person{ID: "UMAYA"}, ana, t0.Add(2*time.Hour)))
	as := must1[[]coach.Answer](t)(s.Answers("UANA"))
	if len(as) != 1 || as[0].SharedWith != "UOLGA" {
		t.Fatalf("answers = %+v", as)
	}
	// Taking it back.
	back := must1[coach.Answer](t)(s.SetAnswerShared("UANA", a.ID, false, t0.Add(3*time.Hour)))
	if back.Shared() || !back.SharedAt.IsZero() {
		t.Fatalf("taken back = %+v", back)
	}
}

func testAnswerDedupeAndMarksDelivery(t *testing.T, s Store) {
	ds := must1[[]coach.Delivery](t)(s.QueueDeliveries([]coach.Delivery{{Person: "U1", Cadence: coach.CadenceQuestion, Period: "q1", Due: t0}}))
	a := coach.Answer{Person: "U1", QuestionID: "q", Text: "first", At: t0.Add(time.Minute), EventID: "Ev1"}
	first := must1[coach.Answer](t)(s.AddAnswer(a, &ds[0]))
	if _, err := s.AddAnswer(a, &ds[0]); !errors.Is(err, coach.ErrDuplicate) {
		t.Fatalf("the same event again: %v", err)
	}
	second := must1[coach.Answer](t)(s.AddAnswer(coach.Answer{Person: "U1", QuestionID: "q", Text: "second", At: t0.Add(time.Hour), EventID: "Ev2"}, &ds[0]))
	if first.ID == 0 || second.ID <= first.ID {
		t.Errorf("ids %d, %d", first.ID, second.ID)
	}
	as := must1[[]coach.Answer](t)(s.Answers("U1"))
	if len(as) != 2 || as[0].Text != "first" || as[1].Text != "second" {
		t.Fatalf("answers = %+v", as)
	}
	d, _, _ := s.Delivery("U1", coach.CadenceQuestion, "q1")
	if !d.Answered || !d.AnsweredAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("delivery = %+v, want answered at the first answer", d)
	}
	// An answer to a delivery that is gone is still kept.
	must1[coach.Answer](t)(s.AddAnswer(coach.Answer{Person: "U1", Text: "late", At: t0}, &coach.Delivery{Person: "U1", Cadence: coach.CadenceQuestion, Period: "gone"}))
}
