package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/slackemu"
	"github.com/microcoach/microcoach/storage"
)

// seedYear writes n people, each with a plan and a year of weekly history
// (a self-rating and a nudge every week, a manager rating and a check-in
// every month), fast: without fsync, one transaction per person and kind.
func seedYear(tb testing.TB, path string, n int, now time.Time) []coach.Person {
	tb.Helper()
	db, err := storage.Open(path, storage.Options{NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	start := now.AddDate(-1, 0, 0)
	areas := coach.PMwheel().Areas
	people := make([]coach.Person, n)
	for i := range people {
		people[i] = coach.Person{ID: fmt.Sprintf("UF%05d", i), EnrolledAt: start, TZ: "Europe/Berlin", Manager: fmt.Sprintf("UF%05d", i-i%10)}
		if i%10 == 0 {
			people[i].Manager = ""
		}
	}
	// Everyone first, then the teams as an org import sets them, so the
	// reports index agrees with each person's manager.
	var org []coach.OrgChange
	enrol := make([]coach.Person, n)
	for i, p := range people {
		enrol[i] = p
		enrol[i].Manager = ""
		if p.Manager != "" {
			org = append(org, coach.OrgChange{Line: i + 1, Report: coach.OrgPerson{ID: p.ID}, Manager: coach.OrgPerson{ID: p.Manager}})
		}
	}
	if err := db.EnrollAll(enrol); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.ApplyOrg(org, start); err != nil {
		tb.Fatal(err)
	}
	for i, p := range people {
		var rs []coach.Rating
		var ds []coach.Delivery
		for w := range 52 {
			at := start.AddDate(0, 0, 7*w)
			rs = append(rs, coach.Rating{Subject: p.ID, Rater: p.ID, Area: areas[w%len(areas)].ID, Score: 3 + (i+w)%7, At: at, Via: coach.SurfaceCommand})
			ds = append(ds, coach.Delivery{Person: p.ID, Cadence: coach.CadenceNudge, Period: at.Format("2006-01-02T15:04"), Due: at, State: coach.DeliverySent, SentAt: at, Channel: "D" + p.ID, TS: fmt.Sprintf("%d.000100", at.Unix()), Answered: w%3 != 0})
			if w%4 == 0 {
				rs = append(rs, coach.Rating{Subject: p.ID, Rater: "UMGR", Area: areas[w%len(areas)].ID, Score: 2 + (i*w)%8, At: at.Add(time.Hour), Via: coach.SurfaceModal})
				ds = append(ds, coach.Delivery{Person: p.ID, Cadence: coach.CadenceCheckin, Period: at.Format("2006-01-02T15:04"), Due: at, State: coach.DeliverySent, SentAt: at, Answered: w%8 == 0})
			}
		}
		if _, err := db.AddRatings(p, rs, ""); err != nil {
			tb.Fatal(err)
		}
		if _, err := db.QueueDeliveries(ds); err != nil {
			tb.Fatal(err)
		}
		plan := coach.Plan{Headline: "From backlog manager to strategist", Horizon: now.AddDate(0, 5, 0), CreatedAt: start, UpdatedAt: start, Themes: []coach.Theme{
			{ID: "t1", Area: "problem-understanding", Title: "Problem briefs", Actions: []coach.Action{{ID: "a1", Text: "Write three problem briefs before discovery starts"}, {ID: "a2", Text: "Review each with engineering"}}},
			{ID: "t2", Area: "team", Title: "Bad news early", Actions: []coach.Action{{ID: "a1", Text: "Send a weekly stakeholder update"}}},
			{ID: "t3", Area: "listen-learn", Title: "Evidence", Actions: []coach.Action{{ID: "a1", Text: "Define a success metric for every epic"}}},
		}}
		if _, err := db.UpdatePlan(p.ID, "", func(coach.Plan) (coach.Plan, coach.PlanChange, error) {
			return plan, coach.PlanChange{By: p.ID, At: start, Changes: []string{"created"}}, nil
		}); err != nil {
			tb.Fatal(err)
		}
	}
	return people
}

// procStatus reads the memory lines of /proc/PID/status, in MB. RssAnon
// is the process's own memory; RssFile is pages of the mapped database
// (and binary), which the kernel can drop under memory pressure.
func procStatus(pid int) map[string]float64 {
	out := map[string]float64{}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && strings.HasSuffix(f[0], ":") {
			kb, _ := strconv.ParseFloat(f[1], 64)
			out[f[0]] = kb / 1024
		}
	}
	return out
}

// BenchmarkFootprint runs the real binary (its own process, so its memory
// is its own) on a database of 10,000 people with a year of history:
// time from start to a Socket Mode connection, idle memory, peak memory
// during a weekly fan-out to everyone, and the database's size.
//
//	go test ./cmd/microcoach -run '^$' -bench Footprint -benchtime 1x
func BenchmarkFootprint(b *testing.B) {
	const n = 10000
	bin, err := buildOnce()
	if err != nil {
		b.Fatal(err)
	}
	dbPath := filepath.Join(b.TempDir(), "year.db")
	seedStart := time.Now()
	people := seedYear(b, dbPath, n, time.Now())
	b.Logf("seeded %d people in %s", n, time.Since(seedStart).Round(time.Second))
	emu := slackemu.New(slackemu.Options{RateLimits: slackemu.RateLimits{Enabled: true, Scale: 20}})
	if err := emu.Start(); err != nil {
		b.Fatal(err)
	}
	defer emu.Close()
	for _, p := range people {
		emu.AddUser(slackemu.User{ID: p.ID, Name: strings.ToLower(p.ID), TZ: p.TZ})
	}
	env := func(nudge string) []string {
		return append(os.Environ(),
			"SLACK_APP_TOKEN="+emu.AppToken(), "SLACK_BOT_TOKEN="+emu.BotToken(), "MICROCOACH_SLACK_API_URL="+emu.APIURL(),
			"MICROCOACH_DB_PATH="+dbPath, "MICROCOACH_ADMIN_ADDR=", "MICROCOACH_LOG_LEVEL=warn",
			"MICROCOACH_NUDGE_SCHEDULE="+nudge, "MICROCOACH_CHECKIN_SCHEDULE="+never,
			"MICROCOACH_REFRESH_SCHEDULE="+never, "MICROCOACH_DIGEST_SCHEDULE="+never)
	}
	for range b.N {
		// Idle: no cadence due. The first start after seeding builds the
		// due index (every person is read once); the second is how a
		// restart, and any later idle hour, looks.
		var connected time.Duration
		var idle, idleAnon, firstIdle, firstAnon float64
		for run := range 2 {
			before := emu.Connects()
			cmd := exec.Command(bin, "serve")
			cmd.Env = env(never)
			start := time.Now()
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			if err := emu.WaitConnects(context.Background(), before+1); err != nil {
				b.Fatal(err)
			}
			connected = time.Since(start)
			time.Sleep(3 * time.Second) // settle
			m := procStatus(cmd.Process.Pid)
			if run == 0 {
				firstIdle, firstAnon = m["VmRSS:"], m["RssAnon:"]
			} else {
				idle, idleAnon = m["VmRSS:"], m["RssAnon:"]
			}
			cmd.Process.Signal(os.Interrupt)
			cmd.Wait()
		}

		// Fan-out: a weekly nudge to all 10,000.
		if err := dropCache(dbPath); err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command(bin, "serve")
		cmd.Env = env("@every 24h")
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		// MICROCOACH_BENCH_CGROUP names a cgroup (v1 memory controller)
		// whose limit the fan-out runs under, as a pod's would.
		if cg := os.Getenv("MICROCOACH_BENCH_CGROUP"); cg != "" {
			if err := os.WriteFile(filepath.Join(cg, "cgroup.procs"), []byte(strconv.Itoa(cmd.Process.Pid)), 0o644); err != nil {
				b.Fatal(err)
			}
			b.Logf("fan-out runs in cgroup %s", cg)
		}
		fanoutStart := time.Now()
		var peak, peakAnon float64
		deadline := time.Now().Add(10 * time.Minute)
		for time.Now().Before(deadline) {
			m := procStatus(cmd.Process.Pid)
			peak, peakAnon = max(peak, m["VmHWM:"]), max(peakAnon, m["RssAnon:"])
			if emu.OKCalls("chat.postMessage") >= n {
				break
			}
			time.Sleep(100 * time.Millisecond) // the memory sampling interval
		}
		fanout := time.Since(fanoutStart)
		cmd.Process.Signal(os.Interrupt)
		if err := cmd.Wait(); err != nil {
			b.Errorf("fan-out process: %v (killed by the OOM killer?)", err)
		}
		db, err := storage.Open(dbPath, storage.Options{})
		if err != nil {
			b.Fatal(err)
		}
		inUse, _ := db.InUse()
		size, _ := db.Size()
		db.Close()
		b.ReportMetric(float64(connected.Milliseconds()), "ms-to-connected")
		b.ReportMetric(idle, "idle-RSS-MB")
		b.ReportMetric(idleAnon, "idle-anon-MB")
		b.ReportMetric(firstIdle, "first-start-RSS-MB")
		b.ReportMetric(firstAnon, "first-start-anon-MB")
		b.ReportMetric(peak, "peak-RSS-MB")
		b.ReportMetric(peakAnon, "peak-anon-MB")
		b.ReportMetric(fanout.Seconds(), "fanout-s")
		b.ReportMetric(float64(size)/(1<<20), "db-file-MB")
		b.ReportMetric(float64(inUse)/(1<<20), "db-in-use-MB")
	}
}

// BenchmarkIdle100k runs the real binary on 100,000 people (synthetic:
// enrolled, in three time zones, no history): the first start, which
// works out everyone's due times once, and a restart, idle.
//
//	go test ./cmd/microcoach -run '^$' -bench Idle100k -benchtime 1x
func BenchmarkIdle100k(b *testing.B) {
	const n = 100000
	bin, err := buildOnce()
	if err != nil {
		b.Fatal(err)
	}
	dbPath := filepath.Join(b.TempDir(), "people.db")
	db, err := storage.Open(dbPath, storage.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	zones := []string{"Europe/Berlin", "America/New_York", "Asia/Tokyo"}
	ps := make([]coach.Person, n)
	for i := range ps {
		ps[i] = coach.Person{ID: fmt.Sprintf("UH%06d", i), EnrolledAt: time.Now().AddDate(-1, 0, 0), TZ: zones[i%3]}
	}
	if err := db.EnrollAll(ps); err != nil {
		b.Fatal(err)
	}
	db.Close()
	emu := slackemu.New(slackemu.Options{})
	if err := emu.Start(); err != nil {
		b.Fatal(err)
	}
	defer emu.Close()
	env := append(os.Environ(),
		"SLACK_APP_TOKEN="+emu.AppToken(), "SLACK_BOT_TOKEN="+emu.BotToken(), "MICROCOACH_SLACK_API_URL="+emu.APIURL(),
		"MICROCOACH_DB_PATH="+dbPath, "MICROCOACH_ADMIN_ADDR=", "MICROCOACH_LOG_LEVEL=info",
		"MICROCOACH_NUDGE_SCHEDULE="+never, "MICROCOACH_CHECKIN_SCHEDULE="+never,
		"MICROCOACH_REFRESH_SCHEDULE="+never, "MICROCOACH_DIGEST_SCHEDULE="+never)
	for range b.N {
		for run, settle := range []time.Duration{45 * time.Second, 3 * time.Second} {
			before := emu.Connects()
			cmd := exec.Command(bin, "serve")
			cmd.Env = env
			start := time.Now()
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			if err := emu.WaitConnects(context.Background(), before+1); err != nil {
				b.Fatal(err)
			}
			connected := time.Since(start)
			time.Sleep(settle) // the first start builds the due index meanwhile
			m := procStatus(cmd.Process.Pid)
			cmd.Process.Signal(os.Interrupt)
			cmd.Wait()
			name := []string{"first-start", "idle"}[run]
			b.ReportMetric(float64(connected.Milliseconds()), name+"-ms-to-connected")
			b.ReportMetric(m["VmRSS:"], name+"-RSS-MB")
			b.ReportMetric(m["VmHWM:"], name+"-peak-RSS-MB")
			b.ReportMetric(m["RssAnon:"], name+"-anon-MB")
		}
		d, err := storage.Open(dbPath, storage.Options{})
		if err != nil {
			b.Fatal(err)
		}
		size, _ := d.Size()
		d.Close()
		b.ReportMetric(float64(size)/(1<<20), "db-file-MB")
	}
}
