package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microcoach/microcoach/slackemu"
	"github.com/microcoach/microcoach/storage"
)

// cli runs a microcoach subcommand as main would and returns its exit
// status and output.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errs bytes.Buffer
	err := run(ctx, args, &out, &errs)
	code = exitCode(err, &errs)
	return code, out.String(), errs.String()
}

// TestBackupRestoreExport walks an operator's round: a backup and an
// export from the running process, the refusals while it runs, a restore
// after it stopped, and the restored data in use after a restart.
func TestBackupRestoreExport(t *testing.T) {
	bboltOnly(t)
	h := newHarness(t, slackemu.Options{}, opsEnv(map[string]string{"MICROCOACH_ADMIN_TOKEN": "backup-test-token-0123456789"}))
	h.setenv() // the CLI reads the environment
	h.team(maya, ana)
	h.slash(ana, "/rate", "planning 6 before the backup")
	admin := strings.TrimPrefix(h.adminURL(), "http://")
	t.Setenv("MICROCOACH_ADMIN_ADDR", admin)
	dir := t.TempDir()
	backup := filepath.Join(dir, "backup.db")

	code, out, errs := cli(t, "backup", "-o", backup)
	if code != 0 {
		t.Fatalf("backup: exit %d: %s", code, errs)
	}
	mustContain(t, out, "backup: wrote "+backup, fmt.Sprintf("schema v%d", storage.SchemaVersion), "2 people", "from the running microcoach at http://"+admin, h.dbPath)
	if info, err := storage.Verify(backup, time.Second); err != nil || info.People != 2 {
		t.Fatalf("the backup: %+v, %v", info, err)
	}
	if fi, _ := os.Stat(backup); fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", fi.Mode().Perm())
	}
	code, _, errs = cli(t, "backup", "-o", backup)
	if code != 1 || !strings.Contains(errs, "exists") {
		t.Errorf("a second backup to the same file: exit %d: %s", code, errs)
	}
	if code, _, errs = cli(t, "backup", "-o", backup, "-f"); code != 0 {
		t.Errorf("backup -f: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(backup + ".tmp"); err == nil {
		t.Error("backup left its .tmp file")
	}

	code, out, errs = cli(t, "export")
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, errs)
	}
	var e storage.Export
	if err := json.Unmarshal([]byte(out), &e); err != nil || e.Format != storage.ExportFormat || len(e.People) != 2 || len(e.TeamLinks) != 1 || len(e.Ratings) != 1 {
		t.Errorf("export: %v\n%s", err, out)
	}

	// Without the running process's token, nothing is served.
	t.Setenv("MICROCOACH_ADMIN_TOKEN", "someone-elses-token-0123")
	code, _, errs = cli(t, "backup", "-o", filepath.Join(dir, "stolen.db"))
	if code != 1 || !strings.Contains(errs, "401 Unauthorized") || !strings.Contains(errs, "same MICROCOACH_ADMIN_TOKEN") {
		t.Errorf("backup with the wrong token: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "stolen.db")); err == nil {
		t.Error("backup with the wrong token wrote a file")
	}
	t.Setenv("MICROCOACH_ADMIN_TOKEN", "")
	code, _, errs = cli(t, "export")
	if code != 1 || !strings.Contains(errs, "401 Unauthorized") {
		t.Errorf("export without a token: exit %d: %s", code, errs)
	}

	// While it runs, the file can't be read directly, nor replaced.
	t.Setenv("MICROCOACH_ADMIN_ADDR", "")
	code, _, errs = cli(t, "backup", "-o", filepath.Join(dir, "direct.db"))
	if code != 1 || !strings.Contains(errs, "in use by a running microcoach") {
		t.Errorf("backup of a locked file without the admin address: exit %d: %s", code, errs)
	}
	code, _, errs = cli(t, "restore", "-i", backup)
	if code != 1 || !strings.Contains(errs, "in use by a running microcoach; stop it first (nothing was changed)") {
		t.Errorf("restore while running: exit %d: %s", code, errs)
	}

	h.slash(ana, "/rate", "planning 9 after the backup")
	h.stop()

	// Stopped: backup and export read the file itself.
	code, out, errs = cli(t, "backup", "-o", filepath.Join(dir, "direct.db"))
	if code != 0 || !strings.Contains(out, "from the file "+h.dbPath) {
		t.Errorf("backup of a stopped database: exit %d: %s%s", code, out, errs)
	}
	exported := filepath.Join(dir, "export.json")
	code, _, errs = cli(t, "export", "-o", exported)
	if code != 0 || !strings.Contains(errs, "export: wrote "+exported+" (people: 2, ratings: 2) from the file") {
		t.Errorf("export -o: exit %d: %s", code, errs)
	}
	if fi, err := os.Stat(exported); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("export file: %v %v", fi, err)
	}

	code, out, errs = cli(t, "restore", "-i", backup)
	if code != 0 {
		t.Fatalf("restore: exit %d: %s", code, errs)
	}
	mustContain(t, out, "restore: "+h.dbPath+" now holds "+backup, "2 people", h.dbPath+".bak")
	if _, err := os.Stat(h.dbPath + ".bak"); err != nil {
		t.Errorf("no .bak: %v", err)
	}
	// The rating made after the backup is gone; the one before is back.
	h.start()
	got := h.slash(ana, "/rate", "planning 7")
	mustContain(t, got, "Before: *6*")
}

func TestBackupRestoreRefusals(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("MICROCOACH_DB_PATH", filepath.Join(dir, "microcoach.db"))
	t.Setenv("MICROCOACH_ADMIN_ADDR", "")
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("this is not a database"), 0o600)
	export := filepath.Join(dir, "export.json")
	os.WriteFile(export, []byte("{\n  \"format\": \"microcoach-export\",\n  \"format_version\": 1\n}\n"), 0o600)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"backup"}, 2, "microcoach backup -o FILE"},
		{[]string{"backup", "-x"}, 2, "flag provided but not defined: -x"},
		{[]string{"backup", "-o", "a", "b"}, 2, `unexpected argument "b"`},
		{[]string{"backup", "-o", filepath.Join(dir, "out.db")}, 1, "there is no database at"},
		{[]string{"restore"}, 2, "microcoach restore -i FILE"},
		{[]string{"restore", "-i", junk}, 1, "not a microcoach database"},
		{[]string{"restore", "-i", export}, 1, "is an export (JSON), not a backup"},
		{[]string{"restore", "-i", filepath.Join(dir, "missing.db")}, 1, "no such file"},
		{[]string{"export", "-o"}, 2, "flag needs an argument"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, _, errs := cli(t, tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, want %d; stderr %q, want %q", code, tc.code, errs, tc.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "microcoach.db")); err == nil {
		t.Error("a refused command created the database")
	}
}
