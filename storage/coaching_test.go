package storage

import (
	"errors"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
)

func TestTeams(t *testing.T) {
	db := openTest(t)
	boss, ana, bob := coach.Person{ID: "UBOSS"}, coach.Person{ID: "UANA", Name: "ana"}, coach.Person{ID: "UBOB"}
	if _, err := db.AssignManager(boss, ana, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AssignManager(boss, bob, t0); err != nil {
		t.Fatal(err)
	}
	// Boss can't report to Ana (cycle), nor be assigned twice.
	var te *coach.TeamError
	if _, err := db.AssignManager(ana, boss, t0); !errors.As(err, &te) || te.Reason != coach.RefuseCycle {
		t.Fatalf("cycle: %v", err)
	}
	if _, err := db.AssignManager(boss, ana, t0); !errors.As(err, &te) || te.Reason != coach.RefuseAlreadyYours {
		t.Fatalf("twice: %v", err)
	}
	reports, _ := db.Reports("UBOSS")
	if len(reports) != 2 || reports[0].ID != "UANA" || reports[0].Manager != "UBOSS" || !reports[0].ManagerSince.Equal(t0) {
		t.Fatalf("reports = %+v", reports)
	}
	if err := db.RemoveReport("UBOB", "UANA"); !errors.Is(err, coach.ErrNotInTeam) {
		t.Fatalf("a stranger removed a report: %v", err)
	}
	if err := db.RemoveReport("UBOSS", "UANA"); err != nil {
		t.Fatal(err)
	}
	if m, err := db.LeaveTeam("UBOB"); err != nil || m != "UBOSS" {
		t.Fatalf("LeaveTeam = %q, %v", m, err)
	}
	if _, err := db.LeaveTeam("UBOB"); !errors.Is(err, coach.ErrNotInTeam) {
		t.Fatalf("leaving twice: %v", err)
	}
	if reports, _ := db.Reports("UBOSS"); len(reports) != 0 {
		t.Fatalf("after removal: %+v", reports)
	}
	p, _, _ := db.Person("UANA")
	if p.Manager != "" || p.Name != "ana" {
		t.Fatalf("ana after removal = %+v", p)
	}
}

func TestInvitations(t *testing.T) {
	db := openTest(t)
	maya, ivan := coach.Person{ID: "UMAYA"}, coach.Person{ID: "UIVAN"}
	ana := coach.Person{ID: "UANA", Name: "ana"}
	if _, err := db.Invite(maya, coach.NewInvitation("UMAYA", "UANA", t0)); err != nil {
		t.Fatal(err)
	}
	// Invited is not enrolled, let alone managed.
	if _, found, _ := db.Person("UANA"); found {
		t.Fatal("an invitation enrolled the person it invites")
	}
	if _, err := db.Invite(maya, coach.NewInvitation("UMAYA", "UANA", t0.Add(time.Hour))); !errors.Is(err, coach.ErrAlreadyInvited) {
		t.Fatalf("second invitation: %v", err)
	}
	if _, err := db.Invite(maya, coach.NewInvitation("UMAYA", "UMAYA", t0)); err == nil {
		t.Fatal("invited themselves")
	}
	if got, _ := db.InvitationsFrom("UMAYA"); len(got) != 1 || got[0].Report != "UANA" {
		t.Fatalf("InvitationsFrom = %+v", got)
	}

	// Accept: Maya becomes Ana's manager, the invitation is gone.
	ch, inv, err := db.AnswerInvitation(ana, "UMAYA", true, t0.Add(time.Hour))
	if err != nil || ch.Person.Manager != "UMAYA" || ch.Former != "" || inv.Manager != "UMAYA" {
		t.Fatalf("accept = %+v %+v %v", ch, inv, err)
	}
	if again, _, err := db.AnswerInvitation(ana, "UMAYA", true, t0.Add(2*time.Hour)); err != nil || !again.Already {
		t.Fatalf("accepting twice = %+v %v", again, err)
	}
	if _, _, err := db.AnswerInvitation(ana, "UMAYA", false, t0.Add(2*time.Hour)); !errors.Is(err, coach.ErrInvitationGone) {
		t.Fatalf("declining after accepting: %v", err)
	}

	// Ivan invites Ana; accepting moves her and Maya loses her in the
	// same transaction.
	if _, err := db.Invite(ivan, coach.NewInvitation("UIVAN", "UANA", t0)); err != nil {
		t.Fatal(err)
	}
	moved, _, err := db.AnswerInvitation(ana, "UIVAN", true, t0.Add(3*time.Hour))
	if err != nil || moved.Former != "UMAYA" || moved.Person.Manager != "UIVAN" || !moved.Person.ManagerSince.Equal(t0.Add(3*time.Hour)) {
		t.Fatalf("move = %+v %v", moved, err)
	}
	if rs, _ := db.Reports("UMAYA"); len(rs) != 0 {
		t.Fatalf("the former manager still has %+v", rs)
	}

	// Expired: refused and removed. Declined and withdrawn: removed.
	bob := coach.Person{ID: "UBOB"}
	if _, err := db.Invite(maya, coach.NewInvitation("UMAYA", "UBOB", t0)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AnswerInvitation(bob, "UMAYA", true, t0.Add(coach.InvitationLifetime)); !errors.Is(err, coach.ErrInvitationExpired) {
		t.Fatalf("expired: %v", err)
	}
	if got, _ := db.InvitationsTo("UBOB"); len(got) != 0 {
		t.Fatalf("expired invitation kept: %+v", got)
	}
	if _, err := db.Invite(maya, coach.NewInvitation("UMAYA", "UBOB", t0)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AnswerInvitation(bob, "UMAYA", false, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if p, found, _ := db.Person("UBOB"); found && p.Manager != "" {
		t.Fatalf("declining linked %+v", p)
	}
	if _, err := db.Invite(maya, coach.NewInvitation("UMAYA", "UBOB", t0)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.WithdrawInvitation("UMAYA", "UBOB"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.WithdrawInvitation("UMAYA", "UBOB"); !errors.Is(err, coach.ErrNotInvited) {
		t.Fatalf("withdrawing twice: %v", err)
	}
	if got, _ := db.InvitationsFrom("UMAYA"); len(got) != 0 {
		t.Fatalf("after withdrawal: %+v", got)
	}
}

func TestShareAnswerWithManagerAtThatTime(t *testing.T) {
	db := openTest(t)
	ana := coach.Person{ID: "UANA"}
	if _, err := db.Enroll(ana); err != nil {
		t.Fatal(err)
	}
	a, err := db.AddAnswer(coach.Answer{Person: "UANA", QuestionID: "q", Text: "private", At: t0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetAnswerShared("UANA", a.ID, true, t0); !errors.Is(err, coach.ErrNoManagerToShare) {
		t.Fatalf("shared with nobody: %v", err)
	}
	if _, err := db.AssignManager(coach.Person{ID: "UOLGA"}, ana, t0); err != nil {
		t.Fatal(err)
	}
	shared, err := db.SetAnswerShared("UANA", a.ID, true, t0.Add(time.Hour))
	if err != nil || shared.SharedWith != "UOLGA" {
		t.Fatalf("shared = %+v, %v", shared, err)
	}
	// A new manager does not inherit it.
	if _, err := db.AssignManager(coach.Person{ID: "UMAYA"}, ana, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	as, _ := db.Answers("UANA")
	if len(as) != 1 || as[0].SharedWith != "UOLGA" {
		t.Fatalf("answers = %+v", as)
	}
	if err := (coach.NewPolicy(nil)).Authorize("UMAYA", coach.SeeAnswer, coach.AnswerOf(coach.Person{ID: "UANA", Manager: "UMAYA"}, as[0])); err == nil {
		t.Fatal("the new manager may read an answer shared with the former one")
	}
}

func TestChallenges(t *testing.T) {
	db := openTest(t)
	set := func(c coach.Challenge) coach.Challenge {
		t.Helper()
		c, err := db.AddChallenge(c)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	own := set(coach.Challenge{Subject: "U1", By: "U1", Text: "Lead discovery", Status: coach.ChallengeSet, At: t0})
	prop := set(coach.Challenge{Subject: "U1", By: "UBOSS", Text: "Lead H2 planning", Status: coach.ChallengeProposed, At: t0.Add(time.Hour)})
	if _, err := db.AcceptChallenge("U2", prop.ID, t0); !errors.Is(err, coach.ErrNoProposal) {
		t.Fatalf("someone else accepted the proposal: %v", err)
	}
	if _, err := db.AcceptChallenge("U1", own.ID, t0); !errors.Is(err, coach.ErrNoProposal) {
		t.Fatalf("accepted a challenge that was not a proposal: %v", err)
	}
	if _, err := db.AcceptChallenge("U1", prop.ID, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// A newer proposal, then the person writes their own: the proposal is replaced.
	set(coach.Challenge{Subject: "U1", By: "UBOSS", Text: "Run the offsite", Status: coach.ChallengeProposed, At: t0.Add(3 * time.Hour)})
	set(coach.Challenge{Subject: "U1", By: "U1", Text: "Mentor a junior PM", Status: coach.ChallengeSet, At: t0.Add(4 * time.Hour)})
	h, _ := db.Challenges("U1")
	if len(h) != 4 {
		t.Fatalf("history has %d entries, want 4", len(h))
	}
	wantStatus := []coach.ChallengeStatus{coach.ChallengeSet, coach.ChallengeAccepted, coach.ChallengeReplaced, coach.ChallengeSet}
	for i, w := range wantStatus {
		if h[i].Status != w {
			t.Errorf("entry %d (%q) status %s, want %s", i, h[i].Text, h[i].Status, w)
		}
	}
	cur, pending := coach.CurrentChallenge(h)
	if cur.Text != "Mentor a junior PM" || pending != nil {
		t.Errorf("current %q, pending %v", cur.Text, pending)
	}
	if _, err := db.AddChallenge(coach.Challenge{Subject: "U1", Text: "", At: t0}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("empty challenge stored: %v", err)
	}
}

func TestUpdatePlan(t *testing.T) {
	db := openTest(t)
	first := coach.Plan{Headline: "Grow", Themes: []coach.Theme{{ID: "t1", Area: "team", Title: "Talks", Actions: []coach.Action{{ID: "a1", Text: "Role-play"}}}}}
	edit := func(p coach.Plan, base int) coach.PlanEdit {
		return func(old coach.Plan) (coach.Plan, coach.PlanChange, error) {
			if old.Version != base {
				return coach.Plan{}, coach.PlanChange{}, coach.ErrPlanChanged
			}
			return p, coach.PlanChange{By: "U1", At: t0, Changes: []string{"edit"}}, nil
		}
	}
	p, err := db.UpdatePlan("U1", "view-1", edit(first, 0))
	if err != nil || p.Version != 1 || p.Owner != "U1" {
		t.Fatalf("first save = %+v, %v", p, err)
	}
	if _, err := db.UpdatePlan("U1", "view-1", edit(first, 1)); !errors.Is(err, coach.ErrDuplicate) {
		t.Fatalf("second submission of the same form: %v", err)
	}
	second := first
	second.Headline = "Grow faster"
	if _, err := db.UpdatePlan("U1", "view-2", edit(second, 0)); !errors.Is(err, coach.ErrPlanChanged) {
		t.Fatalf("stale edit: %v", err)
	}
	// The refused stale edit must not have claimed its submission id.
	if done, _ := db.Submitted("view-2"); done {
		t.Error("a refused edit claimed its submission id")
	}
	if _, err := db.UpdatePlan("U1", "view-2", edit(second, 1)); err != nil {
		t.Fatal(err)
	}
	got, found, _ := db.Plan("U1")
	if !found || got.Headline != "Grow faster" || got.Version != 2 {
		t.Fatalf("stored plan = %+v", got)
	}
	h, _ := db.PlanHistory("U1")
	if len(h) != 2 || h[0].Version != 1 || h[1].Version != 2 || h[1].By != "U1" {
		t.Fatalf("history = %+v", h)
	}
}

func TestDeliveriesSince(t *testing.T) {
	db := openTest(t)
	var ds []coach.Delivery
	for w := range 10 {
		at := t0.AddDate(0, 0, 7*w)
		ds = append(ds, coach.Delivery{Person: "U1", Cadence: coach.CadenceNudge, Period: at.Format("2006-01-02T15:04"), Due: at})
		if w%4 == 0 {
			ds = append(ds, coach.Delivery{Person: "U1", Cadence: coach.CadenceCheckin, Period: at.Format("2006-01-02T15:04"), Due: at})
		}
	}
	ds = append(ds, coach.Delivery{Person: "U10", Cadence: coach.CadenceNudge, Period: t0.AddDate(0, 0, 70).Format("2006-01-02T15:04")})
	if _, err := db.QueueDeliveries(ds); err != nil {
		t.Fatal(err)
	}
	got, err := db.DeliveriesSince("U1", t0.AddDate(0, 0, 49))
	if err != nil {
		t.Fatal(err)
	}
	// Nudges of weeks 7, 8, 9 and the check-in of week 8; nothing of U10.
	if len(got) != 4 {
		t.Fatalf("got %d entries: %+v", len(got), got)
	}
	for _, d := range got {
		if d.Person != "U1" || d.Due.Before(t0.AddDate(0, 0, 49)) {
			t.Errorf("unexpected entry %+v", d)
		}
	}
}
