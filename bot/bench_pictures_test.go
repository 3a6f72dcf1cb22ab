package bot

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/slackemu"
)

// picturesBot is yearOfHistory's bot talking to a local Slack with the
// manager and n reports in it.
func picturesBot(tb testing.TB, n int) (*Bot, *slackemu.Server) {
	tb.Helper()
	db, _ := yearOfHistory(tb, n, gNow)
	emu := slackemu.New(slackemu.Options{})
	if err := emu.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { emu.Close() })
	emu.AddUser(slackemu.User{ID: "UBOSS", Name: "boss", RealName: "Bo Boss"})
	for i := range n {
		emu.AddUser(slackemu.User{ID: fmt.Sprintf("UR%03d", i), Name: fmt.Sprintf("pm%03d", i), RealName: fmt.Sprintf("Product Manager %03d", i)})
	}
	api := slack.New(emu.BotToken(), slack.OptionAPIURL(emu.APIURL()))
	b := New(Config{API: api, Store: db, Model: model, Now: func() time.Time { return gNow }, SlackAPIURL: emu.APIURL()})
	return b, emu
}

// BenchmarkPictureRadar renders one person's radar and uploads it to the
// local Slack (files.getUploadURLExternal, the bytes,
// files.completeUploadExternal), as the first /coach gaps or Home after a
// rating does; "unchanged" is the same picture again (a Home reopened):
// the caches answer and nothing is uploaded.
//
//	go test ./bot -run '^$' -bench Picture -benchmem
func BenchmarkPictureRadar(b *testing.B) {
	bot, emu := picturesBot(b, 1)
	ctx, log := context.Background(), slog.New(slog.DiscardHandler)
	p, _, err := bot.store.Person("UR000")
	if err != nil {
		b.Fatal(err)
	}
	ratings, err := bot.store.Ratings("UR000", "")
	if err != nil {
		b.Fatal(err)
	}
	if bot.radarFor(ctx, log, "UR000", p, ratings) == nil { // warms the DM and user caches
		b.Fatal("no radar")
	}
	b.Run("render+upload", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			bot.pictures, bot.renders = freshPictureCache(bot.pictures), newRenderCache()
			if bot.radarFor(ctx, log, "UR000", p, ratings) == nil {
				b.Fatal("no radar")
			}
		}
	})
	b.Run("unchanged", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if bot.radarFor(ctx, log, "UR000", p, ratings) == nil {
				b.Fatal("no radar")
			}
		}
	})
	b.ReportMetric(float64(len(emu.Files())), "files")
}

// BenchmarkPictureGrid50 renders the colour grid of a manager with 50
// reports and a year of history and uploads it to their DM.
func BenchmarkPictureGrid50(b *testing.B) {
	bot, _ := picturesBot(b, 50)
	ctx, log := context.Background(), slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	statuses, err := bot.teamStatuses("UBOSS")
	if err != nil {
		b.Fatal(err)
	}
	dm, err := bot.viewerDM(ctx, "UBOSS")
	if err != nil {
		b.Fatal(err)
	}
	if bot.gridFor(ctx, log, "UBOSS", dm, statuses, gNow) == nil {
		b.Fatal("no grid")
	}
	b.Run("render+upload", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			bot.pictures, bot.renders = freshPictureCache(bot.pictures), newRenderCache()
			if bot.gridFor(ctx, log, "UBOSS", dm, statuses, gNow) == nil {
				b.Fatal("no grid")
			}
		}
	})
}

// freshPictureCache forgets every upload but keeps the DMs' picture
// threads, which are started once per process, not once per picture.
func freshPictureCache(old *pictureCache) *pictureCache {
	c := newPictureCache()
	c.threads = old.threads
	return c
}
