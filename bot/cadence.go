package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/coach"
)

// MetadataEventType marks microcoach's own cadence messages in Slack's
// message metadata; the payload's "key" is the delivery's ledger key.
const MetadataEventType = "microcoach_delivery"

// ErrNotOwed is returned by Post when a delivery should not be sent after
// all (the person is gone, or there is nothing to say).
type ErrNotOwed struct{ Reason string }

func (e *ErrNotOwed) Error() string { return "not owed: " + e.Reason }

// SkipReason says why: the scheduler records the delivery as skipped.
func (e *ErrNotOwed) SkipReason() string { return e.Reason }

// ErrRateLimited is returned by Post and Find when Slack said to slow
// down (HTTP 429): nothing was posted; try again after RetryAfter.
type ErrRateLimited struct{ Slack *slack.RateLimitedError }

func (e *ErrRateLimited) Error() string { return e.Slack.Error() }

// RetryAfter is Slack's Retry-After.
func (e *ErrRateLimited) RetryAfter() time.Duration { return e.Slack.RetryAfter }

func (e *ErrRateLimited) Unwrap() error { return e.Slack }

// rateLimitedOr gives Slack's 429 a RetryAfter method, so the scheduler
// can tell it by behaviour without knowing slack-go.
func rateLimitedOr(err error) error {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return &ErrRateLimited{Slack: rl}
	}
	return err
}

// dmChannel returns the app's DM channel with a person, opening and
// remembering it the first time.
func (b *Bot) dmChannel(ctx context.Context, p coach.Person) (string, error) {
	if p.DMChannel != "" {
		return p.DMChannel, nil
	}
	ch, _, _, err := b.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{p.ID}})
	if err != nil {
		return "", err
	}
	if _, err := b.store.UpdatePerson(p, func(x *coach.Person) error { x.DMChannel = ch.ID; return nil }); err != nil {
		return "", err
	}
	return ch.ID, nil
}

// Post composes and sends a cadence message. It implements the sending
// half of the scheduler's outbox: a 429 is an *ErrRateLimited, a message
// no longer owed an *ErrNotOwed.
func (b *Bot) Post(ctx context.Context, d coach.Delivery) (string, string, error) {
	ch, ts, err := b.post(ctx, d)
	return ch, ts, rateLimitedOr(err)
}

func (b *Bot) post(ctx context.Context, d coach.Delivery) (string, string, error) {
	p, found, err := b.store.Person(d.Person)
	if err != nil {
		return "", "", err
	}
	if !found {
		return "", "", &ErrNotOwed{Reason: "the person is no longer known"}
	}
	meta := slack.MsgOptionMetadata(slack.SlackMetadata{EventType: MetadataEventType, EventPayload: map[string]any{"key": d.Key()}})
	if d.Cadence == coach.CadenceDigest {
		return b.postDigest(ctx, p, d, meta)
	}
	if d.Cadence.Unrequested() && b.isAway(ctx, p.ID) {
		// Time off respected without being asked: skipped, not saved up.
		return "", "", &ErrNotOwed{Reason: "away (Slack status)"}
	}
	r, err := b.compose(ctx, p, d)
	if err != nil {
		return "", "", err
	}
	r = blocks.Localized(r, p.Location())
	// Posting to the user id lands in the app's DM without a
	// conversations.open call (tier 3: 50 a minute would throttle a
	// fan-out); the answer says which channel that is.
	target := p.DMChannel
	if target == "" {
		target = p.ID
	}
	ch, ts, err := b.api.PostMessageContext(ctx, target, slack.MsgOptionText(r.Text, false), slack.MsgOptionBlocks(r.Blocks...), meta)
	if err != nil {
		return "", "", notOwedOr(err)
	}
	if p.DMChannel != ch {
		if err := b.store.SetDMChannel(p.ID, ch); err != nil {
			b.log.Error("remember DM channel", "person", p.ID, "error", err)
		}
	}
	return ch, ts, nil
}

// notOwedOr turns Slack's "this person can't get messages" into ErrNotOwed.
func notOwedOr(err error) error {
	for _, code := range []string{"user_not_found", "cannot_dm_bot", "account_inactive", "user_disabled", "is_archived"} {
		if strings.Contains(err.Error(), code) {
			return &ErrNotOwed{Reason: code}
		}
	}
	return err
}

// Find looks through the DM for a message already posted for d, by the key
// in its metadata. It implements the recovery half of the outbox; a 429 is
// an *ErrRateLimited.
func (b *Bot) Find(ctx context.Context, d coach.Delivery) (string, string, bool, error) {
	ch, ts, found, err := b.find(ctx, d)
	return ch, ts, found, rateLimitedOr(err)
}

func (b *Bot) find(ctx context.Context, d coach.Delivery) (string, string, bool, error) {
	p, found, err := b.store.Person(d.Person)
	if err != nil || !found {
		return "", "", false, err
	}
	// Where the message may be: the DM; for a digest, first the chosen
	// channel, which it falls back from. A ledger entry written before
	// Post stopped noting the channel names it.
	var where []string
	switch {
	case d.Channel != "":
		where = []string{d.Channel}
	case d.Cadence == coach.CadenceDigest && b.digestChannel(p) != "":
		where = []string{b.digestChannel(p)}
	}
	if len(where) == 0 || d.Channel == "" {
		// A crash may have come between the post and remembering the
		// DM's channel: open the DM to look.
		dm, err := b.dmChannel(ctx, p)
		if err != nil {
			return "", "", false, err
		}
		where = append(where, dm)
	}
	for i, channel := range where {
		ts, found, err := b.findIn(ctx, channel, d)
		if err != nil && i < len(where)-1 && cannotRead(err) {
			// A digest channel that refuses to be read refused the post
			// too; it went to the DM, if anywhere.
			continue
		}
		if err != nil || found {
			return channel, ts, found, err
		}
	}
	return "", "", false, nil
}

// cannotRead reports Slack's answers that say the bot cannot read a
// conversation at all, as opposed to failures worth retrying.
func cannotRead(err error) bool {
	for _, code := range []string{"not_in_channel", "channel_not_found", "is_archived", "missing_scope"} {
		if strings.Contains(err.Error(), code) {
			return true
		}
	}
	return false
}

// findIn looks through one conversation for d's message, from a minute
// before its attempt.
func (b *Bot) findIn(ctx context.Context, channel string, d coach.Delivery) (string, bool, error) {
	params := &slack.GetConversationHistoryParameters{ChannelID: channel, Limit: 100, IncludeAllMetadata: true}
	if !d.Attempt.IsZero() {
		params.Oldest = fmt.Sprintf("%d.000000", d.Attempt.Add(-time.Minute).Unix())
	}
	for {
		h, err := b.api.GetConversationHistoryContext(ctx, params)
		if err != nil {
			return "", false, err
		}
		for _, m := range h.Messages {
			if m.Metadata.EventType == MetadataEventType && m.Metadata.EventPayload["key"] == d.Key() {
				return m.Timestamp, true, nil
			}
		}
		if !h.HasMore || h.ResponseMetaData.NextCursor == "" {
			return "", false, nil
		}
		params.Cursor = h.ResponseMetaData.NextCursor
	}
}

// compose builds the message a delivery owes from what it carries (the
// action or question coach.Carry chose, already in the ledger). It reads
// and never writes: the scheduler keeps the ledger.
func (b *Bot) compose(ctx context.Context, p coach.Person, d coach.Delivery) (blocks.Reply, error) {
	plan, hasPlan, err := b.store.Plan(p.ID)
	if err != nil {
		return blocks.Reply{}, err
	}
	switch d.Cadence {
	case coach.CadenceNudge:
		if d.ActionID != "" {
			ta, ok := plan.ThemeAction(d.ThemeID, d.ActionID)
			if !ok || !hasPlan {
				return blocks.Reply{}, &ErrNotOwed{Reason: "its action was taken out of the plan"}
			}
			return blocks.Nudge(b.model, blocks.RefOf(d), ta), nil
		}
		return b.composeQuestion(p, d, "Question of the week")
	case coach.CadenceQuestion:
		return b.composeQuestion(p, d, "A question for you")
	case coach.CadencePlanInvite:
		if hasPlan {
			return blocks.Reply{}, &ErrNotOwed{Reason: "a plan was written since"}
		}
		return blocks.PlanInvite(), nil
	case coach.CadenceCheckin, coach.CadenceReminder:
		if !hasPlan {
			// The scheduler invites people without a plan instead
			// (coach.CheckinOwed); a plan deleted since is not checked in on.
			return blocks.Reply{}, &ErrNotOwed{Reason: "no plan to check in on"}
		}
		checkin := d
		if d.Cadence == coach.CadenceReminder {
			checkin.Cadence = coach.CadenceCheckin
		}
		chosen, err := b.monthColours(p.ID, checkin)
		if err != nil {
			return blocks.Reply{}, err
		}
		r := blocks.Checkin(b.model, blocks.RefOf(checkin), plan, chosen, d.Cadence == coach.CadenceReminder)
		// The check-in carries the week's action: the weekly nudge gives
		// way to it (coach.NudgeOwed).
		if ta, ok := plan.ThemeAction(d.ThemeID, d.ActionID); ok && d.Cadence == coach.CadenceCheckin {
			r.Blocks = append(r.Blocks, blocks.WeekAction(ta))
		}
		return r, nil
	case coach.CadenceRefresh:
		if !hasPlan {
			return blocks.Reply{}, &ErrNotOwed{Reason: "no plan to refresh"}
		}
		return blocks.Refresh(b.model, blocks.RefOf(d), plan, nil), nil
	}
	return blocks.Reply{}, &ErrNotOwed{Reason: "unknown cadence " + string(d.Cadence)}
}

func (b *Bot) noteDelivery(d coach.Delivery, f func(*coach.Delivery)) error {
	_, err := b.store.UpdateDelivery(d.Person, d.Cadence, d.Period, func(x *coach.Delivery) error { f(x); return nil })
	return err
}

// composeQuestion asks the bank question the delivery carries, about the
// person's weakest area where it names one.
func (b *Bot) composeQuestion(p coach.Person, d coach.Delivery, title string) (blocks.Reply, error) {
	if d.QuestionID == "" {
		return blocks.Reply{}, &ErrNotOwed{Reason: "the question bank is empty"}
	}
	q, ok := b.questions.Get(d.QuestionID)
	if !ok {
		return blocks.Reply{}, &ErrNotOwed{Reason: "question " + d.QuestionID + " is not in the bank"}
	}
	return blocks.Question(title, blocks.RefOf(d), q, q.Render(b.weakestArea(p.ID))), nil
}

// weakestArea is the area a person rated lowest most recently, or the
// first area of the model.
func (b *Bot) weakestArea(person string) coach.Area {
	ratings, err := b.store.Ratings(person, "")
	if err != nil {
		return coach.Area{}
	}
	return coach.WeakestArea(b.model, coach.Compare(b.model, person, "", ratings))
}

// monthColours returns the colours chosen so far for one check-in.
func (b *Bot) monthColours(person string, checkin coach.Delivery) (map[string]coach.ColourChoice, error) {
	all, err := b.store.Colours(person)
	if err != nil {
		return nil, err
	}
	month := coach.MonthOf(checkin.Due)
	out := map[string]coach.ColourChoice{}
	for _, c := range all {
		if c.Month == month {
			out[c.Theme] = c
		}
	}
	return out, nil
}

// isRateLimited reports Slack's 429 and how long to wait.
func isRateLimited(err error) (time.Duration, bool) {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return rl.RetryAfter, true
	}
	return 0, false
}
