package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/storage"
	"github.com/microcoach/microcoach/storage/postgres"
	"github.com/microcoach/microcoach/storage/postgres/pgtest"
)

var migrateNow = time.Date(2026, 11, 29, 9, 30, 0, 0, time.UTC)

// seedMigrate writes a bbolt file with n people and a year of history
// (seedYear), and then a little of every other kind of record: team
// changes, invitations, challenges, answers with their event ids,
// colours, 1:1 preps, folded ledger quarters, a submission id, and a
// forgotten person whose ids must not be handed out again.
func seedMigrate(t testing.TB, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "microcoach.db")
	people := seedYear(t, path, n, migrateNow)
	db, err := storage.Open(path, storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	at := migrateNow.Add(-48 * time.Hour)
	boss, ana, bob := people[0], people[1], people[2]
	_, err = db.Invite(boss, coach.NewInvitation(boss.ID, "UNEWCOMER", at))
	must(err)
	prop, err := db.AddChallenge(coach.Challenge{Subject: ana.ID, Text: "Run the quarterly review yourself", By: boss.ID, Status: coach.ChallengeProposed, At: at})
	must(err)
	_, err = db.AcceptChallenge(ana.ID, prop.ID, at.Add(time.Hour))
	must(err)
	_, err = db.AddChallenge(coach.Challenge{Subject: bob.ID, Text: "Say no to one roadmap request", By: bob.ID, Status: coach.ChallengeSet, At: at})
	must(err)
	ds, err := db.QueueDeliveries([]coach.Delivery{
		{Person: ana.ID, Cadence: coach.CadenceQuestion, Period: "q-1", Due: at},
		{Person: bob.ID, Cadence: coach.CadenceCheckin, Period: "2026-11", Due: at},
		{Person: boss.ID, Cadence: coach.CadenceDigest, Period: "2026-W48", Due: migrateNow.Add(time.Hour)}, // still queued
	})
	must(err)
	_, err = db.AddAnswer(coach.Answer{Person: ana.ID, QuestionID: "q", Text: "Shipping less, learning more", At: at, EventID: "Ev0001"}, &ds[0])
	must(err)
	must(db.SetColour(coach.ColourChoice{Person: bob.ID, Month: "2026-11", Theme: "t1", Colour: coach.Yellow, Note: "slow week", At: at}, &ds[1]))
	must(db.RecordPrep(boss.ID, ana.ID, at))
	_, err = db.AddRatings(bob, []coach.Rating{{Subject: bob.ID, Rater: bob.ID, Area: "planning", Score: 8, At: at, Via: coach.SurfaceModal}}, "view-submission-1")
	must(err)
	ids := make([]string, len(people))
	for i, p := range people {
		ids[i] = p.ID
	}
	if folded, err := db.FoldLedger(ids, migrateNow.AddDate(0, -6, 0)); err != nil || folded == 0 {
		t.Fatalf("FoldLedger = %d, %v", folded, err)
	}
	// The last person's rating has the highest id; after forget-me the
	// sequence is above every id left.
	last := people[len(people)-1]
	_, err = db.AddRatings(last, []coach.Rating{{Subject: last.ID, Rater: last.ID, Area: "planning", Score: 2, At: at}}, "")
	must(err)
	_, err = db.ForgetPerson(last.ID)
	must(err)
	return path
}

// sourceExport is what the bbolt file holds, read as migrate reads it.
func sourceExport(t testing.TB, path string) (storage.Export, storage.Extras) {
	t.Helper()
	db, err := storage.OpenReadOnly(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e, err := db.ExportAll(migrateNow)
	if err != nil {
		t.Fatal(err)
	}
	x, err := db.ExportExtras()
	if err != nil {
		t.Fatal(err)
	}
	return e, x
}

// TestMigrateToPostgres copies a populated file and finds every record
// in PostgreSQL, ids that continue where the file's stopped, the dedupe
// records, and everyone due for the scheduler to work out; a second run
// says it is done and verifies again.
func TestMigrateToPostgres(t *testing.T) {
	t.Parallel()
	u := pgtest.URL(t)
	path := seedMigrate(t, 25)
	want, extras := sourceExport(t, path)

	code, out, errs := cli(t, "migrate", "-from", path, "-to", u, "-batch", "100")
	if code != 0 {
		t.Fatalf("migrate: exit %d: %s%s", code, out, errs)
	}
	mustContain(t, out, "copied "+path, "people", "ratings", "verified: exports identical", fmt.Sprintf("%d people", len(want.People)))
	if strings.Contains(out, pgPassword(t, u)) {
		t.Errorf("the output shows the password: %s", out)
	}

	db := openPG(t, u)
	got, err := db.ExportAll(migrateNow)
	if err != nil {
		t.Fatal(err)
	}
	if diff := exportDiff(want, got); len(diff) > 0 {
		t.Fatalf("the exports differ in %v", diff)
	}
	for _, kind := range []struct {
		name string
		n    int
	}{{"people", len(got.People)}, {"ratings", len(got.Ratings)}, {"challenges", len(got.Challenges)}, {"plans", len(got.Plans)},
		{"answers", len(got.Answers)}, {"colours", len(got.Colours)}, {"ledger", len(got.Ledger)}, {"ledger quarters", len(got.LedgerQuarters)},
		{"preps", len(got.Preps)}, {"invitations", len(got.Invitations)}, {"team links", len(got.TeamLinks)}} {
		if kind.n == 0 {
			t.Errorf("the fixture has no %s, so their copy is not tested", kind.name)
		}
	}

	// The next ids continue past the file's sequences, not past the ids
	// left (the forgotten person's were higher).
	var maxRating uint64
	for _, r := range got.Ratings {
		maxRating = max(maxRating, r.ID)
	}
	if extras.Sequences.Ratings <= maxRating {
		t.Fatalf("fixture: rating sequence %d, highest id left %d; want a gap", extras.Sequences.Ratings, maxRating)
	}
	rs, err := db.AddRatings(got.People[0], []coach.Rating{{Subject: got.People[0].ID, Rater: got.People[0].ID, Area: "planning", Score: 5, At: migrateNow}}, "")
	if err != nil || rs[0].ID != extras.Sequences.Ratings+1 {
		t.Errorf("the next rating id is %v (%v), want %d", rs, err, extras.Sequences.Ratings+1)
	}
	for _, id := range []string{"event:Ev0001", "view-submission-1"} {
		if seen, err := db.Submitted(id); err != nil || !seen {
			t.Errorf("Submitted(%s) = %v, %v after the copy", id, seen, err)
		}
	}
	due, _, err := db.DueBefore(migrateNow, 0)
	if err != nil || len(due) != len(want.People) {
		t.Errorf("%d people due for the scheduler to work out (%v), want everyone (%d)", len(due), err, len(want.People))
	}

	// Again: the target has changed since (the rating above), which a
	// re-run notices and leaves alone; with it gone, nothing to copy, and
	// verified.
	code, out, errs = cli(t, "migrate", "-from", path, "-to", u)
	if code != 1 {
		t.Fatalf("migrate again after a change: exit %d: %s%s", code, out, errs)
	}
	mustContain(t, errs, "has changed since the copy finished", "ratings differ", "Nothing was changed", "-force would replace")
	if n, _ := db.Ratings(got.People[0].ID, "planning"); len(n) == 0 || n[len(n)-1].ID != rs[0].ID {
		t.Error("the refused re-run changed the target")
	}
	// -force copies again, over the change; then a re-run has nothing to
	// copy, and verifies.
	code, out, errs = cli(t, "migrate", "-from", path, "-to", u, "-force")
	if code != 0 {
		t.Fatalf("migrate -force over a changed copy: exit %d: %s%s", code, out, errs)
	}
	mustContain(t, out, "copied "+path, "verified: exports identical")
	code, out, errs = cli(t, "migrate", "-from", path, "-to", u)
	if code != 0 {
		t.Fatalf("migrate again: exit %d: %s%s", code, out, errs)
	}
	mustContain(t, out, "copied into", "already", "verified: exports identical")
}

// TestMigrateOlderFile copies a file written by schema v2's code (the
// fixture of storage's migration tests) as this build reads it,
// without changing the file.
func TestMigrateOlderFile(t *testing.T) {
	t.Parallel()
	u := pgtest.URL(t)
	raw, err := os.ReadFile("../../storage/testdata/v2.db")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "old.db")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := cli(t, "migrate", "-from", path, "-to", u)
	if code != 0 {
		t.Fatalf("migrate: exit %d: %s%s", code, out, errs)
	}
	mustContain(t, errs, "is schema v2", "the file itself is not changed")
	mustContain(t, out, "verified: exports identical")
	if after, _ := os.ReadFile(path); !bytes.Equal(after, raw) {
		t.Error("migrate changed the file it copied")
	}
	got, err := openPG(t, u).ExportAll(migrateNow)
	if err != nil || len(got.People) == 0 || len(got.Ratings) == 0 {
		t.Fatalf("the copy: %d people, %d ratings, %v", len(got.People), len(got.Ratings), err)
	}
}

// TestMigrateRefusesANonEmptyTarget: a database that holds records, or
// the copy of another file, is left alone unless -force.
func TestMigrateRefusesANonEmptyTarget(t *testing.T) {
	t.Parallel()
	u := pgtest.URL(t)
	path := seedMigrate(t, 5)
	db := openPG(t, u)
	for _, id := range []string{"UALREADY1", "UALREADY2"} {
		if _, err := db.Enroll(coach.Person{ID: id, EnrolledAt: migrateNow}); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errs := cli(t, "migrate", "-from", path, "-to", u)
	if code != 1 || out != "" {
		t.Fatalf("migrate into a used database: exit %d: %s%s", code, out, errs)
	}
	mustContain(t, errs, "already holds 2 people", "-force", "nothing was changed")
	if strings.Count(strings.TrimSpace(errs), "\n") > 0 {
		t.Errorf("the refusal is more than one line: %s", errs)
	}
	if e, _ := db.ExportAll(migrateNow); len(e.People) != 2 {
		t.Errorf("after the refusal the target holds %d people, want the 2 it had", len(e.People))
	}

	code, out, errs = cli(t, "migrate", "-from", path, "-to", u, "-force")
	if code != 0 {
		t.Fatalf("migrate -force: exit %d: %s%s", code, out, errs)
	}
	mustContain(t, out, "verified: exports identical")

	// A copy of another file is refused too, naming the first.
	other := seedMigrate(t, 6)
	code, _, errs = cli(t, "migrate", "-from", other, "-to", u)
	if code != 1 {
		t.Fatalf("migrate another file: exit %d: %s", code, errs)
	}
	mustContain(t, errs, "a finished copy of "+path, "-force", "nothing was changed")
}

// TestMigrateResumesAfterAnInterruption: a copy cancelled after three
// batches leaves them committed; the same command again finishes it and
// verifies, while another file is refused in between.
func TestMigrateResumesAfterAnInterruption(t *testing.T) {
	t.Parallel()
	u := pgtest.URL(t)
	path := seedMigrate(t, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	batches, copied := 0, 0
	var out, errs bytes.Buffer
	err := migrate(ctx, migrateOptions{from: path, to: u, toVar: "-to", batch: 50, afterBatch: func(p postgres.ImportProgress) {
		if batches++; batches == 3 {
			copied = p.Done
			cancel()
		}
	}}, &out, &errs)
	if err == nil || !strings.Contains(err.Error(), "run the same command again") {
		t.Fatalf("the interrupted migrate: %v", err)
	}
	if exitCode(err, &errs) != 1 {
		t.Errorf("an interrupted migrate exits %d, want 1", exitCode(err, &errs))
	}
	db := openPG(t, u)
	var done int
	if err := db.Pool().QueryRow(context.Background(), `SELECT done FROM import`).Scan(&done); err != nil || done != copied || copied < 60 {
		t.Fatalf("after three batches the mark says %d (%v), want %d (past the people and into the ratings)", done, err, copied)
	}

	if label, unfinished, err := db.ImportUnfinished(context.Background()); err != nil || !unfinished || label != path {
		t.Errorf("ImportUnfinished = %q, %v, %v; want %q, true", label, unfinished, err, path)
	}
	// microcoach refuses to start on a half copy.
	c := DefaultConfig()
	c.AppToken, c.BotToken, c.SlackAPIURL, c.AdminAddr, c.DatabaseURL = "xapp-1", "xoxb-1", "http://127.0.0.1:1/api/", "", u
	var serveErr strings.Builder
	if code := exitCode(serve(context.Background(), c, io.Discard, nil), &serveErr); code != 2 {
		t.Errorf("serve on a half copy: exit %d, want 2: %s", code, serveErr.String())
	}
	mustContain(t, serveErr.String(), "MICROCOACH_DATABASE_URL", "unfinished copy of "+path, "microcoach migrate again")

	other := seedMigrate(t, 3)
	code, _, stderr := cli(t, "migrate", "-from", other, "-to", u)
	if code != 1 {
		t.Fatalf("migrate another file over an unfinished copy: exit %d: %s", code, stderr)
	}
	mustContain(t, stderr, "an unfinished copy of "+path)

	code, stdout, stderr := cli(t, "migrate", "-from", path, "-to", u, "-batch", "50")
	if code != 0 {
		t.Fatalf("migrate again: exit %d: %s%s", code, stdout, stderr)
	}
	mustContain(t, stdout, "continuing the copy started", "verified: exports identical")
	if _, unfinished, err := db.ImportUnfinished(context.Background()); err != nil || unfinished {
		t.Errorf("ImportUnfinished after the copy finished = %v, %v", unfinished, err)
	}
	want, _ := sourceExport(t, path)
	got, err := db.ExportAll(migrateNow)
	if err != nil {
		t.Fatal(err)
	}
	if diff := exportDiff(want, got); len(diff) > 0 {
		t.Fatalf("after the resumed copy the exports differ in %v", diff)
	}
}

// TestMigrateBadInput: what an operator can get wrong, each with one
// line that says what, and the password never shown.
func TestMigrateBadInput(t *testing.T) {
	t.Parallel()
	path := seedMigrate(t, 4)
	const password = "s3cret-pw-never-shown"
	bad := "postgres://microcoach:" + password + "@127.0.0.1:1/microcoach?connect_timeout=2"
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"no source", []string{"-to", bad}, 2, []string{"say which bbolt file"}},
		{"missing source", []string{"-from", "/nonexistent/microcoach.db", "-to", bad}, 2, []string{"-from: there is no database at /nonexistent/microcoach.db"}},
		{"unreachable server", []string{"-from", path, "-to", bad}, 2, []string{"microcoach: -to: ", "127.0.0.1"}},
		{"not a URL", []string{"-from", path, "-to", "mysql://root:" + password + "@db/x"}, 2, []string{"microcoach: -to: ", "postgres://"}},
		{"stray argument", []string{"-from", path, "-to", bad, "extra"}, 2, []string{`unexpected argument "extra"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := cli(t, append([]string{"migrate"}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d: %s%s", code, tc.code, out, errs)
			}
			mustContain(t, errs, tc.want...)
			if strings.Contains(out+errs, password) {
				t.Errorf("the password is shown: %s%s", out, errs)
			}
			if strings.Count(strings.TrimSpace(errs), "\n") > 0 {
				t.Errorf("more than one line: %s", errs)
			}
		})
	}
}

// TestMigrateRefusesALiveOrNewerDatabase: a file a running microcoach
// holds, and a target set up by a newer microcoach, are refused and
// left as they are.
func TestMigrateRefusesALiveOrNewerDatabase(t *testing.T) {
	t.Parallel()
	u := pgtest.URL(t)
	path := seedMigrate(t, 4)
	live, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	code, _, errs := cli(t, "migrate", "-from", path, "-to", u)
	live.Close()
	if code != 1 {
		t.Errorf("migrate from a file in use: exit %d: %s", code, errs)
	}
	mustContain(t, errs, "in use by a running microcoach", "stop it first")

	db := openPG(t, u)
	if _, err := db.Pool().Exec(context.Background(), `INSERT INTO schema_version (version, name) VALUES ($1, 'from the future')`, postgres.SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	code, _, errs = cli(t, "migrate", "-from", path, "-to", u)
	if code != 2 {
		t.Errorf("migrate into a newer database: exit %d, want 2: %s", code, errs)
	}
	mustContain(t, errs, "newer microcoach", "nothing was changed")
	var n int
	if err := db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM people`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the newer database holds %d people after the refusal (%v)", n, err)
	}
}

func pgPassword(t testing.TB, u string) string {
	t.Helper()
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	pw, ok := parsed.User.Password()
	if !ok || pw == "" {
		return "\x00no password\x00"
	}
	return pw
}

// TestMigrateRefusesWorkLeftInTheInbox: envelopes acknowledged but not
// yet done are the stopped microcoach's to finish; copying without them
// would lose what people were told was kept.
func TestMigrateRefusesWorkLeftInTheInbox(t *testing.T) {
	t.Parallel()
	u := pgtest.URL(t)
	path := seedMigrate(t, 4)
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in, err := db.OpenInbox(storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.InboxAdd([][]byte{[]byte("an envelope"), []byte("another")}, nil); err != nil {
		t.Fatal(err)
	}
	in.Close()
	db.Close()
	code, _, errs := cli(t, "migrate", "-from", path, "-to", u)
	if code != 1 {
		t.Fatalf("migrate with work in the inbox: exit %d: %s", code, errs)
	}
	mustContain(t, errs, path+".inbox holds 2 acknowledged envelopes", "start microcoach on "+path+" once", "nothing was changed")
}
