package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/microcoach/microcoach/coach"
)

// onDirectMessage answers the open question with a plain DM reply. It
// ignores the bot's own messages, edits and deletions, and stores a
// redelivered event (same event id) once.
func (b *Bot) onDirectMessage(ctx context.Context, log *slog.Logger, eventID string, e *slackevents.MessageEvent) {
	if e.ChannelType != "im" || e.BotID != "" || e.User == "" || e.User == b.botUser || e.SubType != "" {
		log.Debug("message ignored", "subtype", e.SubType, "bot_id", e.BotID)
		return
	}
	c := call{log: log, user: e.User} // the envelope's log line names the user
	text := strings.TrimSpace(e.Text)
	if text == "" {
		return
	}
	now := b.now()
	d, err := b.openQuestion(e.User, now)
	if errors.Is(err, errNoOpenQuestion) {
		b.dm(ctx, c.log, c.user, plainReply("I'm not waiting for an answer right now, so I didn't save that. `/coach question` asks you one; `/coach help` lists everything else."))
		return
	}
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	if n := len([]rune(text)); n > coach.MaxAnswerLen {
		b.dm(ctx, c.log, c.user, errorReply(&inputError{Problem: "that answer is too long to keep; please shorten it and send it again"}))
		return
	}
	q, _ := b.questions.Get(d.QuestionID)
	ans, err := b.store.AddAnswer(coach.Answer{
		Person: e.User, QuestionID: d.QuestionID, Question: q.Text, Text: text, At: now, EventID: eventID, Delivery: d.Key(),
	}, &d)
	if errors.Is(err, coach.ErrDuplicate) {
		c.log.Info("event delivered again; answer already saved")
		return
	}
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	// Never log the answer's text: it is private.
	c.log.Info("answer saved", "answer_id", ans.ID, "question", d.QuestionID)
	if err := b.api.AddReactionContext(ctx, "white_check_mark", slack.NewRefToMessage(e.Channel, e.TimeStamp)); err != nil {
		c.log.Warn("reaction failed", "error", err)
	}
	me, _, _ := b.store.Person(e.User)
	b.dm(ctx, c.log, c.user, answerSavedReply(ans, me.Manager != ""))
}
