package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/microcoach/microcoach/storage"
)

// lockProbe is how long backup and export wait for the database's lock
// before deciding that a running microcoach holds it.
const lockProbe = 200 * time.Millisecond

// backupCmd is "microcoach backup -o FILE [-f]".
func backupCmd(ctx context.Context, args []string, stdout io.Writer) error {
	flags, out, force := fileFlags("o", "microcoach backup -o FILE [-f]")
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	if *out == "" {
		return &usageError{"backup: say where to write it: microcoach backup -o FILE"}
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	var from string
	var info storage.Info
	err = writeFileAtomic(*out, *force, func(w io.Writer) error {
		var err error
		from, err = copyDatabase(ctx, cfg, w)
		return err
	}, func(tmp string) error {
		// The copy must open and pass bbolt's check before it counts.
		var err error
		info, err = storage.Verify(tmp, time.Second)
		return err
	})
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "backup: wrote %s (%d bytes, schema v%d, %d people) from %s\n", *out, info.Bytes, info.SchemaVersion, info.People, from)
	return nil
}

// copyDatabase writes a consistent copy of the database to w: from the
// running microcoach's admin listener when one answers there, else from
// the file when no process holds it. It says where the copy came from.
func copyDatabase(ctx context.Context, cfg Config, w io.Writer) (string, error) {
	resp, url, err := fetchAdmin(ctx, cfg, "/backup")
	if err != nil {
		return "", err
	}
	if resp != nil {
		defer resp.Body.Close()
		n, err := io.Copy(w, resp.Body)
		if err != nil {
			return "", fmt.Errorf("download %s: %w", url, err)
		}
		if resp.ContentLength >= 0 && n != resp.ContentLength {
			return "", fmt.Errorf("download %s: got %d of %d bytes", url, n, resp.ContentLength)
		}
		return fmt.Sprintf("the running microcoach at %s (database %s)", url, resp.Header.Get("X-Microcoach-Database")), nil
	}
	db, err := openQuiet(cfg)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.WriteTo(w); err != nil {
		return "", err
	}
	return "the file " + cfg.DBPath, nil
}

// openQuiet opens the database for reading when no microcoach holds it,
// and explains what to do when one does.
func openQuiet(cfg Config) (*storage.DB, error) {
	db, err := storage.OpenReadOnly(cfg.DBPath, lockProbe)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("there is no database at %s (MICROCOACH_DB_PATH)", cfg.DBPath)
	}
	if errors.Is(err, storage.ErrLocked) {
		where := "MICROCOACH_ADMIN_ADDR is empty"
		if cfg.AdminAddr != "" {
			where = fmt.Sprintf("nothing answers on MICROCOACH_ADMIN_ADDR=%s", cfg.AdminAddr)
		}
		return nil, fmt.Errorf("%s is in use by a running microcoach and %s: set MICROCOACH_ADMIN_ADDR to that process's admin address (its log line \"admin listener\" shows it), or stop it first", cfg.DBPath, where)
	}
	return db, err
}

// fetchAdmin GETs path from the admin listener at cfg.AdminAddr (see
// callAdmin).
func fetchAdmin(ctx context.Context, cfg Config, path string) (*http.Response, string, error) {
	return callAdmin(ctx, cfg, http.MethodGet, path, nil, "")
}

// callAdmin sends a request to the admin listener at cfg.AdminAddr, with
// cfg.AdminToken as its bearer token. It returns a nil response, and no
// error, when nothing listens there (or the address is empty): the caller
// then uses the file itself. Any answer but 200 is an error.
func callAdmin(ctx context.Context, cfg Config, method, path string, body io.Reader, contentType string) (*http.Response, string, error) {
	addr := cfg.AdminAddr
	host, port, err := net.SplitHostPort(addr)
	if addr == "" || err != nil || port == "0" {
		return nil, "", nil
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	url := "http://" + net.JoinHostPort(host, port) + path
	client := &http.Client{Transport: &http.Transport{
		Proxy:                 nil, // the admin listener is local; never go through a proxy
		DialContext:           (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		ResponseHeaderTimeout: time.Minute,
	}}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, "", err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if cfg.AdminToken != "" {
		req.Header.Set("Authorization", "Bearer "+cfg.AdminToken)
	}
	resp, err := client.Do(req)
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body.Close()
		hint := ""
		switch resp.StatusCode {
		case http.StatusForbidden, http.StatusUnauthorized:
			hint = " (give this command the same " + envPrefix + "_ADMIN_TOKEN as the running microcoach)"
		}
		return nil, "", fmt.Errorf("%s answered %s: %s%s", url, resp.Status, strings.TrimSpace(string(msg)), hint)
	}
	return resp, url, nil
}

// restoreCmd is "microcoach restore -i FILE [-f]".
func restoreCmd(args []string, stdout io.Writer) error {
	flags, in, force := fileFlags("i", "microcoach restore -i FILE [-f]")
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	if *in == "" {
		return &usageError{"restore: say which backup: microcoach restore -i FILE"}
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	if isExport(*in) {
		return fmt.Errorf("restore: %s is an export (JSON), not a backup; restore takes a file made by microcoach backup (nothing was changed)", *in)
	}
	info, err := storage.Restore(*in, cfg.DBPath, *force)
	if errors.Is(err, storage.ErrLocked) {
		return fmt.Errorf("restore: %s is in use by a running microcoach; stop it first (nothing was changed)", cfg.DBPath)
	}
	if err != nil {
		return fmt.Errorf("restore: %w (nothing was changed)", err)
	}
	fmt.Fprintf(stdout, "restore: %s now holds %s (%d bytes, schema v%d, %d people); the previous database, if any, is %s.bak\n",
		info.Path, *in, info.Bytes, info.SchemaVersion, info.People, info.Path)
	return nil
}

// isExport reports whether the file starts like a microcoach export: a JSON
// document naming the export format.
func isExport(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 256)
	n, _ := io.ReadFull(f, head)
	head = bytes.TrimSpace(head[:n])
	return bytes.HasPrefix(head, []byte("{")) && bytes.Contains(head, []byte(storage.ExportFormat))
}

// fileFlags is the flag set of backup, restore and export: one file and
// -f. usage is the command's synopsis, shown when the flags are wrong.
func fileFlags(name, usage string) (*flag.FlagSet, *string, *bool) {
	flags := flag.NewFlagSet(usage, flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	file := flags.String(name, "", "the file")
	force := flags.Bool("f", false, "replace the file if it exists")
	return flags, file, force
}

// parseFlags turns flag errors into one-line usage errors (exit 2).
func parseFlags(flags *flag.FlagSet, args []string) error {
	if err := flags.Parse(args); err != nil {
		return &usageError{fmt.Sprintf("%v (usage: %s)", err, flags.Name())}
	}
	if flags.NArg() > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q (usage: %s)", flags.Arg(0), flags.Name())}
	}
	return nil
}

// writeFileAtomic writes path through path.tmp and renames it into place
// once write and verify succeeded, so path is never half written. It
// refuses to replace an existing path unless force is set. The file is
// readable by its owner only: it holds people's coaching data.
func writeFileAtomic(path string, force bool, write func(io.Writer) error, verify func(tmp string) error) error {
	if _, err := os.Stat(path); err == nil && !force {
		return fmt.Errorf("%s exists; choose another name or replace it with -f", path)
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && verify != nil {
		err = verify(tmp)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
