package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/microcoach/microcoach/storage"
	"github.com/microcoach/microcoach/storage/postgres"
)

const migrateUsage = "microcoach migrate -from FILE.db [-to postgres://…] [-force] [-batch N]"

// migrateOptions are migrate's flags, and a hook for tests.
type migrateOptions struct {
	from, to string
	toVar    string // what named the URL: -to or MICROCOACH_DATABASE_URL
	force    bool
	batch    int

	afterBatch func(postgres.ImportProgress)
}

// migrateCmd is "microcoach migrate -from FILE.db -to postgres://…": copy
// a stopped microcoach's bbolt file into PostgreSQL, then check that the
// two databases export the same document.
func migrateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet(migrateUsage, flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	var o migrateOptions
	flags.StringVar(&o.from, "from", "", "the bbolt file")
	flags.StringVar(&o.to, "to", "", "the PostgreSQL URL")
	flags.BoolVar(&o.force, "force", false, "empty a target that holds records")
	flags.IntVar(&o.batch, "batch", 5000, "records per transaction")
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	o.toVar = "-to"
	if o.to == "" {
		o.to, o.toVar = os.Getenv(envPrefix+"_DATABASE_URL"), envPrefix+"_DATABASE_URL"
	}
	switch {
	case o.from == "":
		return &usageError{"migrate: say which bbolt file to copy: " + migrateUsage}
	case o.to == "":
		return &usageError{"migrate: say where to copy it: -to postgres://user:password@host:5432/microcoach, or set " + envPrefix + "_DATABASE_URL (usage: " + migrateUsage + ")"}
	case o.batch < 1:
		return &usageError{"migrate: -batch must be 1 or more"}
	}
	return migrate(ctx, o, stdout, stderr)
}

func migrate(ctx context.Context, o migrateOptions, stdout, stderr io.Writer) error {
	start := time.Now()
	src, err := openSource(o.from)
	if err != nil {
		return err
	}
	defer src.Close()

	// Reading everything back to verify is one statement per kind, and
	// may take longer than a request of the bot's.
	pg, err := openPostgresAt(ctx, o.to, o.toVar, postgres.Options{OpTimeout: time.Hour})
	var ce *configError
	switch {
	case errors.As(err, &ce):
		return err // one line naming the setting
	case err != nil:
		return fmt.Errorf("migrate: %w", err)
	}
	defer pg.Close()
	target := pg.URL()

	e, x, err := readSource(src, o.from, stderr)
	if err != nil {
		return err
	}

	next := 10 // the next percentage to report
	res, err := pg.Import(ctx, postgres.ImportSource{Export: e, Extras: x, Label: o.from}, postgres.ImportOptions{
		Force: o.force, BatchSize: o.batch, AfterBatch: func(p postgres.ImportProgress) {
			if pc := p.Done * 100 / max(p.Total, 1); pc >= next && pc < 100 {
				fmt.Fprintf(stderr, "migrate: %d%% (%d of %d records)\n", pc, p.Done, p.Total)
				next = pc/10*10 + 10
			}
			if o.afterBatch != nil {
				o.afterBatch(p)
			}
		},
	})
	people, ratings := len(e.People), len(e.Ratings)
	want := digestExport(e)
	e, x = storage.Export{}, storage.Extras{} // let them go before the copy is read back
	var notEmpty *postgres.ImportNotEmptyError
	var other *postgres.ImportOtherError
	switch {
	case errors.As(err, &notEmpty):
		return fmt.Errorf("migrate: %s: %v; pass -force to empty it and copy %s into it (nothing was changed)", target, notEmpty, o.from)
	case errors.As(err, &other):
		return fmt.Errorf("migrate: %s: %v; pass -force to empty it and copy %s into it instead (nothing was changed)", target, other, o.from)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("migrate: interrupted; run the same command again to continue where it stopped")
	case err != nil:
		return fmt.Errorf("migrate: %w; run the same command again to continue where it stopped", err)
	}

	switch {
	case res.AlreadyDone:
		fmt.Fprintf(stdout, "migrate: %s was copied into %s already (finished %s); nothing to copy\n", o.from, target, res.FinishedAt.UTC().Format(time.RFC3339))
	default:
		how := "copied"
		if res.Resumed {
			how = "finished copying (continuing the copy started " + res.StartedAt.UTC().Format(time.RFC3339) + ")"
		}
		fmt.Fprintf(stdout, "migrate: %s %s into %s in %s\n", how, o.from, target, time.Since(start).Round(time.Millisecond))
		for _, c := range res.Counts {
			fmt.Fprintf(stdout, "  %-16s %d\n", c.Kind, c.N)
		}
	}

	got, err := pg.ExportAll(start)
	if err != nil {
		return fmt.Errorf("migrate: verify: %w", err)
	}
	if diff := want.diff(digestExport(got)); len(diff) > 0 && res.AlreadyDone {
		return fmt.Errorf("migrate: verify: %s has changed since the copy finished at %s (%s differ): is microcoach running on it? Nothing was changed; -force would replace what is there with %s",
			target, res.FinishedAt.UTC().Format(time.RFC3339), strings.Join(diff, ", "), o.from)
	} else if len(diff) > 0 {
		return fmt.Errorf("migrate: verify: the exports differ in %s: the copy in %s is not what %s holds; empty it with -force and migrate again",
			strings.Join(diff, ", "), target, o.from)
	}
	fmt.Fprintf(stdout, "verified: exports identical (%d people, %d ratings); took %s\n", people, ratings, time.Since(start).Round(time.Millisecond))
	if !res.AlreadyDone {
		fmt.Fprintf(stdout, "next: start microcoach with %s_DATABASE_URL set to it; keep %s as it is (it is the way back)\n", envPrefix, o.from)
	}
	return nil
}

// openSource opens the bbolt file at path for reading, refusing one a
// running microcoach holds, one with acknowledged work waiting in its
// inbox, and one from a newer microcoach.
func openSource(path string) (*storage.DB, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, &configError{Var: "-from", Problem: "there is no database at " + path}
	}
	db, err := storage.OpenReadOnly(path, lockProbe)
	switch {
	case errors.Is(err, storage.ErrLocked):
		return nil, fmt.Errorf("migrate: %s is in use by a running microcoach; stop it first, so that nothing it writes after the copy is lost (nothing was changed)", path)
	case errors.Is(err, storage.ErrNewerSchema):
		return nil, fmt.Errorf("migrate: %s was written by a newer microcoach than this one (%v); migrate with that version (nothing was changed)", path, err)
	case err != nil:
		return nil, fmt.Errorf("migrate: %w", err)
	}
	waiting, err := storage.InboxWaiting(path, lockProbe)
	if errors.Is(err, storage.ErrLocked) {
		err = fmt.Errorf("%s is in use by a running microcoach; stop it first (nothing was changed)", storage.InboxPath(path))
	}
	if err == nil && waiting > 0 {
		err = fmt.Errorf("%s holds %d acknowledged envelopes not yet done; start microcoach on %s once so that it does them, stop it, and migrate then (nothing was changed)",
			storage.InboxPath(path), waiting, path)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return db, nil
}

// readSource reads every record of the file db (at path). A file of an
// older schema is read through a copy brought up to date, as serve would
// bring the file (the file itself is left alone).
func readSource(db *storage.DB, path string, stderr io.Writer) (storage.Export, storage.Extras, error) {
	read := func(db *storage.DB) (storage.Export, storage.Extras, error) {
		e, err := db.ExportAll(time.Now())
		var x storage.Extras
		if err == nil {
			x, err = db.ExportExtras()
		}
		if err != nil {
			err = fmt.Errorf("migrate: read %s: %w", path, err)
		}
		return e, x, err
	}
	v, err := db.Version()
	if err != nil {
		return storage.Export{}, storage.Extras{}, fmt.Errorf("migrate: read %s: %w", path, err)
	}
	if v >= storage.SchemaVersion {
		return read(db)
	}
	dir, err := os.MkdirTemp("", "microcoach-migrate-")
	if err != nil {
		return storage.Export{}, storage.Extras{}, fmt.Errorf("migrate: %w", err)
	}
	defer os.RemoveAll(dir)
	copyPath := filepath.Join(dir, "source.db")
	if err := copyTo(db, copyPath); err != nil {
		return storage.Export{}, storage.Extras{}, fmt.Errorf("migrate: copy %s to bring it up to schema v%d: %w", path, storage.SchemaVersion, err)
	}
	fmt.Fprintf(stderr, "migrate: %s is schema v%d; reading it through a copy brought up to v%d (the file itself is not changed)\n", path, v, storage.SchemaVersion)
	up, err := storage.Open(copyPath, storage.Options{NoSync: true})
	if err != nil {
		return storage.Export{}, storage.Extras{}, fmt.Errorf("migrate: bring a copy of %s up to schema v%d: %w", path, storage.SchemaVersion, err)
	}
	defer up.Close()
	return read(up)
}

func copyTo(db *storage.DB, path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = db.WriteTo(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// exportDigest is a sha256 of each part of an export, as canonical JSON
// (each record encoded the one way Go encodes its type, one at a time).
// It leaves out what differs between any two databases however equal
// their records: when the export was made, and the schema version, which
// is each backend's own numbering. Comparing digests instead of exports
// lets the first export go before the second is read: either is as big
// as the database.
type exportDigest map[string][sha256.Size]byte

func digestExport(e storage.Export) exportDigest {
	d := exportDigest{}
	v := reflect.ValueOf(e)
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Name == "ExportedAt" || f.Name == "SchemaVersion" {
			continue
		}
		h := sha256.New()
		enc := json.NewEncoder(h)
		if x := v.Field(i); x.Kind() == reflect.Slice {
			fmt.Fprintf(h, "%d\n", x.Len())
			for j := range x.Len() {
				if err := enc.Encode(x.Index(j).Interface()); err != nil {
					fmt.Fprintf(h, "unencodable %d: %v\n", j, err)
				}
			}
		} else if err := enc.Encode(x.Interface()); err != nil {
			fmt.Fprintf(h, "unencodable: %v\n", err)
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		d[name] = [sha256.Size]byte(h.Sum(nil))
	}
	return d
}

// diff names the parts that differ, in the order of their names.
func (d exportDigest) diff(other exportDigest) []string {
	var out []string
	for name, sum := range d {
		if other[name] != sum {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// exportDiff names the parts of two exports that differ.
func exportDiff(a, b storage.Export) []string { return digestExport(a).diff(digestExport(b)) }
