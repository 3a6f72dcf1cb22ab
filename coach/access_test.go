package coach

import (
	"errors"
	"testing"
	"time"
)

// TestAuthorize is the policy's own matrix: every kind of access × every
// way one person can stand to another. The bot's end-to-end privacy matrix
// checks that every surface asks this function.
func TestAuthorize(t *testing.T) {
	since := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	ana := Person{ID: "ana", Manager: "maya", ManagerSince: since}
	policy := NewPolicy([]string{"root"})
	before, after := since.Add(-time.Hour), since.Add(time.Hour)

	// Who the actor is to ana. "olga" used to manage ana; "ivan" invited
	// her and waits; "peer" is another PM; "root" is an admin; "zed" is
	// nobody ana knows.
	actors := []string{"ana", "maya", "ivan", "olga", "peer", "root", "zed"}
	tests := []struct {
		name   string
		access Access
		target Target
		allow  []string
	}{
		{"see coaching data", SeeCoaching, About(ana), []string{"ana", "maya"}},
		{"prep a 1:1", Prep, About(ana), []string{"ana", "maya"}},
		{"assess", Assess, About(ana), []string{"maya"}},
		{"propose a challenge", ProposeChallenge, About(ana), []string{"maya"}},
		{"change own data", ChangeOwn, About(ana), []string{"ana"}},
		{"note written under the current manager", SeeNote, NoteOf(ana, after), []string{"ana", "maya"}},
		{"note written before the current manager", SeeNote, NoteOf(ana, before), []string{"ana"}},
		{"private answer", SeeAnswer, AnswerOf(ana, Answer{}), []string{"ana"}},
		{"answer shared with the current manager", SeeAnswer, AnswerOf(ana, Answer{SharedWith: "maya"}), []string{"ana", "maya"}},
		{"answer shared with a former manager", SeeAnswer, AnswerOf(ana, Answer{SharedWith: "olga"}), []string{"ana"}},
		{"assign a manager", AssignManager, About(ana), []string{"root"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, actor := range actors {
				want := false
				for _, a := range tc.allow {
					want = want || a == actor
				}
				err := policy.Authorize(actor, tc.access, tc.target)
				if got := err == nil; got != want {
					t.Errorf("%s: allowed = %v, want %v (%v)", actor, got, want, err)
				}
				if err != nil && !errors.Is(err, ErrNotYours) && !errors.Is(err, ErrAdminsOnly) {
					t.Errorf("%s: refusal %v is not the one text", actor, err)
				}
			}
		})
	}
}

func TestAuthorizeWithoutManager(t *testing.T) {
	// Nobody matches an empty manager: a person without one is seen by
	// themselves only, and an empty actor by no one.
	lone := Person{ID: "lone"}
	p := NewPolicy(nil)
	if err := p.Authorize("", SeeCoaching, About(lone)); err == nil {
		t.Error("an empty actor sees someone without a manager")
	}
	if err := p.Authorize("", SeeCoaching, About(Person{})); err == nil {
		t.Error("an empty actor sees an empty person")
	}
	if err := p.Authorize("x", AssignManager, About(lone)); !errors.Is(err, ErrAdminsOnly) {
		t.Errorf("a non-admin assigns: %v", err)
	}
	if p.IsAdmin("") {
		t.Error("the empty id is an admin")
	}
}

func TestChannelAudience(t *testing.T) {
	ana := Person{ID: "ana", Manager: "maya"}
	bob := Person{ID: "bob", Manager: "maya"}
	p := NewPolicy([]string{"root"})
	tests := []struct {
		name   string
		humans []string
		want   Audience
	}{
		{"the manager alone", []string{"maya"}, AudienceFull},
		{"a report in the channel", []string{"maya", "ana"}, AudienceSummary},
		{"an admin in the channel", []string{"maya", "root"}, AudienceSummary},
		{"no humans", nil, AudienceSummary},
	}
	for _, tc := range tests {
		if got := p.ChannelAudience(tc.humans, []Person{ana, bob}); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
