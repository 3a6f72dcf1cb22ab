package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/microcoach/microcoach/storage"
)

// exportCmd is "microcoach export [-o FILE] [-f]": every record as one
// JSON document (docs/operating.md describes it), on stdout without -o.
func exportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags, out, force := fileFlags("o", "microcoach export [-o FILE] [-f]")
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	e, from, err := exportAll(ctx, cfg)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	write := func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(e)
	}
	if *out == "" {
		return write(stdout)
	}
	if err := writeFileAtomic(*out, *force, write, nil); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(stderr, "export: wrote %s (people: %d, ratings: %d) from %s\n", *out, len(e.People), len(e.Ratings), from)
	return nil
}

// exportAll reads every record from the running microcoach's admin
// listener when one answers there, else from the file when no process
// holds it.
func exportAll(ctx context.Context, cfg Config) (storage.Export, string, error) {
	var e storage.Export
	resp, url, err := fetchAdmin(ctx, cfg, "/export")
	if err != nil {
		return e, "", err
	}
	if resp != nil {
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
			return e, "", fmt.Errorf("read %s: %w", url, err)
		}
		if e.Format != storage.ExportFormat {
			return e, "", fmt.Errorf("%s did not answer with a microcoach export", url)
		}
		return e, "the running microcoach at " + url, nil
	}
	db, err := openQuiet(cfg)
	if err != nil {
		return e, "", err
	}
	defer db.Close()
	e, err = db.ExportAll(time.Now())
	return e, "the file " + cfg.DBPath, err
}
