package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestDemo runs microcoach demo as CI does and checks what a reader of the
// transcript would notice. It asserts nothing about timing.
func TestDemo(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var out, logs bytes.Buffer
	pictures := t.TempDir()
	if err := run(ctx, []string{"demo", "-pictures", pictures}, &out, &logs); err != nil {
		t.Fatalf("demo failed: %v\ntranscript:\n%s\nstderr:\n%s", err, out.String(), logs.String())
	}
	got := out.String()
	if logs.Len() > 0 {
		t.Errorf("demo without -v wrote to stderr:\n%s", logs.String())
	}
	mustContain(t, got,
		// The team forms by invitation; people learn who asks and what they would see, and accept.
		"Maya ▸ /coach team add @ana @bob @cleo", "invites you to accept them as your manager of record", "What they would see",
		"clicks [ Accept ]", "You accepted @maya as your manager of record", "accepted your invitation",
		// A typo and its suggestion; the form with every area.
		"Ana ▸ /rate plnning 8", `did you mean planning?`, "Rate yourself", "Saved 3 ratings for yourself",
		// The digest: #pm-coaching is shared with Ana, so it gets counts only and the details go to Maya's DM;
		// the agenda holds Bob's shared answer.
		"Maya ▸ /coach digest #pm-coaching", "summary with counts only", "Maya ◂ microcoach (#CPMCOACH):", "*Team digest* for @maya", "Details are in @maya's DM", "# Team digest",
		"Maya ▸ /coach prep @bob", "1:1 agenda — @bob", "Answers shared with you", "Honestly: more time with customers",
		// The manager's view and the gap it opens.
		"you rated @ana *4*/10", "gap +3", "Perception gaps", "[image: Perception gaps — Ana Lima]", "worth a conversation: Planning (+3)",
		// Every picture sent is in the folder the demo names.
		"== Pictures: ", pictures,
		// The challenge, accepted.
		"proposes a Next Bigger Challenge", "clicks [ Accept ]", "@ana accepted the Next Bigger Challenge",
		// The plan and the Home tabs.
		"Saved your plan “From backlog manager to strategist” with 3 themes",
		"Ana ▸ opens microcoach's Home tab", "Maya ▸ opens microcoach's Home tab", "# Your coaching", "Your team (3)",
		// The weekly nudge, done.
		"*This week:* Draft the H2 strategy one-pager", "clicks [ Done ]", "*Done:* Draft the H2 strategy one-pager",
		// A question answered by a plain DM reply.
		"Question of the week", "Bob (Mon 10:10 in New York) ▸ writes to microcoach (DM)", "microcoach reacts", "Only you can see this answer",
		// Bob pauses.
		"Bob (Mon 11:02 in New York) ▸ /coach pause 2w", "Paused until Monday, December 14th, 2026 at 11:02", "(Bob is paused until",
		// The monthly check-in, not for a plan a day old, coloured in place, carrying the week's action.
		"their first colour check-in waits at least three weeks",
		"*Monthly check-in.*", "the message above changes in place", "All themes checked in", "This week's action (instead of a separate nudge)",
		// The manager's digest.
		"# Team digest",
		// An answer in two messages, then edited; a holiday status instead of a pause; a plan invitation, not check-ins.
		"the same answer, no second confirmation", "Bob (Mon 10:15 in New York) ▸ edits their message: Honestly: more time with customers, every week.",
		"the stored answer follows", "sets her Slack status: 🌴 Vacationing", "@ana — 🌴 away (Slack status), not silent",
		"nothing reached Ana while her status said Vacationing", "*A development plan?*", "no refresh yet",
		// The end, and the rhythm it kept.
		"== Done: messages from microcoach seen: Maya ",
		"== The rhythm: messages per person", "Most unrequested messages anyone got in any 7 days: 2 (the budget is 2",
	)

	// The check-in message, once Ana clicked: one theme of each colour.
	checkin := demoSection(t, got, "Tuesday 5 January")
	for _, colour := range []string{"green — on track", "yellow — some progress", "red — stuck"} {
		if !strings.Contains(checkin, colour) {
			t.Errorf("the check-in never shows %q:\n%s", colour, checkin)
		}
	}

	entries := demoEntries(t, got)

	// For January's check-in (the first: the plans were written on 30
	// November) exactly one reminder, to Cleo, two working days after
	// Tuesday 5 January (10:00 in Tokyo).
	var reminders []demoEntry
	for _, e := range entries {
		if strings.Contains(e.body, "gentle reminder") && e.at.Month() == time.January {
			reminders = append(reminders, e)
		}
	}
	if len(reminders) != 1 {
		t.Fatalf("%d reminders, want exactly 1: %+v", len(reminders), reminders)
	}
	if r := reminders[0]; !strings.HasPrefix(r.who, "Cleo") || r.at.Weekday() != time.Thursday || r.at.Day() != 7 {
		t.Errorf("the reminder went to %q at %s, want Cleo on Thursday 7 January", r.who, r.at)
	}

	// Bob paused for two weeks: nothing reaches him until the pause ends.
	var pausedAt time.Time
	for _, e := range entries {
		if strings.HasPrefix(e.who, "Bob") && strings.HasSuffix(e.line, "▸ /coach pause 2w") {
			pausedAt = e.at
		}
	}
	if pausedAt.IsZero() {
		t.Fatal("Bob never paused")
	}
	pauseEnds := pausedAt.AddDate(0, 0, 14)
	var afterPause int
	for _, e := range entries {
		if !strings.HasPrefix(e.who, "Bob") || !e.at.After(pausedAt) || !strings.Contains(e.line, "◂") {
			continue
		}
		if e.at.Before(pauseEnds) {
			t.Errorf("Bob, paused until %s, got at %s: %s\n%s", pauseEnds, e.at, e.line, e.body)
		}
		afterPause++
	}
	if afterPause == 0 {
		t.Error("Bob got nothing after his pause ended; the demo should show him back")
	}
	if n := strings.Count(got, "(Bob is paused until"); n < 2 {
		t.Errorf("the transcript says %d times that Bob is skipped, want every week he is paused", n)
	}
}

func TestDemoRefusesUnknownArguments(t *testing.T) {
	t.Parallel()
	err := run(t.Context(), []string{"demo", "--fast"}, &bytes.Buffer{}, &bytes.Buffer{})
	var ue *usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `"--fast"`) {
		t.Fatalf("demo --fast: %v, want a usage error naming the argument", err)
	}
}

// demoEntry is one timestamped line of the transcript and the body
// indented under it.
type demoEntry struct {
	at   time.Time
	who  string // the person and, for people elsewhere, their local time
	line string
	body string
}

// demoEntries reads the transcript back: "Mon 30 Nov 08:00  Ana ◂ …" lines
// (Berlin time) with the "    │ " lines under them.
func demoEntries(t *testing.T, transcript string) []demoEntry {
	t.Helper()
	var out []demoEntry
	for _, l := range strings.Split(transcript, "\n") {
		if body, ok := strings.CutPrefix(l, "    │ "); ok && len(out) > 0 {
			out[len(out)-1].body += body + "\n"
			continue
		}
		stamp, rest, ok := strings.Cut(l, "  ")
		if !ok {
			continue
		}
		at, err := time.ParseInLocation("Mon 2 Jan 15:04 2006", stamp+" 2026", demoStart.Location())
		if err != nil {
			continue
		}
		if at.Before(demoStart.Add(-24 * time.Hour)) {
			at = at.AddDate(1, 0, 0) // January is next year
		}
		who := rest
		if i := strings.IndexAny(rest, "▸◂"); i > 0 {
			who = strings.TrimSpace(rest[:i])
		}
		out = append(out, demoEntry{at: at, who: who, line: l})
	}
	if len(out) < 50 {
		t.Fatalf("only %d entries in the transcript:\n%s", len(out), transcript)
	}
	return out
}

// demoSection returns the transcript from the heading containing title up
// to the next heading.
func demoSection(t *testing.T, transcript, title string) string {
	t.Helper()
	i := strings.Index(transcript, "== "+title)
	if i < 0 {
		t.Fatalf("no section %q in:\n%s", title, transcript)
	}
	rest := transcript[i+3:]
	if j := strings.Index(rest, "\n== "); j >= 0 {
		rest = rest[:j]
	}
	return rest
}
