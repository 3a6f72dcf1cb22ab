package storage

import (
	"fmt"
	"syscall"
	"unsafe"

	bolt "go.etcd.io/bbolt"
)

// ReleaseMapped lets go of the database pages this process has mapped in
// (madvise MADV_DONTNEED over bbolt's read-only, shared mapping of the
// file). Nothing is lost: the pages stay in the kernel's page cache, and
// the next read maps them back. A fan-out reads a page of every person's
// ledger; without this, every page it ever touched counts in the
// process's resident memory until the kernel needs it back.
//
// It holds a read transaction while it works, so bbolt cannot move its
// mapping (a remap needs the lock every read transaction holds).
func (db *DB) ReleaseMapped() error {
	if db.bolt == nil {
		return nil
	}
	err := db.bolt.View(func(tx *bolt.Tx) error { return releaseMapped(tx) })
	if err != nil {
		return fmt.Errorf("storage: release mapped pages: %w", err)
	}
	return nil
}

// releaseMapped is ReleaseMapped inside a transaction the caller holds
// (which keeps bbolt from moving its mapping). Slices of values read
// earlier stay valid: the pages are mapped back when read.
func releaseMapped(tx *bolt.Tx) error {
	info := tx.DB().Info()
	size := tx.Size() // within the mapping: bbolt maps at least the data it has
	if size <= 0 {
		return nil
	}
	// info.Data is the address of the mmap'd file, memory the Go runtime
	// does not manage.
	data := unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&info.Data))), size)
	return syscall.Madvise(data, syscall.MADV_DONTNEED)
}
