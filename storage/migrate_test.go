package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/microcoach/microcoach/coach"
)

// copyFixture copies a file from testdata into a temporary directory.
func copyFixture(t testing.TB, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// exportUTC is a whole-database export with every time in UTC (the
// compact encoding keeps instants, not zones) and the export's own stamps
// cleared, for comparing two files' contents.
func exportUTC(t testing.TB, db *DB) map[string]any {
	t.Helper()
	e, err := db.ExportAll(time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	e.SchemaVersion = 0
	raw, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return utcTimes(m).(map[string]any)
}

func utcTimes(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = utcTimes(e)
		}
	case []any:
		for i, e := range x {
			x[i] = utcTimes(e)
		}
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return t.UTC().Format(time.RFC3339Nano)
		}
	}
	return v
}

func readOnlyExport(t testing.TB, path string) (map[string]any, int) {
	t.Helper()
	ro, err := OpenReadOnly(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	v, err := ro.Version()
	if err != nil {
		t.Fatal(err)
	}
	return exportUTC(t, ro), v
}

// TestMigrateRealFiles opens files written by the code of schema v1
// (commit f017df7) and v2 (5ae9d41), both ways, and finds every record
// as the older code stored it (read back through the JSON fallback of a
// read-only open), the open ledger entries in the open index, and the
// due index filled on the scheduler's first ResetDue.
func TestMigrateRealFiles(t *testing.T) {
	v2 := copyFixture(t, "v2.db")
	want, v := readOnlyExport(t, v2)
	if v != 2 {
		t.Fatalf("fixture v2.db is v%d", v)
	}
	for _, tc := range []struct {
		file    string
		inPlace bool
	}{{"v1.db", false}, {"v1.db", true}, {"v2.db", false}, {"v2.db", true}} {
		t.Run(fmt.Sprintf("%s in place %v", tc.file, tc.inPlace), func(t *testing.T) {
			path := copyFixture(t, tc.file)
			db, err := Open(path, Options{MigrateInPlace: tc.inPlace})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if v, _ := db.Version(); v != SchemaVersion {
				t.Fatalf("version %d after Open, want %d", v, SchemaVersion)
			}
			if err := db.Check(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(path + ".migrating"); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the migration left its copy behind: %v", err)
			}
			got := exportUTC(t, db)
			// v1 and v2 fixtures hold the same records, except the v2-only
			// invitation and ULONE's answer: shared with a manager they have
			// left since, which v2 keeps shared with that manager and the
			// v1 → v2 rule makes private.
			w := want
			if tc.file == "v1.db" {
				w = maps(want)
				w["invitations"] = []any{}
				var answers []any
				for _, a := range want["answers"].([]any) {
					a := maps(a.(map[string]any))
					if a["Person"] == "ULONE" {
						delete(a, "SharedWith")
						delete(a, "SharedAt")
					}
					answers = append(answers, a)
				}
				w["answers"] = answers
			}
			if !reflect.DeepEqual(got, w) {
				a, _ := json.MarshalIndent(got, "", " ")
				b, _ := json.MarshalIndent(w, "", " ")
				t.Fatalf("records changed by the migration:\n got %s\nwant %s", a, b)
			}
			as, _ := db.Answers("ULONE")
			if len(as) != 1 || as[0].Shared() != (tc.file == "v2.db") {
				t.Errorf("ULONE's answers = %+v, want one, shared only in the v2 file", as)
			}
			as, _ = db.Answers("UPM0")
			if len(as) != 2 || as[0].SharedWith != "UMGR" || as[0].SharedAt.IsZero() {
				t.Errorf("UPM0's answers = %+v, want the first shared with UMGR", as)
			}
			open, err := db.OpenDeliveries()
			if err != nil || len(open) != 6 {
				t.Errorf("open deliveries = %d (%v), want 6 (a queued check-in and an attempted question each)", len(open), err)
			}
			if reset, err := db.ResetDue("rules"); err != nil || !reset {
				t.Fatalf("ResetDue = %v, %v", reset, err)
			}
			people, _, err := db.DueBefore(time.Now())
			if err != nil || len(people) != 5 {
				t.Errorf("due after reset: %v (%v), want all 5 people", people, err)
			}
			// New records are written compact and read back.
			r, err := db.AddRatings(coach.Person{ID: "UPM0"}, []coach.Rating{rating("UPM0", "UPM0", "planning", 7, t0)}, "")
			if err != nil {
				t.Fatal(err)
			}
			rs, _ := db.Ratings("UPM0", "planning")
			if last := rs[len(rs)-1]; last.ID != r[0].ID || last.Score != 7 || !last.At.Equal(t0) {
				t.Errorf("new rating read back as %+v", last)
			}
		})
	}
}

func maps(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestMigrationShrinksTheFile: the copy packs pages, the in-place step
// cannot.
func TestMigrationShrinksTheFile(t *testing.T) {
	src := bigV2(t, 300)
	before, _ := os.Stat(src)
	for _, inPlace := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "m.db")
		copyTestFile(t, src, path)
		db, err := Open(path, Options{MigrateInPlace: inPlace})
		if err != nil {
			t.Fatal(err)
		}
		inUse, _ := db.InUse()
		size, _ := db.Size()
		db.Close()
		t.Logf("in place %v: %d KB → %d KB file, %d KB in use", inPlace, before.Size()>>10, size>>10, inUse>>10)
		if !inPlace && size*2 > before.Size() {
			t.Errorf("copied file %d bytes, want well under half of %d", size, before.Size())
		}
	}
}

// TestMigrationFailureLeavesTheOriginal: a record the migration cannot
// read stops it; the file is byte for byte what it was, still v2, and
// the copy is gone.
func TestMigrationFailureLeavesTheOriginal(t *testing.T) {
	for _, inPlace := range []bool{false, true} {
		path := copyFixture(t, "v2.db")
		b, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		b.Update(func(tx *bolt.Tx) error {
			return tx.Bucket(bucketLedger).Put(joinKey("UPM1", "nudge", "2099-01-01T00:00"), []byte(`{"State":`)) // v2's key
		})
		b.Close()
		before, _ := os.ReadFile(path)
		if _, err := Open(path, Options{MigrateInPlace: inPlace}); err == nil || !bytes.Contains([]byte(err.Error()), []byte("UPM1")) {
			t.Fatalf("in place %v: Open of a file with a broken record = %v, want an error naming it", inPlace, err)
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(before, after) {
			t.Errorf("in place %v: the failed migration changed the file", inPlace)
		}
		if _, err := os.Stat(path + ".migrating"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the failed migration left its copy: %v", err)
		}
		ro, err := OpenReadOnly(path, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := ro.Version(); v != 2 {
			t.Errorf("version %d after a failed migration, want 2", v)
		}
		ro.Close()
	}
}

// TestBadFilesAreLeftAlone: a file that is not ours, one from a newer
// microcoach and one locked by another process give a clear error and
// are not written to.
func TestBadFilesAreLeftAlone(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	os.WriteFile(garbage, bytes.Repeat([]byte("not a database "), 1000), 0o600)
	newer := copyFixture(t, "v2.db")
	b, _ := bolt.Open(newer, 0o600, nil)
	b.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchemaVersion, u64(99)) })
	b.Close()
	locked := copyFixture(t, "v1.db")
	holder, err := bolt.Open(locked, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	for _, tc := range []struct {
		path string
		want error
	}{{garbage, ErrNotMicrocoach}, {newer, ErrNewerSchema}, {locked, ErrLocked}} {
		before, _ := os.ReadFile(tc.path)
		_, err := Open(tc.path, Options{LockTimeout: 50 * time.Millisecond})
		if !errors.Is(err, tc.want) {
			t.Errorf("Open(%s) = %v, want %v", filepath.Base(tc.path), err, tc.want)
		}
		if after, _ := os.ReadFile(tc.path); !bytes.Equal(before, after) {
			t.Errorf("Open(%s) changed the file", filepath.Base(tc.path))
		}
	}
}

func copyTestFile(t testing.TB, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	out.Close()
}

// bigV2 writes a v2 file as the v2 code did (JSON values, the same keys),
// with n more people and a year of ratings and ledger each, on top of the
// real v2 fixture.
func bigV2(t testing.TB, n int) string {
	t.Helper()
	path := copyFixture(t, "v2.db")
	writeV2People(t, path, 0, n)
	return path
}

func writeV2People(t testing.TB, path string, from, n int) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	start := time.Date(2025, 11, 3, 9, 30, 0, 0, time.UTC)
	areas := coach.PMwheel().Areas
	put := func(bk *bolt.Bucket, k []byte, v any) {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := bk.Put(k, raw); err != nil {
			t.Fatal(err)
		}
	}
	for i := from; i < from+n; i++ {
		err := b.Update(func(tx *bolt.Tx) error {
			id := fmt.Sprintf("UB%06d", i)
			put(tx.Bucket(bucketPeople), []byte(id), coach.Person{ID: id, EnrolledAt: start, TZ: "Europe/Berlin"})
			rb, lb := tx.Bucket(bucketRatings), tx.Bucket(bucketLedger)
			// What the footprint benchmark seeds: a year of weekly
			// self-ratings and nudges, monthly manager ratings and
			// check-ins, and a plan.
			for w := range 52 {
				at := start.AddDate(0, 0, 7*w)
				seq, _ := rb.NextSequence()
				r := coach.Rating{ID: seq, Subject: id, Rater: id, Area: areas[w%len(areas)].ID, Score: 1 + (i+w)%10, At: at, Via: coach.SurfaceCommand}
				put(rb, v2RatingKey(r), r)
				d := coach.Delivery{Person: id, Cadence: coach.CadenceNudge, Period: at.Format("2006-01-02T15:04"), Due: at, State: coach.DeliverySent, SentAt: at, Channel: "D" + id, TS: fmt.Sprintf("%d.000100", at.Unix()), Answered: w%3 == 0}
				put(lb, joinKey(d.Person, string(d.Cadence), d.Period), d) // v2's ledger key
				if w%4 == 0 {
					seq, _ := rb.NextSequence()
					r := coach.Rating{ID: seq, Subject: id, Rater: "UMGR", Area: areas[w%len(areas)].ID, Score: 2 + (i*w)%8, At: at.Add(time.Hour), Via: coach.SurfaceModal}
					put(rb, v2RatingKey(r), r)
					d := coach.Delivery{Person: id, Cadence: coach.CadenceCheckin, Period: at.Format("2006-01-02T15:04"), Due: at, State: coach.DeliverySent, SentAt: at, Answered: w%8 == 0}
					put(lb, joinKey(d.Person, string(d.Cadence), d.Period), d)
				}
			}
			plan := coach.Plan{Owner: id, Version: 1, Headline: "From backlog manager to strategist", Horizon: start.AddDate(0, 6, 0), CreatedAt: start, UpdatedAt: start, Themes: []coach.Theme{
				{ID: "t1", Area: "problem-understanding", Title: "Problem briefs", Actions: []coach.Action{{ID: "a1", Text: "Write three problem briefs before discovery starts"}, {ID: "a2", Text: "Review each with engineering"}}},
				{ID: "t2", Area: "team", Title: "Bad news early", Actions: []coach.Action{{ID: "a1", Text: "Send a weekly stakeholder update"}}},
			}}
			put(tx.Bucket(bucketPlans), []byte(id), plan)
			put(tx.Bucket(bucketPlanHistory), append(joinKey(id, ""), u64(1)...), coach.PlanChange{Owner: id, Version: 1, By: id, At: start, Changes: []string{"created"}})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// v2RatingKey is how v2 keyed a rating: the id in 8 bytes.
func v2RatingKey(r coach.Rating) []byte {
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(ratingPrefix(r.Subject, r.Area), uint64(r.At.UnixNano())), r.ID)
}

// TestKillNineDuringMigration kills a process at random moments of its
// v2 → v3 migration (a copy of a few MB) and checks that the file then
// opens as v2 or v3, never anything else, and that migrating it (again,
// or not) gives every record of the original.
func TestKillNineDuringMigration(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	src := bigV2(t, 500)
	want, _ := readOnlyExport(t, src)
	// How long one migration takes here, to spread the kills over it.
	probe := filepath.Join(t.TempDir(), "probe.db")
	copyTestFile(t, src, probe)
	began := time.Now()
	if db, err := Open(probe, Options{}); err != nil {
		t.Fatal(err)
	} else {
		db.Close()
	}
	took := time.Since(began)
	t.Logf("one migration takes %s", took)
	seen := map[int]int{}
	for i := range 8 {
		path := filepath.Join(t.TempDir(), "kill.db")
		copyTestFile(t, src, path)
		cmd := exec.Command(os.Args[0], "-test.run=^TestMigrationChild$")
		cmd.Env = append(os.Environ(), "MICROCOACH_MIGRATE_CHILD="+path)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Process start-up is part of the window: kill anywhere from
		// before the migration begins to around its end.
		time.Sleep(time.Duration(rand.Int64N(int64(took)*2 + int64(20*time.Millisecond))))
		cmd.Process.Kill()
		cmd.Wait()
		_, v := readOnlyExport(t, path)
		if v != 2 && v != 3 {
			t.Fatalf("kill %d: the file opens as v%d", i, v)
		}
		seen[v]++
		db, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("kill %d: Open after kill at v%d: %v\n%s", i, v, err, out.String())
		}
		got := exportUTC(t, db)
		db.Close()
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("kill %d (file was v%d): records differ after the migration", i, v)
		}
	}
	t.Logf("files found after the kills, by version: %v", seen)
}

// TestMigrationChild is the process TestKillNineDuringMigration kills.
func TestMigrationChild(t *testing.T) {
	path := os.Getenv("MICROCOACH_MIGRATE_CHILD")
	if path == "" {
		t.Skip("run by TestKillNineDuringMigration")
	}
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
}

// BenchmarkMigrateV2 migrates a v2 file of 10,000 people with a year of
// history each (JSON, as the v2 code wrote it) to v3, by copying and in
// place, and reports the time, the files' sizes and the Go heap's peak.
//
//	go test ./storage -run '^$' -bench MigrateV2 -benchtime 1x
func BenchmarkMigrateV2(b *testing.B) {
	src := filepath.Join(b.TempDir(), "v2.db")
	copyTestFile(b, filepath.Join("testdata", "v2.db"), src)
	const n = 10000
	for i := 0; i < n; i += 500 {
		writeV2People(b, src, i, 500)
	}
	before, _ := os.Stat(src)
	for _, inPlace := range []bool{false, true} {
		b.Run(fmt.Sprintf("inplace=%v", inPlace), func(b *testing.B) {
			for range b.N {
				path := filepath.Join(b.TempDir(), "m.db")
				copyTestFile(b, src, path)
				runtime.GC()
				var peak uint64
				stop := make(chan struct{})
				sampled := make(chan struct{})
				go func() {
					defer close(sampled)
					var m runtime.MemStats
					for {
						runtime.ReadMemStats(&m)
						peak = max(peak, m.HeapInuse)
						select {
						case <-stop:
							return
						case <-time.After(20 * time.Millisecond):
						}
					}
				}()
				start := time.Now()
				db, err := Open(path, Options{MigrateInPlace: inPlace})
				took := time.Since(start)
				close(stop)
				<-sampled
				if err != nil {
					b.Fatal(err)
				}
				size, _ := db.Size()
				inUse, _ := db.InUse()
				db.Close()
				b.ReportMetric(float64(took.Milliseconds()), "ms-to-migrate")
				b.ReportMetric(float64(before.Size())/(1<<20), "v2-file-MB")
				b.ReportMetric(float64(size)/(1<<20), "v3-file-MB")
				b.ReportMetric(float64(inUse)/(1<<20), "v3-in-use-MB")
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			}
		})
	}
}
