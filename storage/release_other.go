//go:build !linux

package storage

import bolt "go.etcd.io/bbolt"

// ReleaseMapped does nothing on systems other than Linux.
func (db *DB) ReleaseMapped() error { return nil }

func releaseMapped(*bolt.Tx) error { return nil }
