package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/microcoach/microcoach/slackemu"
	"github.com/microcoach/microcoach/storage"
)

// exportFile runs /coach export as user and returns the JSON file they
// then find in their DM.
func exportFile(t *testing.T, h *harness, user slackemu.User) (storage.PersonExport, string) {
	t.Helper()
	mustContain(t, h.slash(user, "/coach", "export"), "I sent you a file with all your microcoach data")
	msgs := h.emu.History(h.emu.DMChannel(user.ID))
	for i := len(msgs) - 1; i >= 0; i-- {
		if len(msgs[i].Files) == 0 {
			continue
		}
		f, ok := h.emu.File(msgs[i].Files[0].ID)
		if !ok {
			t.Fatalf("file %s not stored", msgs[i].Files[0].ID)
		}
		if !strings.HasSuffix(f.Name, ".json") {
			continue // a picture (the radar) posted after the export
		}
		var e storage.PersonExport
		if err := json.Unmarshal(f.Content, &e); err != nil {
			t.Fatalf("the export is not JSON: %v\n%s", err, f.Content)
		}
		return e, string(f.Content)
	}
	t.Fatalf("no file in %s's DM", user.Name)
	return storage.PersonExport{}, ""
}

// TestExportAndForgetMe: a person exports their own data (and nobody
// else's) as a file in their DM, then deletes everything after a
// danger-styled confirmation; their manager keeps nothing of theirs.
func TestExportAndForgetMe(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, cadenceEnv(never, never))
	h.team(maya, bob, ana)
	h.slash(bob, "/rate", "planning 6 bob-self-note")
	h.slash(maya, "/rate", "@bob planning 4 maya-note-on-bob")
	h.slash(ana, "/rate", "team 8 ana-self-note")
	h.command(bob, "/coach", "question")
	h.waitSeen(bob, 0, slackemu.Containing("A question for you"))
	n := h.emu.SeenCount(bob.ID)
	if _, err := h.emu.SendDM(ctxT(t), bob.ID, "bob-private-answer"); err != nil {
		t.Fatal(err)
	}
	h.waitSeen(bob, n, slackemu.Containing("Only you can see this answer"))

	e, raw := exportFile(t, h, bob)
	if e.Person.ID != bob.ID || e.Manager != maya.ID || len(e.Answers) != 1 || len(e.Ratings) != 2 {
		t.Errorf("bob's export: %s", raw)
	}
	mustContain(t, raw, "bob-self-note", "maya-note-on-bob", "bob-private-answer")
	mustNotContain(t, raw, ana.ID, "ana-self-note")

	e, raw = exportFile(t, h, maya)
	if len(e.Reports) != 2 || len(e.RatingsGiven) != 1 || len(e.Answers) != 0 {
		t.Errorf("maya's export: %s", raw)
	}
	mustContain(t, raw, "maya-note-on-bob")
	mustNotContain(t, raw, "bob-self-note", "bob-private-answer", "ana-self-note")

	// Changing one's mind deletes nothing.
	confirm := forgetMeMessage(t, h, bob)
	id, val := buttonIn(t, confirm.Blocks, "Keep my data")
	n = h.emu.SeenCount(bob.ID)
	if err := h.emu.Click(ctxT(t), bob.ID, slackemu.InMessage(confirm.Channel, confirm.TS), id, val); err != nil {
		t.Fatal(err)
	}
	h.waitSeen(bob, n, slackemu.Containing("Nothing was deleted"))

	confirm = forgetMeMessage(t, h, bob)
	id, val = buttonIn(t, confirm.Blocks, "Delete everything")
	n = h.emu.SeenCount(bob.ID)
	if err := h.emu.Click(ctxT(t), bob.ID, slackemu.InMessage(confirm.Channel, confirm.TS), id, val); err != nil {
		t.Fatal(err)
	}
	done := h.waitSeen(bob, n, slackemu.Containing("microcoach has forgotten you"))
	mustContain(t, done.Text(), "2 ratings", "1 answer", "your place in your manager's team", "starts afresh")

	db := h.db()
	if _, found, _ := db.Person(bob.ID); found {
		t.Error("bob is still stored")
	}
	if rs, _ := db.Reports(maya.ID); len(rs) != 1 || rs[0].ID != ana.ID {
		t.Errorf("maya's team: %+v", rs)
	}
	all, err := db.ExportAll(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := json.Marshal(all)
	mustNotContain(t, string(doc), bob.ID, "bob-self-note", "maya-note-on-bob", "bob-private-answer")
	mustContain(t, string(doc), "ana-self-note")
}

// forgetMeMessage types /coach forget-me and checks the confirmation: the
// delete button is danger-styled and asks again in Slack's confirm dialog.
func forgetMeMessage(t *testing.T, h *harness, user slackemu.User) slackemu.Seen {
	t.Helper()
	n := h.emu.SeenCount(user.ID)
	mustContain(t, h.slash(user, "/coach", "forget-me"), "Delete everything microcoach knows about you?", "[ Delete everything ]", "[ Keep my data ]")
	s := h.waitSeen(user, n, slackemu.Kind(slackemu.SeenEphemeral))
	raw := string(s.Blocks)
	for _, want := range []string{`"style":"danger"`, `"confirm":{`, `"Delete your data?"`} {
		if !strings.Contains(strings.ReplaceAll(raw, " ", ""), strings.ReplaceAll(want, " ", "")) {
			t.Errorf("confirmation lacks %s: %s", want, raw)
		}
	}
	return s
}
