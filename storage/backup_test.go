package storage

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/microcoach/microcoach/coach"
)

// TestBackupUnderWriteLoad takes a hot backup while writers keep
// committing and checks that it is one consistent moment: bbolt's check
// passes, and for every writer it holds an unbroken prefix of its writes,
// at least everything committed before the backup started and nothing
// committed after it ended.
func TestBackupUnderWriteLoad(t *testing.T) {
	db := openTest(t)
	const writers = 4
	var committed [writers]atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			who := coach.Person{ID: fmt.Sprintf("UW%d", w)}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				r := coach.Rating{Subject: who.ID, Rater: who.ID, Area: "planning", Score: 1 + i%10, Note: fmt.Sprint(i), At: t0.Add(time.Duration(i) * time.Second)}
				if _, err := db.AddRatings(who, []coach.Rating{r}, ""); err != nil {
					t.Error(err)
					return
				}
				committed[w].Store(int64(i + 1))
			}
		})
	}
	waitFor(t, func() bool {
		for w := range writers {
			if committed[w].Load() < 50 {
				return false
			}
		}
		return true
	})

	var before, after [writers]int64
	for w := range writers {
		before[w] = committed[w].Load()
	}
	path := filepath.Join(t.TempDir(), "backup.db")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	var announced int64
	n, err := db.Backup(f, func(size int64) { announced = size })
	if err != nil {
		t.Fatal(err)
	}
	for w := range writers {
		after[w] = committed[w].Load()
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if n != announced || n == 0 {
		t.Errorf("wrote %d bytes, announced %d", n, announced)
	}
	// Writers go on after the backup: none of that may show up in it.
	waitFor(t, func() bool { return committed[0].Load() > after[0]+10 })
	close(stop)
	wg.Wait()

	info, err := Verify(path, time.Second)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if info.SchemaVersion != SchemaVersion || info.People != writers || info.Bytes != n {
		t.Errorf("info = %+v", info)
	}
	restored := filepath.Join(t.TempDir(), "restored.db")
	if _, err := Restore(path, restored, false); err != nil {
		t.Fatal(err)
	}
	copyDB, err := Open(restored, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	if err := copyDB.Check(); err != nil {
		t.Fatal(err)
	}
	for w := range writers {
		rs, err := copyDB.Ratings(fmt.Sprintf("UW%d", w), "planning")
		if err != nil {
			t.Fatal(err)
		}
		// A writer counts a write just after its commit, so one more than
		// the count read after the backup may be in it.
		got := int64(len(rs))
		if got < before[w] || got > after[w]+1 {
			t.Errorf("writer %d: backup holds %d ratings, committed %d before and %d after it", w, got, before[w], after[w])
		}
		for i, r := range rs {
			if r.Note != fmt.Sprint(i) {
				t.Fatalf("writer %d: rating %d is %q: not a prefix of the writes", w, i, r.Note)
			}
		}
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestOpenReadOnlyWhileOpenForWriting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := OpenReadOnly(path, 50*time.Millisecond); !errors.Is(err, ErrLocked) {
		t.Fatalf("OpenReadOnly of a database in use: %v, want ErrLocked", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("took %s", time.Since(start))
	}
	db.Close()
	ro, err := OpenReadOnly(path, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	// Readers share the file.
	ro2, err := OpenReadOnly(path, 50*time.Millisecond)
	if err != nil {
		t.Fatalf("second reader: %v", err)
	}
	ro2.Close()
	ro.Close()
}

func TestVerifyRefusesWhatIsNotOurs(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk")
	os.WriteFile(junk, bytes.Repeat([]byte("not a database "), 1000), 0o600)
	bare := filepath.Join(dir, "bare.db")
	if b, err := bolt.Open(bare, 0o600, nil); err == nil {
		b.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("other")); return err })
		b.Close()
	}
	newer := filepath.Join(dir, "newer.db")
	if b, err := bolt.Open(newer, 0o600, nil); err == nil {
		b.Update(func(tx *bolt.Tx) error {
			m, _ := tx.CreateBucket(bucketMeta)
			return m.Put(keySchemaVersion, u64(SchemaVersion+1))
		})
		b.Close()
	}
	for _, tc := range []struct {
		path string
		want error
	}{
		{junk, ErrNotMicrocoach},
		{bare, ErrNotMicrocoach},
		{newer, ErrNewerSchema},
		{filepath.Join(dir, "missing.db"), fs.ErrNotExist},
	} {
		if _, err := Verify(tc.path, 50*time.Millisecond); !errors.Is(err, tc.want) {
			t.Errorf("Verify(%s) = %v, want %v", filepath.Base(tc.path), err, tc.want)
		}
	}
}

func TestRestore(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	backup := filepath.Join(dir, "backup.db")
	db, err := Open(live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	privacyFixture(t, db)
	f, _ := os.Create(backup)
	if _, err := db.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := db.ForgetPerson("UANA"); err != nil {
		t.Fatal(err)
	}

	// In use: refused, nothing touched.
	if _, err := Restore(backup, live, false); !errors.Is(err, ErrLocked) {
		t.Fatalf("restore into a database in use: %v, want ErrLocked", err)
	}
	if _, err := os.Stat(live + ".bak"); err == nil {
		t.Fatal("a refused restore left a .bak")
	}
	db.Close()

	info, err := Restore(backup, live, false)
	if err != nil {
		t.Fatal(err)
	}
	if info.People != 3 || info.Path != live {
		t.Errorf("info = %+v", info)
	}
	for path, wantAna := range map[string]bool{live: true, live + ".bak": false} {
		db, err := OpenReadOnly(path, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if _, found, _ := db.Person("UANA"); found != wantAna {
			t.Errorf("%s: ana found = %v, want %v", filepath.Base(path), found, wantAna)
		}
		db.Close()
	}
	// A second restore must not lose the .bak of the first unless told to.
	if _, err := Restore(backup, live, false); err == nil {
		t.Fatal("a second restore replaced the .bak")
	}
	if _, err := Restore(backup, live, true); err != nil {
		t.Fatal(err)
	}
	// A damaged backup is refused before anything is touched.
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("junk"), 0o600)
	if _, err := Restore(junk, live, true); !errors.Is(err, ErrNotMicrocoach) {
		t.Fatalf("restore of junk: %v", err)
	}
}
