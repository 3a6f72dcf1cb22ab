package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/slackemu"
)

// orgPeople adds n people with e-mail addresses to the workspace:
// UP00 (p00@example.com, "Person 00") and so on.
func orgPeople(h *harness, n int) []slackemu.User {
	var us []slackemu.User
	for i := range n {
		u := slackemu.User{ID: fmt.Sprintf("UP%02d", i), Name: fmt.Sprintf("p%02d", i), RealName: fmt.Sprintf("Person %02d", i), TZ: "Europe/Berlin", Email: fmt.Sprintf("p%02d@example.com", i)}
		h.emu.AddUser(u)
		us = append(us, u)
	}
	return us
}

// fiftyCSV is a 50-person org by e-mail: p00 heads it, p01–p07 report to
// p00, and six people report to each of them. An HR export's extra
// column and Excel's byte order mark come along.
func fiftyCSV() (string, map[string]string) {
	managers := map[string]string{}
	var b strings.Builder
	b.WriteString("\ufeffName,Report,Manager\r\n")
	b.WriteString("Person 00,p00@example.com,\r\n")
	row := func(r, m int) {
		fmt.Fprintf(&b, "Person %02d,p%02d@example.com,P%02d@Example.com\r\n", r, r, m)
		managers[fmt.Sprintf("UP%02d", r)] = fmt.Sprintf("UP%02d", m)
	}
	for m := 1; m <= 7; m++ {
		row(m, 0)
	}
	next := 8
	for m := 1; m <= 7; m++ {
		for range 6 {
			row(next, m)
			next++
		}
	}
	return b.String(), managers
}

func writeCSV(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "org.csv")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// storedPeople reads everyone from the database of the stopped harness.
func storedPeople(t *testing.T, h *harness) map[string]coach.Person {
	t.Helper()
	ps, err := h.db().People()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]coach.Person{}
	for _, p := range ps {
		out[p.ID] = p
	}
	return out
}

// exportOf is everything stored in the database file of a stopped
// microcoach, as JSON.
func exportOf(t *testing.T, h *harness) string {
	t.Helper()
	db := h.open()
	defer db.Close()
	e, err := db.ExportAll(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.MarshalIndent(e, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// TestOrgImportFiftyPeople sets up a 50-person org from a CSV of e-mail
// addresses in one step, inside the running microcoach: a dry run first,
// then -apply; everyone is told by DM, and a second import moves people.
func TestOrgImportFiftyPeople(t *testing.T) {
	h := newHarness(t, slackemu.Options{}, opsEnv(map[string]string{"MICROCOACH_ADMIN_TOKEN": "org-import-test-token-0123"}))
	h.setenv() // the CLI reads the environment
	orgPeople(h, 50)
	csv, managers := fiftyCSV()
	file := writeCSV(t, csv)
	t.Setenv("MICROCOACH_ADMIN_ADDR", strings.TrimPrefix(h.adminURL(), "http://"))

	code, out, errs := cli(t, "org", "import", file)
	if code != 0 {
		t.Fatalf("dry run: exit %d: %s\n%s", code, errs, out)
	}
	mustContain(t, out,
		"Org chart import of "+file+" into the running microcoach's database "+h.where()+" (dry run: nothing is written)",
		"Changes (49):",
		"  line 3: p01@example.com (UP01) → manager P00@Example.com (UP00) (was: nobody)\n",
		"  line 51: p49@example.com (UP49) → manager P07@Example.com (UP07) (was: nobody)\n",
		"  line 2: p00@example.com (UP00): no manager named; left as it is\n",
		"Ignored columns: Name\n",
		"50 rows: 49 changes, 1 unchanged, 0 rows that cannot be applied.\n",
		"Nothing was written. Run again with -apply to make these 49 changes in one step.",
	)
	if n := h.emu.SeenCount("UP01"); n != 0 {
		t.Errorf("a dry run told p01 something:\n%s", h.emu.Transcript("UP01"))
	}

	code, out, errs = cli(t, "org", "import", file, "-apply")
	if code != 0 {
		t.Fatalf("apply: exit %d: %s\n%s", code, errs, out)
	}
	mustContain(t, out, "(apply)", "Changes (49):", "Applied 49 changes in one transaction.", "Told by DM: the 49 people whose manager changed, their new managers and any former ones.")
	// Each person hears who their manager is now; each manager hears
	// about each new report.
	ctx := ctxT(t)
	if _, err := h.emu.WaitSeen(ctx, "UP09", slackemu.Containing("org chart import made")); err != nil {
		t.Fatalf("p09 was not told: %v\n%s", err, h.emu.Transcript("UP09"))
	}
	mustContain(t, h.emu.Transcript("UP09"), "p01", "manager of record")
	if got := strings.Count(h.emu.Transcript("UP00"), "made you"); got != 7 {
		t.Errorf("the head was told of %d reports, want 7:\n%s", got, h.emu.Transcript("UP00"))
	}

	// The same file again changes nothing.
	code, out, _ = cli(t, "org", "import", "-apply", file)
	if code != 0 {
		t.Errorf("second apply: exit %d\n%s", code, out)
	}
	mustContain(t, out, "Unchanged (50):", "line 3: p01@example.com (UP01) already has manager P00@Example.com (UP00)", "Nothing to change.")

	// A file that would make p01 report to someone below them is refused
	// by the running microcoach too, and changes nothing.
	cycle := writeCSV(t, "report,manager\nUP01,UP09\n")
	code, out, errs = cli(t, "org", "import", "-apply", cycle)
	if code != 1 || !strings.Contains(errs, "org import: 1 row cannot be applied; nothing was written") {
		t.Errorf("a cycle: exit %d: %s", code, errs)
	}
	mustContain(t, out, "line 2: reporting cycle after this import: UP01 (p01) → UP09 (p09) → UP01 (p01) (→: reports to)")

	// A reorganisation: p08 moves from p01 to p02, and p01 now reports
	// to p08 (no cycle once p08 has moved).
	move := writeCSV(t, "report,manager\nUP08,UP02\nUP01,UP08\n")
	seen := h.emu.SeenCount("UP01")
	code, out, errs = cli(t, "org", "import", "-apply", move)
	if code != 0 {
		t.Fatalf("move: exit %d: %s\n%s", code, errs, out)
	}
	mustContain(t, out,
		"line 2: UP08 (p08) → manager UP02 (p02) (was: UP01 (p01))",
		"line 3: UP01 (p01) → manager UP08 (p08) (was: UP00 (p00))",
	)
	h.waitSeen(slackemu.User{ID: "UP01", Name: "p01"}, seen, slackemu.Containing("no longer see"))

	h.stop()
	people := storedPeople(t, h)
	managers["UP08"], managers["UP01"] = "UP02", "UP08"
	for id, m := range managers {
		if people[id].Manager != m {
			t.Errorf("%s reports to %q, want %q", id, people[id].Manager, m)
		}
	}
	if p := people["UP00"]; p.Manager != "" || p.Name != "p00" || p.TZ != "Europe/Berlin" {
		t.Errorf("the head: %+v", p)
	}
	if len(people) != 50 {
		t.Errorf("%d people stored, want 50", len(people))
	}
}

// TestOrgImportDryRun: a dry run against the file of a stopped
// microcoach shows the plan and changes nothing, not even the file.
func TestOrgImportDryRun(t *testing.T) {
	bboltOnly(t)
	h := newHarness(t, slackemu.Options{}, nil)
	h.setenv() // the CLI reads the environment
	orgPeople(h, 3)
	h.stop()
	before, err := os.ReadFile(h.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	file := writeCSV(t, "report,manager\np01@example.com,p00@example.com\nUP02,UP00\n")
	code, out, errs := cli(t, "org", "import", file)
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	mustContain(t, out, "into the file "+h.dbPath+" (dry run: nothing is written)",
		"line 2: p01@example.com (UP01) → manager p00@example.com (UP00) (was: nobody)",
		"line 3: UP02 (p02) → manager UP00 (p00) (was: nobody)",
		"2 rows: 2 changes, 0 unchanged, 0 rows that cannot be applied.")
	after, _ := os.ReadFile(h.dbPath)
	if string(before) != string(after) {
		t.Error("a dry run changed the database file")
	}
	if p := storedPeople(t, h); p["UP01"].Manager != "" || len(p) != 0 {
		t.Errorf("stored after a dry run: %+v", p)
	}
	for _, id := range []string{"UP00", "UP01", "UP02"} {
		if n := h.emu.SeenCount(id); n != 0 {
			t.Errorf("%s was told something by a dry run:\n%s", id, h.emu.Transcript(id))
		}
	}

	// From standard input, and with no database yet.
	t.Setenv("MICROCOACH_DB_PATH", filepath.Join(t.TempDir(), "new.db"))
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin := os.Stdin
	os.Stdin = r
	t.Cleanup(func() { os.Stdin = stdin })
	fmt.Fprint(w, "report,manager\nUP01,UP00\n")
	w.Close()
	code, out, errs = cli(t, "org", "import", "-")
	if code != 0 {
		t.Fatalf("stdin: exit %d: %s\n%s", code, errs, out)
	}
	mustContain(t, out, "Org chart import of standard input into the file", "(not created yet: the plan starts from an empty org)", "line 2: UP01 (p01) → manager UP00 (p00)")
	if _, err := os.Stat(filepath.Join(filepath.Dir(os.Getenv("MICROCOACH_DB_PATH")), "new.db")); err == nil {
		t.Error("a dry run created the database")
	}
}

// TestOrgImportHostile feeds an import the files an operator should not
// have: every row that cannot be applied is reported with its line, and
// nothing is applied.
func TestOrgImportHostile(t *testing.T) {
	h := newHarness(t, slackemu.Options{}, nil)
	h.setenv() // the CLI reads the environment
	orgPeople(h, 6)
	// p05 already reports to p04; the file's p04 → p05 closes a cycle.
	setup := writeCSV(t, "report,manager\nUP05,UP04\n")
	h.stop()
	if code, out, errs := cli(t, "org", "import", "-apply", setup); code != 0 {
		t.Fatalf("setup: exit %d: %s\n%s", code, errs, out)
	}
	beforeDB := exportOf(t, h)
	seen := map[string]int{}
	for _, id := range []string{"UP00", "UP01", "UP02", "UP03", "UP04", "UP05", ana.ID} {
		seen[id] = h.emu.SeenCount(id)
	}

	hostile := "\ufeffreport,manager\n" +
		"p01@example.com,p00@example.com\n" + // line 2: fine
		"nobody@example.com,p00@example.com\n" + // 3: unknown e-mail
		"p02@example.com,UROBOT\n" + // 4: a bot
		"UGONE,p00@example.com\n" + // 5: deactivated
		"p01@example.com,p00@example.com\n" + // 6: the same report again
		"UP02,UP03\n" + // 7: a cycle with line 8
		"UP03,UP02\n" + // 8
		"UP04,UP05\n" + // 9: a cycle with what is stored
		"UP0\xff,UP00\n" + // 10: not UTF-8
		"Ana Lima,UP00\n" + // 11: neither id nor e-mail
		"\n" +
		"UANA,UANA\n" // 13: yourself
	file := writeCSV(t, hostile)
	code, out, errs := cli(t, "org", "import", "-apply", file)
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s\n%s", code, errs, out)
	}
	mustContain(t, errs, "microcoach: org import: 10 rows cannot be applied; nothing was written\n")
	mustContain(t, out,
		"Changes (1):\n  line 2: p01@example.com (UP01) → manager p00@example.com (UP00) (was: nobody)\n",
		"Cannot apply (10):\n",
		"  line 3: unknown e-mail nobody@example.com: no active Slack account has it\n",
		"  line 4: manager UROBOT (deploybot) is a bot; only people can have or be a manager of record\n",
		"  line 5: UGONE (gone) is deactivated in Slack\n",
		"  line 6: p01@example.com (UP01) is listed again, with the same manager as on line 2; remove this row\n",
		"  line 7: reporting cycle after this import: UP02 (p02) → UP03 (p03) → UP02 (p02) (→: reports to)\n",
		"  line 8: reporting cycle after this import: UP03 (p03) → UP02 (p02) → UP03 (p03) (→: reports to)\n",
		"  line 9: reporting cycle after this import: UP04 (p04) → UP05 (p05) → UP04 (p04) (→: reports to)\n",
		"  line 10: not valid UTF-8 text; save the file as CSV in UTF-8\n",
		"  line 11: \"Ana Lima\" is neither a Slack user id (U…) nor an e-mail address\n",
		"  line 13: UANA (ana) is named as their own manager\n",
		"11 rows: 1 change, 0 unchanged, 10 rows that cannot be applied.\n",
		"Nothing was written: 10 rows cannot be applied. Fix them and run again, or use -skip-bad to apply the other 1 change.",
	)
	nothingChanged := func(what string) {
		t.Helper()
		if after := exportOf(t, h); after != beforeDB {
			t.Errorf("%s: the database changed:\n%s\nwas\n%s", what, after, beforeDB)
		}
		for id, n := range seen {
			if h.emu.SeenCount(id) != n {
				t.Errorf("%s: %s was told something:\n%s", what, id, h.emu.Transcript(id))
			}
		}
	}
	nothingChanged("rows that cannot be applied")

	// Files refused whole.
	var big strings.Builder
	big.WriteString("report,manager\n")
	for i := range 100_000 {
		fmt.Fprintf(&big, "U%07d,UP00\n", i)
	}
	for _, tc := range []struct{ name, csv, want string }{
		{"100,000 rows", big.String(), "more than 10000 rows (line 10002 is row 10001); split the file"},
		{"wrong columns", "employee,boss\np01@example.com,p00@example.com\n", `line 1 must be the header naming the columns report and manager; it has "employee", "boss"`},
		{"no header", "p01@example.com,p00@example.com\n", `add a first line "report,manager"`},
		{"empty", "", "the file is empty"},
		{"UTF-16", "\xff\xfer\x00e\x00", "save it as CSV in UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := cli(t, "org", "import", "-apply", writeCSV(t, tc.csv))
			if code != 1 || !strings.Contains(errs, tc.want) || !strings.HasSuffix(errs, "; nothing was written\n") || out != "" {
				t.Errorf("exit %d, stderr %q, want %q; stdout:\n%s", code, errs, tc.want, out)
			}
		})
	}
	nothingChanged("refused files")

	// -skip-bad applies the one row that can be, and still exits 1.
	code, out, errs = cli(t, "org", "import", "-apply", "-skip-bad", file)
	if code != 1 {
		t.Fatalf("-skip-bad: exit %d: %s\n%s", code, errs, out)
	}
	mustContain(t, errs, "10 rows skipped (-skip-bad); the other changes were applied")
	mustContain(t, out, "Applied 1 change in one transaction.")
	people := storedPeople(t, h)
	if people["UP01"].Manager != "UP00" || people["UP02"].Manager != "" || people["UP04"].Manager != "" || people["UP05"].Manager != "UP04" {
		t.Errorf("stored after -skip-bad: %+v", people)
	}
	if _, ok := people["UGONE"]; ok {
		t.Error("a deactivated person was enrolled")
	}
}

// TestOrgImportRateLimited: Slack's 429s are waited out (Retry-After), a
// bounded number of times.
func TestOrgImportRateLimited(t *testing.T) {
	h := newHarness(t, slackemu.Options{}, nil)
	h.setenv() // the CLI reads the environment
	orgPeople(h, 2)
	h.stop()
	file := writeCSV(t, "report,manager\np01@example.com,p00@example.com\n")
	h.emu.ForceRateLimit("users.lookupByEmail", 3, 0)
	code, out, errs := cli(t, "org", "import", file)
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	mustContain(t, errs, "org import: Slack rate limits users.lookupByEmail; waiting 50ms (0 of 2 looked up)")
	mustContain(t, out, "line 2: p01@example.com (UP01) → manager p00@example.com (UP00)")

	h.emu.ForceRateLimit("users.lookupByEmail", 100, 0)
	code, out, errs = cli(t, "org", "import", file)
	if code != 1 || !strings.Contains(errs, "slack kept rate limiting users.lookupByEmail (Retry-After 0s); try again later; nothing was written") || out != "" {
		t.Errorf("exit %d: %s\n%s", code, errs, out)
	}
	h.emu.ForceRateLimit("users.lookupByEmail", 0, 0)
}

func TestOrgImportRefusals(t *testing.T) {
	h := newHarness(t, slackemu.Options{}, nil)
	h.setenv() // the CLI reads the environment
	file := writeCSV(t, "report,manager\nUANA,UMAYA\n")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"org"}, 2, "org: say what to do: microcoach org import [-apply] [-skip-bad] FILE.csv"},
		{[]string{"org", "export"}, 2, `org: unknown subcommand "export"`},
		{[]string{"org", "import"}, 2, "org import: say which file"},
		{[]string{"org", "import", "-x", file}, 2, "flag provided but not defined: -x"},
		{[]string{"org", "import", file, "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"org", "import", "-skip-bad", file}, 2, "-skip-bad only makes sense with -apply"},
		{[]string{"org", "import", filepath.Join(t.TempDir(), "missing.csv")}, 1, "no such file"},
		// microcoach runs on the file and its admin address is unknown.
		{[]string{"org", "import", "-apply", file}, 1, "is in use by a running microcoach and MICROCOACH_ADMIN_ADDR is empty"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			if tc.code == 1 && strings.Contains(tc.want, "in use") {
				bboltOnly(t) // PostgreSQL is shared: the import may run beside microcoach
			}
			code, _, errs := cli(t, tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 {
				t.Errorf("exit %d, want %d; stderr %q, want %q", code, tc.code, errs, tc.want)
			}
		})
	}
	h.stop()
	t.Setenv("SLACK_BOT_TOKEN", "")
	code, _, errs := cli(t, "org", "import", file)
	if code != 2 || !strings.Contains(errs, "SLACK_BOT_TOKEN: is not set") {
		t.Errorf("no token: exit %d: %s", code, errs)
	}
	if people := storedPeople(t, h); len(people) != 0 {
		t.Errorf("refusals stored %+v", people)
	}
}

// TestOrgImportNeedsTheAdminToken: the admin listener's import, like its
// backup and export, opens only to the admin token.
func TestOrgImportNeedsTheAdminToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t, slackemu.Options{}, opsEnv(map[string]string{"MICROCOACH_ADMIN_TOKEN": "org-import-test-token-0123"}))
	for _, tc := range []struct {
		auth string
		want int
	}{{"", http.StatusUnauthorized}, {"Bearer not-the-token-at-all", http.StatusUnauthorized}} {
		req, _ := http.NewRequestWithContext(ctxT(t), http.MethodPost, h.adminURL()+"/org/import?apply=1", strings.NewReader("report,manager\nUANA,UMAYA\n"))
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("auth %q: %d, want %d", tc.auth, resp.StatusCode, tc.want)
		}
	}
	if p, _, _ := h.db().Person(ana.ID); p.Manager != "" {
		t.Errorf("a refused import set ana's manager to %q", p.Manager)
	}
}
