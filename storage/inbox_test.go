package storage

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// TestInboxKeepsOrderAcrossReopen: records come back oldest first after
// the file is closed and opened again, without those removed.
func TestInboxKeepsOrderAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	in, err := db.OpenInbox(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var all []uint64
	for i := range 5 {
		seqs, err := in.InboxAdd([][]byte{[]byte(fmt.Sprint("a", i)), []byte(fmt.Sprint("b", i))}, nil)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, seqs...)
	}
	// Remove two, in the same transaction as a new record.
	if _, err := in.InboxAdd([][]byte{[]byte("c")}, []uint64{all[0], all[3]}); err != nil {
		t.Fatal(err)
	}
	in.Close()
	if in, err = db.OpenInbox(Options{}); err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if got := in.Path(); got != InboxPath(path) {
		t.Errorf("path %s", got)
	}
	var got []string
	var last uint64
	if err := in.InboxPending(func(seq uint64, rec []byte) error {
		if seq <= last {
			t.Errorf("seq %d after %d", seq, last)
		}
		last = seq
		got = append(got, string(rec))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[b0 a1 a2 b2 a3 b3 a4 b4 c]" {
		t.Errorf("pending %v", got)
	}
	if err := db.Probe(time.Now()); err != nil {
		t.Errorf("probe on a healthy disk: %v", err)
	}
	if db.WriteFailures() != 0 {
		t.Errorf("%d write failures on a healthy disk", db.WriteFailures())
	}
}
