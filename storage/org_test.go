package storage

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/microcoach/microcoach/coach"
)

func orgPerson(id string) coach.OrgPerson {
	return coach.OrgPerson{ID: id, Name: strings.ToLower(id[1:]), TZ: "Europe/Berlin"}
}

func change(line int, report, manager string) coach.OrgChange {
	return coach.OrgChange{Line: line, Report: orgPerson(report), Manager: orgPerson(manager)}
}

// TestApplyOrg sets up a 50-person org in one step: a head, seven
// managers reporting to the head, six reports each; one report moves from
// a manager they had before, one keeps theirs, one had an open invitation.
func TestApplyOrg(t *testing.T) {
	db := openTest(t)
	if _, err := db.AssignManager(coach.Person{ID: "UOLD", Name: "old"}, coach.Person{ID: "UR0_0", Name: "r0_0"}, t0.AddDate(0, -1, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AssignManager(coach.Person{ID: "UM1", Name: "m1"}, coach.Person{ID: "UR1_0", Name: "r1_0"}, t0.AddDate(0, -1, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Invite(coach.Person{ID: "UM2"}, coach.NewInvitation("UM2", "UR2_0", t0.AddDate(0, 0, -1))); err != nil {
		t.Fatal(err)
	}
	var changes []coach.OrgChange
	line := 2
	for m := range 7 {
		changes = append(changes, change(line, fmt.Sprintf("UM%d", m), "UHEAD"))
		line++
		for r := range 6 {
			changes = append(changes, change(line, fmt.Sprintf("UR%d_%d", m, r), fmt.Sprintf("UM%d", m)))
			line++
		}
	}
	if len(changes) != 49 { // and the head: 50 people
		t.Fatalf("%d changes", len(changes))
	}
	got, err := db.ApplyOrg(changes, t0)
	if err != nil {
		t.Fatal(err)
	}
	people, err := db.People()
	if err != nil {
		t.Fatal(err)
	}
	if len(people) != 51 { // the 50 and the old manager
		t.Errorf("%d people stored, want 51", len(people))
	}
	for i, c := range changes {
		p, found, err := db.Person(c.Report.ID)
		known := map[string]bool{"UR0_0": true, "UM1": true, "UR1_0": true, "UM2": true} // enrolled before, without a time zone
		if err != nil || !found || p.Manager != c.Manager.ID || p.Name != c.Report.Name || (p.TZ == "Europe/Berlin") == known[p.ID] {
			t.Errorf("line %d: stored %+v %v %v", c.Line, p, found, err)
		}
		if got[i].Person.ID != c.Report.ID {
			t.Errorf("result %d is about %s, want %s", i, got[i].Person.ID, c.Report.ID)
		}
	}
	head, _, _ := db.Person("UHEAD")
	if head.Manager != "" || head.Name != "head" {
		t.Errorf("head %+v", head)
	}
	for m := range 7 {
		if rs, _ := db.Reports(fmt.Sprintf("UM%d", m)); len(rs) != 6 {
			t.Errorf("UM%d has %d reports, want 6", m, len(rs))
		}
	}
	if rs, _ := db.Reports("UHEAD"); len(rs) != 7 {
		t.Errorf("the head has %d reports, want 7", len(rs))
	}
	// r0_0 moved from their former manager, who lost them.
	moved := got[1]
	if moved.Person.ID != "UR0_0" || moved.Former != "UOLD" || moved.Already || !moved.Person.ManagerSince.Equal(t0) {
		t.Errorf("moved: %+v", moved)
	}
	if rs, _ := db.Reports("UOLD"); len(rs) != 0 {
		t.Errorf("the former manager still has %d reports", len(rs))
	}
	// r1_0 already reported to m1: nothing changed, not even the date.
	kept := got[8]
	if kept.Person.ID != "UR1_0" || !kept.Already || kept.Former != "UM1" || kept.Person.ManagerSince.Equal(t0) {
		t.Errorf("kept: %+v", kept)
	}
	// The open invitation from m2 to r2_0 was settled by the import.
	if invs, _ := db.InvitationsFrom("UM2"); len(invs) != 0 {
		t.Errorf("invitations left: %+v", invs)
	}
}

// TestApplyOrgReorganisation: applied one by one the changes would pass
// through a cycle; applied as a whole they do not.
func TestApplyOrgReorganisation(t *testing.T) {
	db := openTest(t)
	if _, err := db.AssignManager(coach.Person{ID: "UANA"}, coach.Person{ID: "UBOB"}, t0); err != nil {
		t.Fatal(err)
	}
	// Ana will report to Bob; Bob no longer to Ana but to Maya.
	got, err := db.ApplyOrg([]coach.OrgChange{change(2, "UANA", "UBOB"), change(3, "UBOB", "UMAYA")}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Former != "" || got[1].Former != "UANA" {
		t.Errorf("formers: %+v", got)
	}
	for id, want := range map[string]string{"UANA": "UBOB", "UBOB": "UMAYA", "UMAYA": ""} {
		if p, _, _ := db.Person(id); p.Manager != want {
			t.Errorf("%s reports to %q, want %q", id, p.Manager, want)
		}
	}
	if rs, _ := db.Reports("UANA"); len(rs) != 0 {
		t.Errorf("Ana still has reports: %+v", rs)
	}
}

// TestApplyOrgAllOrNothing: a change refused at apply time (the org
// changed since the plan) leaves the database exactly as it was.
func TestApplyOrgAllOrNothing(t *testing.T) {
	for _, tc := range []struct {
		name    string
		changes []coach.OrgChange
		want    string
		team    *coach.TeamError
	}{
		{
			name:    "a cycle made since the plan",
			changes: []coach.OrgChange{change(2, "UCLEO", "UMAYA"), change(3, "UDAN", "UMAYA"), change(4, "UMAYA", "UANA")},
			want:    "line 4: make UANA the manager of UMAYA",
			team:    &coach.TeamError{Reason: coach.RefuseCycle},
		},
		{
			name:    "yourself",
			changes: []coach.OrgChange{change(2, "UCLEO", "UMAYA"), change(3, "UDAN", "UDAN")},
			want:    "line 3: make UDAN the manager of UDAN",
			team:    &coach.TeamError{Reason: coach.RefuseSelf},
		},
		{
			name:    "a report twice",
			changes: []coach.OrgChange{change(2, "UCLEO", "UMAYA"), change(5, "UCLEO", "UBOB")},
			want:    "line 5: UCLEO is already on line 2",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openTest(t)
			// Ana reports to Maya.
			if _, err := db.AssignManager(coach.Person{ID: "UMAYA"}, coach.Person{ID: "UANA"}, t0); err != nil {
				t.Fatal(err)
			}
			if _, err := db.AssignManager(coach.Person{ID: "UBOB"}, coach.Person{ID: "UCLEO"}, t0); err != nil {
				t.Fatal(err)
			}
			before, err := db.ExportAll(t0)
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.ApplyOrg(tc.changes, t0.AddDate(0, 0, 1))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "nothing was changed") {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			var te *coach.TeamError
			if tc.team != nil && (!errors.As(err, &te) || te.Reason != tc.team.Reason) {
				t.Errorf("got %v, want %v", err, tc.team)
			}
			after, err := db.ExportAll(t0)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(before, after) {
				t.Errorf("the database changed:\nbefore %+v\nafter  %+v", before, after)
			}
		})
	}
}
