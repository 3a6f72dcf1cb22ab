// Command microcoach is a Slack coaching companion for product managers and
// their managers. See README.md, or run "microcoach help".
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	// The first SIGINT or SIGTERM shuts down gracefully; a second one
	// exits at once (see watchSignals).
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, stop := watchSignals(context.Background(), sigs, os.Stderr, os.Exit)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// usageError is a command line microcoach does not understand (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// exitCode reports err on stderr in one line and picks the exit status:
// 0 success, 2 bad usage or configuration, 1 anything else.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "microcoach:", err)
	var ce *configError
	var ue *usageError
	if errors.As(err, &ce) || errors.As(err, &ue) {
		return 2
	}
	return 1
}

// run is microcoach without the process around it: main calls it with the
// real arguments, end-to-end tests with their own.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		if len(args) > 0 {
			return &usageError{"serve takes no arguments; it is configured through the environment (see microcoach help)"}
		}
		cfg, err := loadConfig()
		if err != nil {
			return err
		}
		return serve(ctx, cfg, stderr, nil)
	case "demo":
		return demo(ctx, args, stdout, stderr)
	case "backup":
		return backupCmd(ctx, args, stdout)
	case "restore":
		return restoreCmd(args, stdout)
	case "export":
		return exportCmd(ctx, args, stdout, stderr)
	case "org":
		return orgCmd(ctx, args, stdout, stderr)
	case "migrate":
		return migrateCmd(ctx, args, stdout, stderr)
	case "help", "-h", "--help", "-help":
		return printHelp(stdout)
	case "version", "--version":
		fmt.Fprintln(stdout, versionString())
		return nil
	default:
		return &usageError{fmt.Sprintf("unknown command %q; run microcoach help", cmd)}
	}
}

func printHelp(w io.Writer) error {
	fmt.Fprint(w, `microcoach — a Slack coaching companion for product managers and their managers.

Usage:
  microcoach [serve]    connect to Slack in Socket Mode and run until SIGINT/SIGTERM
  microcoach demo       run the bot against a built-in local Slack with simulated people
  microcoach backup -o FILE [-f]
                        a consistent copy of the database: from the running microcoach
                        (its admin address) or, when none runs, from the file
  microcoach restore -i FILE [-f]
                        check FILE and put it in place of the database (microcoach
                        must be stopped); the old file is kept as <db>.bak
  microcoach export [-o FILE] [-f]
                        all data as one JSON document (stdout without -o)
  microcoach org import [-apply] [-skip-bad] FILE.csv
                        set managers of record from a CSV (columns report, manager:
                        Slack user ids or e-mail addresses); a dry run without -apply,
                        which writes every change in one transaction; - reads stdin
  microcoach migrate -from FILE.db [-to postgres://…] [-force] [-batch N]
                        copy a stopped microcoach's bbolt file into PostgreSQL (-to, or
                        MICROCOACH_DATABASE_URL) and check that both export the same;
                        refuses a target that holds records unless -force (which empties
                        it); run it again after an interruption to continue. Dedupe
                        records are copied; the due index is worked out again from the
                        schedules at the first start (docs/operating.md)
  microcoach help       this text
  microcoach version    version and build information

Configuration comes from the environment:

`)
	if err := printEnvUsage(w); err != nil {
		return err
	}
	fmt.Fprint(w, `
Schedules take robfig/cron syntax (minute hour day-of-month month day-of-week),
descriptors such as "@every 5m", and a "CRON_TZ=Area/City " prefix. When both
day-of-month and day-of-week are restricted, a time must match both, so
"0 10 1-7 * TUE" is the first Tuesday of the month.

SIGTERM or SIGINT stops serve gracefully: no new scheduled work, sends in
flight get up to 10 s, then the database is closed and the exit status is 0.
A second signal exits at once with status 1.

Exit status: 0 success, 2 bad usage or configuration, 1 anything else.
`)
	return nil
}

func versionString() string {
	s := "microcoach " + version
	if bi, ok := debug.ReadBuildInfo(); ok {
		s += " (" + bi.GoVersion
		for _, kv := range bi.Settings {
			if kv.Key == "vcs.revision" && len(kv.Value) >= 12 {
				s += ", " + kv.Value[:12]
			}
		}
		s += ")"
	}
	return s
}
