package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/microcoach/microcoach/storage"
)

// expireEvery is how often expired dedupe records and ad-hoc question
// entries are removed (see storage.DedupeKeep and storage.QuestionKeep).
const expireEvery = 24 * time.Hour

// expireLoop removes expired records at start and then daily until ctx
// ends. A failure is logged and tried again the next day: nothing depends
// on it but the file's size.
func expireLoop(ctx context.Context, db interface {
	Expire(now time.Time, dedupeKeep, questionKeep time.Duration) (storage.Expired, error)
}, now func() time.Time, log *slog.Logger) {
	t := time.NewTicker(expireEvery)
	defer t.Stop()
	for {
		x, err := db.Expire(now(), storage.DedupeKeep, storage.QuestionKeep)
		switch {
		case err != nil:
			log.Warn("expiring old records failed; trying again tomorrow", "error", err)
		case x.Dedupe > 0 || x.Questions > 0:
			log.Info("expired old records", "dedupe", x.Dedupe, "questions", x.Questions)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
