package storage

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// ErrNotMicrocoach is returned for a file that is not a microcoach
// database: not bbolt at all, damaged, or without microcoach's schema stamp.
var ErrNotMicrocoach = errors.New("not a microcoach database")

// WriteTo writes a consistent copy of the whole database to w from one
// read transaction, while writers carry on (a hot backup). The copy is a
// bbolt file that Open and OpenReadOnly accept as it is.
func (db *DB) WriteTo(w io.Writer) (int64, error) { return db.Backup(w, nil) }

// Backup is WriteTo that first tells announce (when not nil) the exact
// size of the copy, so that an HTTP handler can set Content-Length and a
// client can tell a cut-off download from a whole one.
func (db *DB) Backup(w io.Writer, announce func(size int64)) (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if announce != nil {
			announce(tx.Size())
		}
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("storage: backup: %w", err)
	}
	return n, nil
}

// OpenReadOnly opens an existing database for reading only and does not
// migrate it: for backups, exports and checking a file before a restore.
// Readers share the file, but a process that has it open for writing (a
// running microcoach) holds it exclusively: then OpenReadOnly gives up
// after lockTimeout with ErrLocked. A file without microcoach's schema
// stamp gives ErrNotMicrocoach, one from a newer microcoach ErrNewerSchema.
func OpenReadOnly(path string, lockTimeout time.Duration) (*DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: lockTimeout})
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", path, openError(err))
	}
	db := &DB{bolt: b, path: path}
	if _, err := db.schema(); err != nil {
		b.Close()
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	return db, nil
}

func openError(err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return ErrLocked
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrChecksum):
		return fmt.Errorf("%w: %v", ErrNotMicrocoach, err)
	}
	return err
}

// schema returns the file's schema version, checking that it is one this
// build can read or migrate.
func (db *DB) schema() (int, error) {
	v := -1
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if m := tx.Bucket(bucketMeta); m != nil && len(m.Get(keySchemaVersion)) == 8 {
			v = schemaVersion(tx)
		}
		return nil
	})
	switch {
	case err != nil:
		return 0, err
	case v < 1:
		return 0, fmt.Errorf("%w: it has no schema version", ErrNotMicrocoach)
	case v > SchemaVersion:
		return 0, fmt.Errorf("%w: schema v%d, this build knows up to v%d", ErrNewerSchema, v, SchemaVersion)
	}
	return v, nil
}

// Info describes a database file.
type Info struct {
	Path          string
	SchemaVersion int
	People        int
	Bytes         int64
}

// Verify checks a database file without changing it: it must be a bbolt
// file that passes bbolt's consistency check and carries a microcoach
// schema version this build can read. lockTimeout is as for OpenReadOnly.
func Verify(path string, lockTimeout time.Duration) (Info, error) {
	db, err := OpenReadOnly(path, lockTimeout)
	if err != nil {
		return Info{}, err
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		return Info{}, fmt.Errorf("storage: check %s: %w: %v", path, ErrNotMicrocoach, err)
	}
	info := Info{Path: path}
	err = db.bolt.View(func(tx *bolt.Tx) error {
		info.SchemaVersion = schemaVersion(tx)
		info.Bytes = tx.Size()
		if b := tx.Bucket(bucketPeople); b != nil {
			info.People = b.Stats().KeyN
		}
		return nil
	})
	return info, err
}

// Restore replaces the database at dst with a copy of the verified backup
// src. It refuses while dst is in use (ErrLocked), keeps the old file as
// dst.bak, and refuses to overwrite an existing dst.bak unless replaceBak
// is set: a second restore in a row must not lose the original. The new
// file is written next to dst and renamed into place, so a crash leaves
// either the old database or the new one. It returns what was restored.
func Restore(src, dst string, replaceBak bool) (Info, error) {
	info, err := Verify(src, time.Second)
	if err != nil {
		return Info{}, err
	}
	bak := dst + ".bak"
	if _, err := os.Stat(bak); err == nil && !replaceBak {
		return Info{}, fmt.Errorf("storage: restore: %s exists (from an earlier restore?); move it away first, or replace it with -f", bak)
	}
	// Hold dst's lock during the swap, so no microcoach opens it halfway.
	unlock, err := lockFile(dst)
	if err != nil {
		return Info{}, fmt.Errorf("storage: restore into %s: %w", dst, err)
	}
	defer unlock()

	tmp := dst + ".restore.tmp"
	if err := copyFile(src, tmp); err != nil {
		os.Remove(tmp)
		return Info{}, fmt.Errorf("storage: restore: %w", err)
	}
	if _, err := os.Stat(dst); err == nil {
		if err := os.Rename(dst, bak); err != nil {
			os.Remove(tmp)
			return Info{}, fmt.Errorf("storage: restore: keep the old database: %w", err)
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		return Info{}, fmt.Errorf("storage: restore: %w", err)
	}
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return Info{}, fmt.Errorf("storage: restore: %w", err)
	}
	info.Path = dst
	return info, nil
}

// lockFile takes the exclusive lock a running microcoach holds, so that
// ErrLocked says one is running. A missing file needs no lock, and neither
// does a damaged one (bbolt can't open it, so no microcoach can either).
func lockFile(path string) (unlock func(), err error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return func() {}, nil
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, ErrLocked
	case err != nil:
		return func() {}, nil
	}
	return func() { b.Close() }, nil
}

// copyFile copies src to dst and flushes it to disk.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// syncDir flushes a directory, making renames in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}
