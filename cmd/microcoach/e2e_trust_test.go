package main

import (
	"strings"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/slackemu"
)

// TestInvitationAccepted: /coach team add asks the person first; until they
// accept, the inviter is a stranger to their data.
func TestInvitationAccepted(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, nil)
	mustContain(t, h.invite(maya, ana), "I invited @ana", "once they accept", "/coach team remove @ana")
	inv := h.waitSeen(ana, 0, invitationFrom(maya))
	mustContain(t, inv.Text(), "manager of record", "What they would see", "development plan", "stay private", "[ Accept ]", "[ Decline ]", "Open until")

	// Invited is not accepted: Maya sees nothing of Ana's yet.
	h.slash(ana, "/rate", "planning 7 honest view")
	for _, cmd := range []struct{ command, text string }{
		{"/rate", "@ana planning 2"}, {"/coach", "gaps @ana"}, {"/coach", "plan @ana"},
		{"/coach", "prep @ana"}, {"/coach", "challenge @ana lead the offsite"}, {"/coach", "assess @ana"},
	} {
		mustContain(t, h.slash(maya, cmd.command, cmd.text), refusal)
	}
	mustContain(t, h.slash(maya, "/coach", "team"), "Your team* is empty", "Invited* (1)", "@ana — invited", "waiting for their answer")
	mustContain(t, h.slash(maya, "/coach", "team add @ana"), "You invited @ana", "waiting for their answer")

	mustContain(t, h.answerInvitation(ana, maya, "Accept"), "You accepted @maya as your manager of record")
	mustContain(t, h.waitSeen(maya, 0, slackemu.Containing("accepted your invitation")).Text(), "you are now their manager of record")
	mustContain(t, h.slash(maya, "/coach", "gaps @ana"), "@ana's own view beside yours")
	mustContain(t, h.slash(maya, "/coach", "team"), "Your team* (1)", "@ana")
	// The answered invitation has no buttons left to click twice.
	for _, s := range h.emu.Seen(ana.ID) {
		if s.Kind == slackemu.SeenMessageUpdate && s.TS == inv.TS {
			mustNotContain(t, s.Text(), "[ Accept ]", "[ Decline ]")
		}
	}

	// Ana sees her manager of record on Home, and can end it there.
	if _, err := h.emu.OpenHome(ctxT(t), ana.ID); err != nil {
		t.Fatal(err)
	}
	home := h.waitSeen(ana, 0, func(s slackemu.Seen) bool {
		return s.Kind == slackemu.SeenHome && strings.Contains(s.Text(), "Your manager of record is @maya")
	})
	id, val := buttonIn(t, home.Blocks, "End this")
	n := h.emu.SeenCount(ana.ID)
	if err := h.emu.Click(ctxT(t), ana.ID, slackemu.Container{ViewID: home.ViewID}, id, val); err != nil {
		t.Fatal(err)
	}
	h.waitSeen(ana, n, slackemu.Containing("You left @maya's team"))
	mustContain(t, h.slash(maya, "/coach", "gaps @ana"), refusal)
	p, _, _ := h.db().Person(ana.ID)
	if p.Manager != "" {
		t.Fatalf("ana still has manager %q", p.Manager)
	}
}

func TestInvitationDeclinedAndWithdrawn(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, nil)
	h.invite(maya, ana, bob)
	h.waitSeen(ana, 0, invitationFrom(maya))
	mustContain(t, h.answerInvitation(ana, maya, "Decline"), "You declined @maya's invitation")
	mustContain(t, h.waitSeen(maya, 0, slackemu.Containing("declined your invitation")).Text(), "nothing of theirs is shared with you")

	h.waitSeen(bob, 0, invitationFrom(maya))
	n := h.emu.SeenCount(bob.ID)
	mustContain(t, h.slash(maya, "/coach", "team remove @bob"), "You withdrew your invitation to @bob")
	withdrawn := h.waitSeen(bob, n, slackemu.Kind(slackemu.SeenMessageUpdate)).Text()
	mustContain(t, withdrawn, "@maya withdrew this invitation")
	mustNotContain(t, withdrawn, "[ Accept ]")

	db := h.db()
	for _, id := range []string{ana.ID, bob.ID} {
		if p, _, _ := db.Person(id); p.Manager != "" {
			t.Errorf("%s has manager %q", id, p.Manager)
		}
	}
	if invs, _ := db.InvitationsFrom(maya.ID); len(invs) != 0 {
		t.Errorf("invitations left: %+v", invs)
	}
}

func TestInvitationExpired(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, nil)
	h.invite(maya, ana)
	h.waitSeen(ana, 0, invitationFrom(maya))

	// Fifteen days pass: make the stored invitation as old as that.
	db := h.open()
	inv, err := db.WithdrawInvitation(maya.ID, ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	old := coach.NewInvitation(maya.ID, ana.ID, time.Now().Add(-15*24*time.Hour))
	old.Channel, old.TS = inv.Channel, inv.TS
	if _, err := db.Invite(coach.Person{ID: maya.ID}, old); err != nil {
		t.Fatal(err)
	}
	db.Close()
	h.start()

	mustContain(t, h.slash(maya, "/coach", "team"), "expired unanswered")
	mustContain(t, h.answerInvitation(ana, maya, "Accept"), "has expired", "nothing changed")
	mustContain(t, h.slash(maya, "/coach", "gaps @ana"), refusal)
	// Maya may invite again.
	mustContain(t, h.invite(maya, ana), "I invited @ana")
}

// TestMoveBetweenManagers: accepting a second manager moves the person;
// the former manager is told and loses access in the same step, and does
// not see notes or answers from before.
func TestMoveBetweenManagers(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, nil)
	h.team(maya, ana)
	h.slash(ana, "/rate", "planning 7")
	n := h.emu.SeenCount(ana.ID)
	h.invite(bob, ana)
	inv := h.waitSeen(ana, n, invitationFrom(bob))
	mustContain(t, inv.Text(), "Your manager of record now is @maya", "Accepting moves you")
	mustContain(t, h.answerInvitation(ana, bob, "Accept"), "You accepted @bob", "@maya no longer sees your data")
	h.waitSeen(maya, 0, slackemu.Containing("@ana has a new manager of record"))
	mustContain(t, h.slash(maya, "/coach", "gaps @ana"), refusal)
	mustContain(t, h.slash(maya, "/rate", "@ana planning 2"), refusal)
	mustContain(t, h.slash(bob, "/coach", "gaps @ana"), "@ana's own view beside yours")
	db := h.db()
	if rs, _ := db.Reports(maya.ID); len(rs) != 0 {
		t.Errorf("maya still has reports %+v", rs)
	}
	if p, _, _ := db.Person(ana.ID); p.Manager != bob.ID {
		t.Errorf("ana's manager is %q", p.Manager)
	}
}

// TestInviteRefusals: yourself, bots, deactivated people, unknown users and
// cycles get one clear line, nothing stored; the refusal about another
// person reads the same whoever they are.
func TestInviteRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, nil)
	h.team(maya, ana)
	mustContain(t, h.slash(maya, "/coach", "team add @maya"), "can't be your own manager")
	mustContain(t, h.slash(maya, "/coach", "team add @ana"), "already in your team")
	mustContain(t, h.slash(maya, "/coach", "team add @nobody"), "is not a person")
	same := map[string]string{}
	for _, who := range []string{"<@UROBOT|deploybot>", "<@UGONE|gone>", "<@UNOSUCH|ghost>"} {
		same[who] = h.slash(maya, "/coach", "team add "+who)
	}
	// Ana can't invite Maya, who is above her.
	same["cycle"] = h.slash(ana, "/coach", "team add @maya")
	for who, got := range same {
		if got != same["cycle"] {
			t.Errorf("refusal for %s reads %q, for a cycle %q", who, got, same["cycle"])
		}
		mustContain(t, got, "I can't invite that person")
		mustNotContain(t, got, "bot is", "deactivated", "@maya is")
	}
	db := h.db()
	if invs, _ := db.InvitationsFrom(maya.ID); len(invs) != 0 {
		t.Errorf("refusals stored invitations %+v", invs)
	}
	for _, id := range []string{"UROBOT", "UGONE", "UNOSUCH"} {
		if _, found, _ := db.Person(id); found {
			t.Errorf("a refusal enrolled %s", id)
		}
	}
}

// TestAdminAssigns: an admin sets a manager of record without an
// invitation; the person is told who did it and what the manager sees; the
// admin sees no coaching data by being one.
func TestAdminAssigns(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, map[string]string{"MICROCOACH_ADMINS": cleo.ID})
	h.slash(ana, "/rate", "planning 7")
	mustContain(t, h.slash(maya, "/coach", "org set @ana @maya"), "Only microcoach's admins")
	mustContain(t, h.slash(cleo, "/coach", "org set @ana @maya"), "@maya is now @ana's manager of record", "doesn't let you see")
	told := h.waitSeen(ana, 0, slackemu.Containing("made @maya your manager of record"))
	mustContain(t, told.Text(), "@cleo, a microcoach admin", "What they see", "/coach team leave")
	h.waitSeen(maya, 0, slackemu.Containing("made you @ana's manager of record"))
	mustContain(t, h.slash(maya, "/coach", "gaps @ana"), "@ana's own view beside yours")
	// The admin: no access to anyone's data.
	for _, cmd := range []string{"gaps @ana", "plan @ana", "prep @ana"} {
		mustContain(t, h.slash(cleo, "/coach", cmd), refusal)
	}
	mustContain(t, h.slash(cleo, "/rate", "@ana planning 2"), refusal)
	// Moving her: the former manager is told.
	mustContain(t, h.slash(cleo, "/coach", "org set @ana @bob"), "@bob is now @ana's manager of record")
	h.waitSeen(maya, 0, slackemu.Containing("@ana has a new manager of record"))
	mustContain(t, h.slash(maya, "/coach", "gaps @ana"), refusal)
	mustContain(t, h.slash(cleo, "/coach", "org set @bob @ana"), "would make a loop")
	mustContain(t, h.slash(cleo, "/coach", "org set @ana @deploybot"), "Only active people")
	mustContain(t, h.slash(cleo, "/coach", "org unset @ana"), "@ana no longer has a manager of record")
	if p, _, _ := h.db().Person(ana.ID); p.Manager != "" {
		t.Errorf("ana's manager is %q", p.Manager)
	}
}

// TestForgedPayloads: the acting user in a payload decides; ids carried in
// a button's value act only on that user's own records, and a
// response_url that is not on Slack's host is never posted to.
func TestForgedPayloads(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, nil)
	h.invite(maya, ana)
	h.waitSeen(ana, 0, invitationFrom(maya))
	// Bob sends an Accept for Maya's invitation (which is Ana's), with a
	// response_url of the attacker's choosing.
	forged := `{"type":"block_actions","user":{"id":"UBOB","username":"bob","name":"bob","team_id":"T0EMU"},` +
		`"team":{"id":"T0EMU","domain":"emu"},"api_app_id":"A0EMU","trigger_id":"1.2.forged",` +
		`"response_url":"http://127.0.0.1:9/steal","container":{"type":"message","message_ts":"1.000001","channel_id":"D0FORGED"},` +
		`"actions":[{"action_id":"microcoach.invite_accept","block_id":"invite","type":"button","value":"UMAYA","action_ts":"1.000002"}]}`
	if d, err := h.emu.Deliver(ctxT(t), "interactive", []byte(forged)); err != nil || !d.Acked {
		t.Fatalf("forged payload: %+v %v", d, err)
	}
	h.waitLog("response_url refused")
	db := h.db()
	for _, id := range []string{ana.ID, bob.ID} {
		if p, _, _ := db.Person(id); p.Manager != "" {
			t.Errorf("%s got manager %q from a forged click", id, p.Manager)
		}
	}
	if invs, _ := db.InvitationsTo(ana.ID); len(invs) != 1 {
		t.Errorf("Ana's invitation was touched: %+v", invs)
	}
}

// TestInvitationDMSentAfterACrash: an invitation stored before a crash
// kept its DM from being posted; inviting again (the inbox re-runs the
// command after a restart) posts it instead of saying it is waiting.
func TestInvitationDMSentAfterACrash(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, nil)
	db := h.open()
	if _, err := db.Invite(coach.Person{ID: maya.ID}, coach.NewInvitation(maya.ID, ana.ID, time.Now())); err != nil {
		t.Fatal(err)
	}
	db.Close()
	h.start()
	mustContain(t, h.invite(maya, ana), "I invited @ana")
	h.waitSeen(ana, 0, slackemu.Containing("@maya invites you"))
	// Now that its DM is recorded, inviting again says it is waiting.
	mustContain(t, h.invite(maya, ana), "You invited @ana", "waiting for their answer")
}
