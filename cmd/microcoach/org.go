package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/bot"
	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/storage"
	"github.com/microcoach/microcoach/storage/postgres"
)

const orgUsage = "microcoach org import [-apply] [-skip-bad] FILE.csv (- reads standard input)"

// orgCmd is "microcoach org import [-apply] [-skip-bad] FILE.csv": set up
// managers of record from a CSV of report,manager rows (docs/org-import.md).
// A dry run by default. Exit status 0 when every row is (or would be) in
// effect, 1 when some row cannot be applied or nothing could be written,
// 2 for bad usage.
func orgCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return &usageError{"org: say what to do: " + orgUsage}
	}
	if args[0] != "import" {
		return &usageError{fmt.Sprintf("org: unknown subcommand %q; usage: %s", args[0], orgUsage)}
	}
	flags := flag.NewFlagSet(orgUsage, flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	apply := flags.Bool("apply", false, "write the changes (without it: a dry run)")
	skipBad := flags.Bool("skip-bad", false, "with -apply: apply the rows that can be, skip the others")
	if err := flags.Parse(args[1:]); err != nil {
		return &usageError{fmt.Sprintf("%v (usage: %s)", err, orgUsage)}
	}
	if flags.NArg() == 0 {
		return &usageError{"org import: say which file: " + orgUsage}
	}
	file := flags.Arg(0)
	if err := parseFlags(flags, flags.Args()[1:]); err != nil { // flags after the file
		return err
	}
	if *skipBad && !*apply {
		return &usageError{"org import: -skip-bad only makes sense with -apply (usage: " + orgUsage + ")"}
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	csv, name, err := readOrgFile(file)
	if err != nil {
		return fmt.Errorf("org import: %w", err)
	}
	opts := orgOptions{name: name, apply: *apply, skipBad: *skipBad}
	var out bytes.Buffer
	err = importOrg(ctx, cfg, csv, opts, &out, stderr)
	stdout.Write(out.Bytes())
	if err != nil {
		return fmt.Errorf("org import: %w", err)
	}
	return nil
}

// readOrgFile reads the file (or standard input for "-"), never more than
// a little past the size the import accepts: the parser refuses a bigger
// one with its own message.
func readOrgFile(file string) ([]byte, string, error) {
	r := io.Reader(os.Stdin)
	name := "standard input"
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, "", err
		}
		defer f.Close()
		r, name = f, file
	}
	b, err := io.ReadAll(io.LimitReader(r, coach.MaxOrgBytes+1))
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w", name, err)
	}
	return b, name, nil
}

type orgOptions struct {
	name           string // the file, for the report
	apply, skipBad bool
}

func (o orgOptions) query() string {
	v := url.Values{"name": {o.name}}
	if o.apply {
		v.Set("apply", "1")
	}
	if o.skipBad {
		v.Set("skip_bad", "1")
	}
	return v.Encode()
}

// orgAnswer is the admin listener's answer to POST /org/import.
type orgAnswer struct {
	Report string `json:"report"`          // what the operator reads
	Error  string `json:"error,omitempty"` // why the exit status is 1
}

// importOrg runs the import inside the running microcoach when one
// answers on the admin address, else against the file when no process
// holds it. Both run orgImport.run.
func importOrg(ctx context.Context, cfg Config, csv []byte, opts orgOptions, out, progress io.Writer) error {
	resp, addr, err := callAdmin(ctx, cfg, http.MethodPost, "/org/import?"+opts.query(), bytes.NewReader(csv), "text/csv; charset=utf-8")
	if err != nil {
		return err
	}
	if resp != nil {
		defer resp.Body.Close()
		var a orgAnswer
		if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&a); err != nil {
			return fmt.Errorf("read the answer of %s: %w", addr, err)
		}
		io.WriteString(out, a.Report)
		if a.Error != "" {
			return errors.New(a.Error)
		}
		return nil
	}

	if err := cfg.requireBotToken(); err != nil {
		return err
	}
	var store orgStore // nil, not a nil *storage.DB, when there is no file yet
	where := "the file " + cfg.DBPath
	if cfg.DatabaseURL != "" {
		// PostgreSQL is shared: the import writes to it beside any
		// running replicas, in one transaction.
		db, err := openPostgresAt(ctx, cfg.DatabaseURL, envPrefix+"_DATABASE_URL", postgres.Options{})
		if err != nil {
			return err
		}
		defer db.Close()
		store, where = db, "PostgreSQL "+db.URL()
	} else {
		db, err := openForImport(cfg, opts.apply)
		if err != nil {
			return err
		}
		if db != nil {
			defer db.Close()
			store = db
		}
	}
	log := slog.New(slog.NewTextHandler(progress, &slog.HandlerOptions{Level: slog.LevelWarn}))
	imp, err := newOrgImport(cfg, store, log, func(s string) { fmt.Fprintln(progress, "org import: "+s) })
	if err != nil {
		return err
	}
	imp.where = where
	return imp.run(ctx, bytes.NewReader(csv), opts, out)
}

// requireBotToken checks what an import needs of Slack.
func (c Config) requireBotToken() error {
	if strings.TrimSpace(c.BotToken) == "" {
		return &configError{Var: "SLACK_BOT_TOKEN", Problem: "is not set; the import looks people up in Slack and tells them by DM (and no running microcoach answers on MICROCOACH_ADMIN_ADDR to do it)"}
	}
	return nil
}

// openForImport opens the database when no microcoach holds it: read-only
// for a dry run (nil, and no error, when there is none yet: the plan is
// then made against an empty org), read-write to apply (creating it).
func openForImport(cfg Config, apply bool) (*storage.DB, error) {
	var db *storage.DB
	var err error
	if apply {
		db, err = storage.Open(cfg.DBPath, storage.Options{LockTimeout: lockProbe})
	} else {
		if _, serr := os.Stat(cfg.DBPath); errors.Is(serr, fs.ErrNotExist) {
			return nil, nil
		}
		db, err = storage.OpenReadOnly(cfg.DBPath, lockProbe)
	}
	if errors.Is(err, storage.ErrLocked) {
		where := "MICROCOACH_ADMIN_ADDR is empty"
		if cfg.AdminAddr != "" {
			where = fmt.Sprintf("nothing answers on MICROCOACH_ADMIN_ADDR=%s", cfg.AdminAddr)
		}
		return nil, fmt.Errorf("%s is in use by a running microcoach and %s: set MICROCOACH_ADMIN_ADDR to that process's admin address (its log line \"admin listener\" shows it), or stop it first; nothing was written", cfg.DBPath, where)
	}
	return db, err
}

// orgStore is what an org chart import reads and writes.
type orgStore interface {
	bot.Store
	People() ([]coach.Person, error)
	ApplyOrg(changes []coach.OrgChange, at time.Time) ([]coach.ManagerChange, error)
}

// orgImport is one import, wherever it runs: in this process against the
// file, or inside the running microcoach for its admin listener.
type orgImport struct {
	db     orgStore      // nil: no database yet (a dry run only)
	lookup *slack.Client // without automatic retries: lookups handle 429 themselves
	tell   func(ctx context.Context, ch coach.ManagerChange)
	now    func() time.Time
	note   func(string) // progress for the operator
	where  string       // which database, for the report
}

// newOrgImport builds the Slack clients and the bot an import needs from
// the configuration. bot.New does no I/O.
func newOrgImport(cfg Config, db orgStore, log *slog.Logger, note func(string)) (*orgImport, error) {
	model, err := loadModel(cfg)
	if err != nil {
		return nil, err
	}
	quiet := slack.OptionLog(slog.NewLogLogger(log.Handler(), slog.LevelDebug))
	imp := &orgImport{
		lookup: slack.New(cfg.BotToken, slack.OptionAPIURL(cfg.SlackAPIURL), quiet),
		now:    time.Now,
		note:   note,
		db:     db,
		where:  "the file " + cfg.DBPath,
	}
	if db != nil {
		// Telling people is best effort after the commit; a 429 is waited
		// out a few times.
		api := slack.New(cfg.BotToken, slack.OptionAPIURL(cfg.SlackAPIURL), quiet, slack.OptionRetry(5))
		b := bot.New(bot.Config{API: api, Store: db, Model: model, Logger: log.With("component", "bot")})
		imp.tell = func(ctx context.Context, ch coach.ManagerChange) { b.TellAssigned(ctx, ch, "") }
	}
	return imp, nil
}

// run reads, plans and (with apply) writes an org chart, and writes the
// report to out. It returns an error when some row is not in effect
// afterwards or nothing could be written; the report says which and why.
func (o *orgImport) run(ctx context.Context, in io.Reader, opts orgOptions, out io.Writer) error {
	f, err := coach.ParseOrgCSV(in)
	if err != nil {
		return fmt.Errorf("%s: %s; nothing was written", opts.name, coach.ErrorMessage(err))
	}
	keys := f.Keys()
	people := make(map[string]coach.OrgPerson, len(keys))
	for i, k := range keys {
		if i > 0 && i%200 == 0 {
			o.note(fmt.Sprintf("looked up %d of %d people in Slack", i, len(keys)))
		}
		p, err := o.resolve(ctx, k, i, len(keys))
		if err != nil {
			return fmt.Errorf("%w; nothing was written", err)
		}
		people[k] = p
	}
	current := map[string]coach.Person{}
	where := o.where
	if o.db != nil {
		ps, err := o.db.People()
		if err != nil {
			return err
		}
		for _, p := range ps {
			current[p.ID] = p
		}
	} else {
		where += " (not created yet: the plan starts from an empty org)"
	}
	plan := coach.PlanOrg(f, func(k string) coach.OrgPerson { return people[k] }, func(id string) coach.Person { return current[id] })

	mode := "dry run: nothing is written"
	if opts.apply {
		mode = "apply"
	}
	fmt.Fprintf(out, "Org chart import of %s into %s (%s)\n\n%s\n", opts.name, where, mode, plan)
	bad := len(plan.Problems)
	switch {
	case !opts.apply && bad > 0:
		fmt.Fprintf(out, "Nothing was written. Fix the rows above and run again: -apply writes nothing while any row cannot be applied (-apply -skip-bad applies the %s that can be).\n", plural(len(plan.Changes), "change"))
		return fmt.Errorf("%s cannot be applied (dry run: nothing was written)", plural(bad, "row"))
	case !opts.apply && len(plan.Changes) == 0:
		fmt.Fprintln(out, "Nothing to change.")
		return nil
	case !opts.apply:
		fmt.Fprintf(out, "Nothing was written. Run again with -apply to make these %s in one step.\n", plural(len(plan.Changes), "change"))
		return nil
	case bad > 0 && !opts.skipBad:
		fmt.Fprintf(out, "Nothing was written: %s cannot be applied. Fix them and run again, or use -skip-bad to apply the other %s.\n", plural(bad, "row"), plural(len(plan.Changes), "change"))
		return fmt.Errorf("%s cannot be applied; nothing was written", plural(bad, "row"))
	case len(plan.Changes) == 0:
		fmt.Fprintln(out, "Nothing to change.")
	default:
		done, err := o.db.ApplyOrg(plan.Changes, o.now())
		if err != nil {
			fmt.Fprintln(out, "Nothing was written: the organisation changed since the file was checked. Run the import again to see the plan as it is now.")
			return err
		}
		fmt.Fprintf(out, "Applied %s in one transaction.\n", plural(len(plan.Changes), "change"))
		told := 0
		for _, ch := range done {
			if ch.Already {
				continue
			}
			o.tell(ctx, ch)
			told++
		}
		people := fmt.Sprintf("%d people", told)
		if told == 1 {
			people = "1 person"
		}
		fmt.Fprintf(out, "Told by DM: the %s whose manager changed, their new managers and any former ones.\n", people)
	}
	if bad > 0 {
		return fmt.Errorf("%s skipped (-skip-bad); the other changes were applied", plural(bad, "row"))
	}
	return nil
}

func plural(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %ss", n, one)
}

// Bounds on waiting for Slack's rate limits while looking people up.
const (
	orgMaxRateLimited = 8               // 429s in a row for one lookup
	orgMaxRetryAfter  = 5 * time.Minute // longest single wait
	orgMinRetryAfter  = 50 * time.Millisecond
)

// resolve asks Slack who a cell is: users.lookupByEmail for an e-mail
// address, users.info for an id. Someone Slack does not know is a zero
// OrgPerson; an error means the lookup itself failed. A 429 is waited out
// (Retry-After), a bounded number of times.
func (o *orgImport) resolve(ctx context.Context, key string, i, n int) (coach.OrgPerson, error) {
	email := coach.IsOrgEmail(key)
	method := "users.info"
	if email {
		method = "users.lookupByEmail"
	}
	for attempt := 0; ; attempt++ {
		var u *slack.User
		var err error
		if email {
			u, err = o.lookup.GetUserByEmailContext(ctx, key)
		} else {
			u, err = o.lookup.GetUserInfoContext(ctx, key)
		}
		var rl *slack.RateLimitedError
		switch {
		case err == nil:
			return coach.OrgPerson{
				ID: u.ID, Name: slackName(*u), TZ: u.TZ,
				Bot: u.IsBot || u.IsAppUser || u.ID == "USLACKBOT", Deactivated: u.Deleted,
			}, nil
		case errors.As(err, &rl):
			wait := max(rl.RetryAfter, orgMinRetryAfter)
			if attempt >= orgMaxRateLimited || wait > orgMaxRetryAfter {
				return coach.OrgPerson{}, fmt.Errorf("slack kept rate limiting %s (Retry-After %s); try again later", method, rl.RetryAfter)
			}
			o.note(fmt.Sprintf("Slack rate limits %s; waiting %s (%d of %d looked up)", method, wait.Round(time.Millisecond), i, n))
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return coach.OrgPerson{}, ctx.Err()
			}
		case strings.Contains(err.Error(), "users_not_found"), strings.Contains(err.Error(), "user_not_found"):
			return coach.OrgPerson{}, nil
		case strings.Contains(err.Error(), "missing_scope"):
			return coach.OrgPerson{}, fmt.Errorf("slack refused %s (missing_scope): add the bot scope users:read.email (and users:read) to the Slack app and reinstall it", method)
		default:
			return coach.OrgPerson{}, authError("SLACK_BOT_TOKEN", fmt.Errorf("%s %s: %w", method, key, err))
		}
	}
}

// slackName is how a person is named in the report and at enrolment.
func slackName(u slack.User) string {
	switch {
	case u.Profile.DisplayName != "":
		return u.Profile.DisplayName
	case u.RealName != "":
		return u.RealName
	default:
		return u.Name
	}
}

// serveOrgImport is POST /org/import on the admin listener: the import
// runs inside the running microcoach, on its open database, with the
// Slack settings serve started with. It
// builds its own Slack clients and bot.Bot for the lookups and DMs.
func serveOrgImport(w http.ResponseWriter, r *http.Request, cfg Config, h *health, log *slog.Logger) {
	db := h.db.Load()
	if db == nil {
		http.Error(w, "database not open", http.StatusServiceUnavailable)
		return
	}
	if err := cfg.requireBotToken(); err != nil {
		http.Error(w, "configuration: "+err.Error(), http.StatusInternalServerError)
		return
	}
	q := r.URL.Query()
	opts := orgOptions{name: q.Get("name"), apply: q.Get("apply") == "1", skipBad: q.Get("skip_bad") == "1"}
	if opts.name == "" {
		opts.name = "the uploaded file"
	}
	log = log.With("component", "org-import", "file", opts.name, "apply", opts.apply)
	imp, err := newOrgImport(cfg, db, log, func(s string) { log.Info(s) })
	if err != nil {
		http.Error(w, "configuration: "+err.Error(), http.StatusInternalServerError)
		return
	}
	imp.where = "the running microcoach's database " + db.where
	var out bytes.Buffer
	err = imp.run(r.Context(), io.LimitReader(r.Body, coach.MaxOrgBytes+1), opts, &out)
	a := orgAnswer{Report: out.String()}
	if err != nil {
		a.Error = err.Error()
	}
	log.Info("org import served", "remote", r.RemoteAddr, "result", cmp.Or(a.Error, "ok"))
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(a)
}
