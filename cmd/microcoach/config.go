package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/kelseyhightower/envconfig"

	"github.com/microcoach/microcoach/scheduler"
)

// envPrefix is the prefix of every variable; the two tokens may also be
// given without it (SLACK_APP_TOKEN), as Slack's own tools name them.
const envPrefix = "MICROCOACH"

// Config is microcoach's configuration, read from the environment.
type Config struct {
	AppToken    string `envconfig:"SLACK_APP_TOKEN" desc:"app-level token (xapp-…) with connections:write; required for serve"`
	BotToken    string `envconfig:"SLACK_BOT_TOKEN" desc:"bot token (xoxb-…); required for serve"`
	SlackAPIURL string `envconfig:"SLACK_API_URL" default:"https://slack.com/api/" desc:"base URL of the Slack Web API; tests and the demo point it at a local emulator"`

	DBPath string `split_words:"true" default:"microcoach.db" desc:"the bbolt database file (one process); unused when MICROCOACH_DATABASE_URL is set"`
	// DatabaseURL selects PostgreSQL, the store several replicas share.
	DatabaseURL string `envconfig:"DATABASE_URL" desc:"PostgreSQL URL (postgres://user:password@host:5432/db?sslmode=require) shared by several replicas; replaces the bbolt file"`
	AdminAddr   string `split_words:"true" default:"127.0.0.1:9090" desc:"health and metrics HTTP listener; empty disables it"`
	// AdminToken guards the admin listener's /backup and /export.
	AdminToken string `split_words:"true" desc:"bearer token for /backup and /export on the admin listener (16+ characters); unset turns them off"`

	InboxWorkers int `split_words:"true" default:"16" desc:"envelopes worked on at once"`
	InboxBacklog int `split_words:"true" default:"1000" desc:"acknowledged envelopes that may wait for work; beyond it new ones are answered busy"`

	NudgeSchedule   string `split_words:"true" default:"30 9 * * MON" desc:"weekly nudge (cron), in each person's own time zone"`
	CheckinSchedule string `split_words:"true" default:"0 10 1-7 * TUE" desc:"monthly colour check-in: the first Tuesday of the month, 10:00"`
	RefreshSchedule string `split_words:"true" default:"30 10 8-14 1,4,7,10 TUE" desc:"quarterly plan refresh: the second Tuesday of Jan/Apr/Jul/Oct, 10:30, a week after the check-in"`
	DigestSchedule  string `split_words:"true" default:"0 16 * * FRI" desc:"manager digest, in the manager's time zone"`
	DigestChannel   string `split_words:"true" desc:"default channel for digests (a manager can choose their own)"`

	LedgerRetentionMonths int `split_words:"true" default:"13" desc:"ledger entries older than this many months fold into per-quarter counts; 0 keeps every entry"`

	Admins []string `desc:"Slack user ids (comma-separated) who may assign managers of record; no access to coaching data"`

	ModelFile     string `split_words:"true" desc:"competency model YAML; empty uses the built-in PMwheel"`
	QuestionsFile string `split_words:"true" desc:"question bank YAML; empty uses the built-in bank"`

	LogLevel  string `split_words:"true" default:"info" desc:"debug, info, warn or error"`
	LogFormat string `split_words:"true" default:"text" desc:"text or json"`
}

// DefaultConfig is the configuration with every default of the
// environment (the struct tags above) and nothing else: no tokens. Tests
// and the demo start from it; TestDefaultConfigIsTheEnvironmentDefaults
// keeps it equal to what loadConfig gives with nothing set.
func DefaultConfig() Config {
	return Config{
		SlackAPIURL:           "https://slack.com/api/",
		DBPath:                "microcoach.db",
		AdminAddr:             "127.0.0.1:9090",
		InboxWorkers:          16,
		InboxBacklog:          1000,
		NudgeSchedule:         "30 9 * * MON",
		CheckinSchedule:       "0 10 1-7 * TUE",
		RefreshSchedule:       "30 10 8-14 1,4,7,10 TUE",
		DigestSchedule:        "0 16 * * FRI",
		LedgerRetentionMonths: 13,
		LogLevel:              "info",
		LogFormat:             "text",
	}
}

// configError is a bad or missing setting: the variable and what is wrong.
// It makes microcoach exit with status 2.
type configError struct {
	Var     string
	Problem string
}

func (e *configError) Error() string { return e.Var + ": " + e.Problem }

// loadConfig reads the environment. It checks the form of every value but
// not whether the tokens are present (only serve needs them).
func loadConfig() (Config, error) {
	var c Config
	if err := envconfig.Process(envPrefix, &c); err != nil {
		return Config{}, &configError{Var: envPrefix, Problem: err.Error()}
	}
	return c, c.validate()
}

func (c *Config) validate() error {
	if c.AppToken != "" && !strings.HasPrefix(c.AppToken, "xapp-") {
		return &configError{Var: "SLACK_APP_TOKEN", Problem: "must be an app-level token starting with xapp- (got one starting with " + tokenKind(c.AppToken) + ")"}
	}
	if c.BotToken != "" && !strings.HasPrefix(c.BotToken, "xoxb-") {
		return &configError{Var: "SLACK_BOT_TOKEN", Problem: "must be a bot token starting with xoxb- (got one starting with " + tokenKind(c.BotToken) + ")"}
	}
	u, err := url.Parse(c.SlackAPIURL)
	switch {
	case strings.TrimSpace(c.SlackAPIURL) == "":
		return &configError{Var: envPrefix + "_SLACK_API_URL", Problem: "is empty; leave it unset for https://slack.com/api/"}
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return &configError{Var: envPrefix + "_SLACK_API_URL", Problem: fmt.Sprintf("%q is not an http(s) URL like https://slack.com/api/", c.SlackAPIURL)}
	}
	if !strings.HasSuffix(c.SlackAPIURL, "/") {
		c.SlackAPIURL += "/" // slack-go joins method names onto it
	}
	if strings.TrimSpace(c.DBPath) == "" {
		return &configError{Var: envPrefix + "_DB_PATH", Problem: "is empty; give the path of the database file"}
	}
	if c.AdminToken != "" {
		if err := checkAdminToken(c.AdminToken); err != nil {
			return &configError{Var: envPrefix + "_ADMIN_TOKEN", Problem: err.Error()}
		}
	}
	// 0 (a Config literal's zero value) means the bot's default.
	if c.InboxWorkers < 0 || c.InboxWorkers > 1024 {
		return &configError{Var: envPrefix + "_INBOX_WORKERS", Problem: fmt.Sprintf("%d is not a number from 1 to 1024", c.InboxWorkers)}
	}
	if c.InboxBacklog < 0 || c.InboxBacklog > 1_000_000 {
		return &configError{Var: envPrefix + "_INBOX_BACKLOG", Problem: fmt.Sprintf("%d is not a number from 1 to 1000000", c.InboxBacklog)}
	}
	if c.AdminAddr != "" {
		if err := checkListenAddr(c.AdminAddr); err != nil {
			return &configError{Var: envPrefix + "_ADMIN_ADDR", Problem: err.Error()}
		}
	}
	for _, s := range []struct{ name, spec string }{
		{"NUDGE_SCHEDULE", c.NudgeSchedule}, {"CHECKIN_SCHEDULE", c.CheckinSchedule},
		{"REFRESH_SCHEDULE", c.RefreshSchedule}, {"DIGEST_SCHEDULE", c.DigestSchedule},
	} {
		if strings.TrimSpace(s.spec) == "" {
			return &configError{Var: envPrefix + "_" + s.name, Problem: "is empty; give a cron spec like \"30 9 * * MON\" or \"@every 1h\""}
		}
		_, err := scheduler.Parse(s.spec)
		switch {
		case errors.Is(err, scheduler.ErrNeverFires):
			return &configError{Var: envPrefix + "_" + s.name, Problem: fmt.Sprintf("%q never fires: no date matches it (check the day of the month, the month and the weekday)", s.spec)}
		case err != nil:
			return &configError{Var: envPrefix + "_" + s.name, Problem: fmt.Sprintf("%q is not a valid cron spec: %v", s.spec, err)}
		}
	}
	if c.DigestChannel != "" && !strings.HasPrefix(c.DigestChannel, "C") && !strings.HasPrefix(c.DigestChannel, "G") {
		return &configError{Var: envPrefix + "_DIGEST_CHANNEL", Problem: fmt.Sprintf("%q should be a channel id like C0123ABCD (right-click the channel → Copy link shows it)", c.DigestChannel)}
	}
	for i, id := range c.Admins {
		id = strings.TrimSpace(id)
		if !slackUserID.MatchString(id) {
			return &configError{Var: envPrefix + "_ADMINS", Problem: fmt.Sprintf("%q is not a Slack user id like U0123ABCD (a person's profile → ⋮ → Copy member ID)", id)}
		}
		c.Admins[i] = id
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		return &configError{Var: envPrefix + "_LOG_LEVEL", Problem: fmt.Sprintf("%q is not one of debug, info, warn, error", c.LogLevel)}
	}
	switch strings.ToLower(c.LogFormat) {
	case "text", "json":
	default:
		return &configError{Var: envPrefix + "_LOG_FORMAT", Problem: fmt.Sprintf("%q is not text or json", c.LogFormat)}
	}
	return nil
}

// slackUserID is the form of a Slack user id.
var slackUserID = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// requireTokens checks what serve needs beyond the form of the values.
func (c Config) requireTokens() error {
	if strings.TrimSpace(c.AppToken) == "" {
		return &configError{Var: "SLACK_APP_TOKEN", Problem: "is not set; create an app-level token with connections:write under Basic Information → App-Level Tokens"}
	}
	if strings.TrimSpace(c.BotToken) == "" {
		return &configError{Var: "SLACK_BOT_TOKEN", Problem: "is not set; install the app to your workspace and copy the Bot User OAuth Token (xoxb-…)"}
	}
	return nil
}

// tokenKind shows the harmless start of a token, never the secret part.
func tokenKind(tok string) string {
	if i := strings.IndexByte(tok, '-'); i > 0 && i <= 5 {
		return strconv.Quote(tok[:i+1])
	}
	return "something else"
}

// minAdminToken is the shortest admin token accepted: 16 random
// characters are beyond guessing over HTTP.
const minAdminToken = 16

// checkAdminToken refuses a token too short to be a secret, or one that
// could not travel in an Authorization header. The message never shows it.
func checkAdminToken(tok string) error {
	if len(tok) < minAdminToken {
		return fmt.Errorf("is %d characters long; use at least %d random ones (openssl rand -hex 32)", len(tok), minAdminToken)
	}
	for _, r := range tok {
		if r <= ' ' || r == 0x7f {
			return fmt.Errorf("contains a space or control character; use printable characters only (openssl rand -hex 32)")
		}
	}
	return nil
}

func checkListenAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port (like 127.0.0.1:9090 or :9090)", addr)
	}
	if host != "" && host != "localhost" && net.ParseIP(host) == nil {
		return fmt.Errorf("%q: host must be an IP address, localhost or empty", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q: port must be a number from 0 to 65535", addr)
	}
	return nil
}

func (c Config) slogLevel() slog.Level {
	var l slog.Level
	_ = l.UnmarshalText([]byte(c.LogLevel)) // validated
	return l
}

const envUsage = `{{range .}}{{if .Alt}}{{if eq .Alt "SLACK_API_URL"}}{{usage_key .}}{{else}}{{.Alt}} (or {{usage_key .}}){{end}}{{else}}{{usage_key .}}{{end}}	{{if usage_default .}}{{usage_default .}}{{else}}-{{end}}	{{usage_description .}}
{{end}}`

// printEnvUsage writes every variable with its default and meaning.
func printEnvUsage(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VARIABLE\tDEFAULT\tMEANING")
	if err := envconfig.Usagef(envPrefix, &Config{}, tw, envUsage); err != nil {
		return err
	}
	return tw.Flush()
}
