package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/microcoach/microcoach/bot"
	"github.com/microcoach/microcoach/coach"
	"github.com/microcoach/microcoach/coach/coachfile"
	"github.com/microcoach/microcoach/storage"

	_ "time/tzdata" // time zones in a scratch container
)

// hooks let tests and the demo see inside a running serve.
type hooks struct {
	// now replaces the clock of the bot.
	now func() time.Time
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.slogLevel()}
	if strings.EqualFold(cfg.LogFormat, "json") {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func loadModel(cfg Config) (coach.Model, error) {
	if cfg.ModelFile == "" {
		return coach.PMwheel(), nil
	}
	m, err := coachfile.LoadModel(cfg.ModelFile)
	if err != nil {
		return coach.Model{}, &configError{Var: envPrefix + "_MODEL_FILE", Problem: err.Error()}
	}
	return m, nil
}

// serve connects to Slack and answers until ctx is done.
func serve(ctx context.Context, cfg Config, logw io.Writer, h *hooks) error {
	if err := cfg.requireTokens(); err != nil {
		return err
	}
	log := newLogger(cfg, logw)
	model, err := loadModel(cfg)
	if err != nil {
		return err
	}
	db, err := storage.Open(cfg.DBPath, storage.Options{})
	if err != nil {
		return err
	}
	defer db.Close()

	api := slack.New(cfg.BotToken,
		slack.OptionAppLevelToken(cfg.AppToken),
		slack.OptionAPIURL(cfg.SlackAPIURL),
		slack.OptionLog(slog.NewLogLogger(log.With("component", "slack-go").Handler(), slog.LevelDebug)),
	)
	auth, err := api.AuthTestContext(ctx)
	if err != nil {
		return authError("SLACK_BOT_TOKEN", err)
	}
	log.Info("connected to Slack Web API", "team", auth.Team, "bot_user", auth.UserID, "model", model.Name, "areas", len(model.Areas), "db", cfg.DBPath)

	sm := socketmode.New(api,
		socketmode.OptionLog(slog.NewLogLogger(log.With("component", "socketmode").Handler(), slog.LevelDebug)),
	)
	bcfg := bot.Config{API: api, Store: db, Model: model, Logger: log.With("component", "bot")}
	if h != nil && h.now != nil {
		bcfg.Now = h.now
	}
	if err := bot.New(bcfg).Run(ctx, sm); err != nil {
		return authError("SLACK_APP_TOKEN", err)
	}
	log.Info("stopped")
	return nil
}

// authError turns Slack's refusal of a token into a configuration error
// (exit 2); other failures stay as they are.
func authError(variable string, err error) error {
	for _, code := range []string{"invalid_auth", "not_authed", "account_inactive", "token_revoked", "not_allowed_token_type"} {
		if strings.Contains(err.Error(), code) {
			return &configError{Var: variable, Problem: fmt.Sprintf("Slack refused the token (%s)", code)}
		}
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return fmt.Errorf("slack is rate limiting us (retry after %s): %w", rl.RetryAfter, err)
	}
	return fmt.Errorf("slack: %w", err)
}
