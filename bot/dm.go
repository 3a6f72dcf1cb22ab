package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/coach"
)

// EventClaimer remembers which Slack events were handled: Slack retries
// an event it thinks was missed, and an answer must be stored once.
type EventClaimer interface {
	// ClaimEvent reports whether a Slack event id is seen for the first time.
	ClaimEvent(eventID string, at time.Time) (bool, error)
}

// onDirectMessage answers the open question with a plain DM reply, joins
// messages sent close together into one answer, and follows the person's
// edits and deletions of those messages. It ignores the bot's own
// messages. A redelivered event (same event id) is recognised before
// anything else and changes nothing and says nothing.
func (b *Bot) onDirectMessage(ctx context.Context, log *slog.Logger, eventID string, e *slackevents.MessageEvent) {
	if e.ChannelType != "im" || e.BotID != "" || e.User == b.botUser && e.User != "" {
		log.Debug("message ignored", "subtype", e.SubType, "bot_id", e.BotID)
		return
	}
	author := messageAuthor(e)
	if author == "" || author == b.botUser {
		log.Debug("message ignored", "subtype", e.SubType)
		return
	}
	if first, err := b.store.ClaimEvent(eventID, b.now()); err != nil {
		log.Error("could not record the event; ignored", "error", err)
		return
	} else if !first {
		log.Info("event delivered again; ignored")
		return
	}
	c := call{log: log, user: author} // the envelope's log line names the user
	switch e.SubType {
	case "message_changed":
		b.onAnswerEdited(c, e.Message.Timestamp, strings.TrimSpace(e.Message.Text))
		return
	case "message_deleted":
		b.onAnswerEdited(c, e.DeletedTimeStamp, "")
		return
	}
	text := strings.TrimSpace(e.Text)
	if text == "" {
		return
	}
	now := b.now()
	d, prev, err := b.openQuestion(e.User, now)
	if err == nil && prev.Text != "" && !prev.Joins(now) {
		err = errNoOpenQuestion // answered already, a while ago
	}
	if errors.Is(err, errNoOpenQuestion) {
		b.dm(ctx, c.log, c.user, blocks.Text("I'm not waiting for an answer right now, so I didn't save that. `/coach question` asks you one; `/coach answers` shows (and edits) the ones you gave; `/coach help` lists everything else."))
		return
	}
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	if prev.Text != "" {
		// A second message within the join window: the same answer.
		ans, err := b.store.UpdateAnswer(e.User, prev.ID, func(a *coach.Answer) error {
			next, err := a.WithPart(e.TimeStamp, text, now)
			*a = next
			return err
		})
		if err != nil {
			b.sayError(ctx, c, err)
			return
		}
		c.log.Info("answer continued", "answer_id", ans.ID, "parts", len(ans.Parts))
		b.react(ctx, c, e.Channel, e.TimeStamp)
		return
	}
	if n := len([]rune(text)); n > coach.MaxAnswerLen {
		b.dm(ctx, c.log, c.user, errorReply(coach.Errorf(coach.EINVALID, "that answer is too long to keep; please shorten it and send it again")))
		return
	}
	q, _ := b.questions.Get(d.QuestionID)
	ans, err := b.store.AddAnswer(coach.Answer{
		Person: e.User, QuestionID: d.QuestionID, Question: q.Text, Text: text, At: now, EventID: eventID, Delivery: d.Key(),
		Parts: []coach.AnswerPart{{TS: e.TimeStamp, Text: text, At: now}},
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
	b.react(ctx, c, e.Channel, e.TimeStamp)
	me, _, _ := b.store.Person(e.User)
	b.dm(ctx, c.log, c.user, blocks.AnswerSaved(ans, me.Manager != ""))
}

func (b *Bot) react(ctx context.Context, c call, channel, ts string) {
	if err := b.api.AddReactionContext(ctx, "white_check_mark", slack.NewRefToMessage(channel, ts)); err != nil {
		c.log.Warn("reaction failed", "error", err)
	}
}

// onAnswerEdited follows a person's edit (text) or deletion (text "") of
// a DM message that is part of one of their answers. Other messages are
// none of microcoach's business. It says nothing: Slack already shows
// the person their edit.
func (b *Bot) onAnswerEdited(c call, ts, text string) {
	if ts == "" || b.policy.Authorize(c.user, coach.ChangeOwn, coach.About(coach.Person{ID: c.user})) != nil {
		return
	}
	answers, err := b.store.Answers(c.user)
	if err != nil {
		c.log.Error("load answers", "error", err)
		return
	}
	for _, a := range answers {
		if !a.HasPart(ts) {
			continue
		}
		saved, err := b.store.UpdateAnswer(c.user, a.ID, func(x *coach.Answer) error {
			if text == "" {
				*x, _ = x.WithoutPart(ts)
				return nil
			}
			next, _, err := x.WithEdit(ts, text)
			*x = next
			return err
		})
		switch {
		case err != nil:
			c.log.Warn("answer edit not kept", "answer_id", a.ID, "error", err)
		case saved.ID == 0:
			c.log.Info("answer deleted with its message", "answer_id", a.ID)
		case text == "":
			c.log.Info("answer message removed", "answer_id", a.ID)
		default:
			c.log.Info("answer message edited", "answer_id", a.ID)
		}
		return
	}
	c.log.Debug("edited message is not an answer")
}
