package bot

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/coach"
)

// CheckinStore keeps the cadence's deliveries, as the bot sends and
// answers them (here, cadence.go and prefs.go), and the colours of monthly
// check-ins.
type CheckinStore interface {
	Delivery(person string, c coach.Cadence, period string) (coach.Delivery, bool, error)
	Deliveries(person string, c coach.Cadence) ([]coach.Delivery, error)
	DeliveriesSince(person string, since time.Time) ([]coach.Delivery, error)
	QueueDeliveries(ds []coach.Delivery) ([]coach.Delivery, error)
	UpdateDelivery(person string, c coach.Cadence, period string, fn func(d *coach.Delivery) error) (coach.Delivery, error)
	SetColour(c coach.ColourChoice, checkin *coach.Delivery) error
	Colours(person string) ([]coach.ColourChoice, error)
}

// ownRef reads a cadence button's value and checks that the person clicking
// is the person it was sent to.
func (b *Bot) ownRef(c call, value string) (blocks.DeliveryRef, coach.Delivery, bool) {
	ref, err := blocks.ParseRef(value)
	if err != nil {
		c.log.Warn("cadence button value unreadable", "error", err)
		return blocks.DeliveryRef{}, coach.Delivery{}, false
	}
	d, ok := b.ownDelivery(c, ref)
	return ref, d, ok
}

// ownDelivery loads the delivery ref names, if it was sent to the caller.
func (b *Bot) ownDelivery(c call, ref blocks.DeliveryRef) (coach.Delivery, bool) {
	if b.policy.Authorize(c.user, coach.ChangeOwn, coach.About(coach.Person{ID: ref.Person})) != nil {
		c.log.Warn("cadence button of someone else refused")
		return coach.Delivery{}, false
	}
	d, found, err := b.store.Delivery(ref.Person, coach.Cadence(ref.Cadence), ref.Period)
	if err != nil || !found {
		c.log.Warn("cadence button for an unknown delivery", "error", err)
		return coach.Delivery{}, false
	}
	return d, true
}

// inOwnDM reports whether channel is the app's DM with the caller.
func (b *Bot) inOwnDM(ctx context.Context, c call, channel string) bool {
	if channel == "" {
		return false
	}
	me, _, err := b.store.Person(c.user)
	if err != nil {
		return false
	}
	me.ID = c.user
	dm, err := b.dmChannel(ctx, me)
	return err == nil && dm == channel
}

// colourNoteMeta travels in the colour-note modal: which theme of which
// check-in, and the message to redraw when the note is saved.
type colourNoteMeta struct {
	Ref blocks.DeliveryRef `json:"r"`
	At  msgRef             `json:"m"`
}

// msgRef names a message: where a button was clicked, or which message a
// modal should redraw when it is submitted.
type msgRef struct {
	Channel string `json:"ch,omitempty"`
	TS      string `json:"ts,omitempty"`
}

// clickedIn is the message an interaction came from, if any.
func clickedIn(cb slack.InteractionCallback) msgRef {
	if cb.Container.ChannelID != "" && cb.Container.MessageTs != "" {
		return msgRef{cb.Container.ChannelID, cb.Container.MessageTs}
	}
	return msgRef{cb.Channel.ID, cb.Message.Timestamp}
}

// updateMessage replaces a message in place.
func (b *Bot) updateMessage(ctx context.Context, c call, at msgRef, r blocks.Reply) {
	if at.Channel == "" || at.TS == "" {
		return
	}
	if _, _, _, err := b.api.UpdateMessageContext(ctx, at.Channel, at.TS, slack.MsgOptionText(r.Text, false), slack.MsgOptionBlocks(r.Blocks...)); err != nil {
		c.log.Error("update message", "error", err)
	}
}

func (b *Bot) onNudgeButton(ctx context.Context, c call, cb slack.InteractionCallback, a *slack.BlockAction) {
	ref, d, ok := b.ownRef(c, a.Value)
	if !ok {
		return
	}
	now := b.now()
	actionText := ""
	if plan, found, err := b.store.Plan(c.user); err == nil && found {
		if t, ok := plan.Theme(ref.Theme); ok {
			for _, x := range t.Actions {
				if x.ID == ref.Action {
					actionText = x.Text
				}
			}
		}
	}
	switch blocks.BaseAction(a.ActionID) {
	case blocks.ActionNudgeDone:
		done := func(a coach.Action) bool { return a.Done || a.ID == ref.Action }
		if err := b.editActions(c, ref.Theme, done); err != nil {
			b.sayError(ctx, c, err)
			return
		}
	case blocks.ActionNudgeSnooze:
		if _, err := b.store.UpdatePerson(coach.Person{ID: c.user}, func(p *coach.Person) error {
			p.SnoozedUntil = now.AddDate(0, 0, 7)
			return nil
		}); err != nil {
			b.sayError(ctx, c, err)
			return
		}
	}
	if err := b.noteDelivery(d, func(x *coach.Delivery) { x.Answered, x.AnsweredAt = true, now }); err != nil {
		c.log.Error("mark nudge answered", "error", err)
	}
	c.log.Info("nudge answered", "choice", a.ActionID)
	b.updateMessage(ctx, c, clickedIn(cb), blocks.NudgeAnswered(actionText, blocks.BaseAction(a.ActionID)))
	b.refreshHomes(ctx, c.log, c.user)
}

func (b *Bot) onColour(ctx context.Context, c call, cb slack.InteractionCallback, a *slack.BlockAction) {
	ref, d, ok := b.ownRef(c, a.Value)
	if !ok {
		return
	}
	colour := coach.Colour(ref.Colour)
	prev, err := b.monthColours(c.user, d)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	choice := coach.ColourChoice{Person: c.user, Month: coach.MonthOf(d.Due), Theme: ref.Theme, Colour: colour, Note: prev[ref.Theme].Note, At: b.now()}
	if err := b.store.SetColour(choice, &d); err != nil {
		b.sayError(ctx, c, err)
		return
	}
	c.log.Info("colour chosen", "theme", ref.Theme, "colour", colour)
	b.refreshCheckin(ctx, c, clickedIn(cb), d)
	b.refreshHomes(ctx, c.log, c.user)
}

// refreshCheckin redraws a check-in message with the choices so far.
func (b *Bot) refreshCheckin(ctx context.Context, c call, at msgRef, d coach.Delivery) {
	plan, found, err := b.store.Plan(c.user)
	if err != nil || !found {
		return
	}
	chosen, err := b.monthColours(c.user, d)
	if err != nil {
		c.log.Error("load colours", "error", err)
		return
	}
	b.updateMessage(ctx, c, at, blocks.Checkin(b.model, blocks.RefOf(d), plan, chosen, false))
}

func (b *Bot) openColourNote(ctx context.Context, c call, a *slack.BlockAction, cb slack.InteractionCallback) {
	ref, d, ok := b.ownRef(c, a.Value)
	if !ok {
		return
	}
	plan, _, err := b.store.Plan(c.user)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	t, _ := plan.Theme(ref.Theme)
	chosen, _ := b.monthColours(c.user, d)
	meta := colourNoteMeta{Ref: ref, At: clickedIn(cb)}
	b.openModal(ctx, c, blocks.ColourNoteModal(t.Title, mustJSON(meta), chosen[ref.Theme].Note))
}

func (b *Bot) submitColourNote(c call, cb slack.InteractionCallback) (any, func(context.Context)) {
	v, _ := blocks.Field(cb.View.State, blocks.BlockNoteText)
	note := strings.TrimSpace(v.Value)
	if err := coach.CheckNote(note); err != nil {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blocks.BlockNoteText: coach.ErrorMessage(err)}), nil
	}
	return nil, func(ctx context.Context) {
		var meta colourNoteMeta
		if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil {
			c.log.Warn("colour note metadata unreadable", "error", err)
			return
		}
		ref := meta.Ref
		d, ok := b.ownDelivery(c, ref)
		if !ok {
			return
		}
		chosen, err := b.monthColours(c.user, d)
		if err != nil {
			b.sayError(ctx, c, err)
			return
		}
		prev, ok := chosen[ref.Theme]
		if !ok {
			b.dm(ctx, c.log, c.user, blocks.Text(":warning: Pick a colour for that theme first; the note goes with it. Your note: "+blocks.Escape(note)))
			return
		}
		prev.Note, prev.At = note, b.now()
		if err := b.store.SetColour(prev, &d); err != nil {
			b.sayError(ctx, c, err)
			return
		}
		// The message to redraw comes from private_metadata: redraw it
		// only if it is in this person's own DM with the app.
		if !b.inOwnDM(ctx, c, meta.At.Channel) {
			c.log.Warn("colour note: the message to redraw is not in the person's DM; not redrawn")
			return
		}
		b.refreshCheckin(ctx, c, meta.At, d)
	}
}

func (b *Bot) onRefresh(ctx context.Context, c call, cb slack.InteractionCallback, a *slack.BlockAction) {
	ref, d, ok := b.ownRef(c, a.Value)
	if !ok {
		return
	}
	now := b.now()
	if blocks.BaseAction(a.ActionID) == blocks.ActionRefreshEdit {
		b.openPlanModal(ctx, c)
		return
	}
	decided := map[string]string{}
	if blocks.BaseAction(a.ActionID) == blocks.ActionRefreshDrop {
		_, err := b.store.UpdatePlan(c.user, "", func(cur coach.Plan) (coach.Plan, coach.PlanChange, error) {
			next, err := cur.WithoutTheme(ref.Theme)
			if err != nil {
				return coach.Plan{}, coach.PlanChange{}, err
			}
			next.UpdatedAt, next.UpdatedBy = now, c.user
			return next, coach.PlanChange{By: c.user, At: now, Changes: coach.DiffPlans(b.model, cur, next)}, nil
		})
		if err != nil {
			b.sayError(ctx, c, err)
			return
		}
		decided[ref.Theme] = ":wastebasket: Retired."
	} else {
		decided[ref.Theme] = ":white_check_mark: Kept."
	}
	if err := b.noteDelivery(d, func(x *coach.Delivery) { x.Answered, x.AnsweredAt = true, now }); err != nil {
		c.log.Error("mark refresh answered", "error", err)
	}
	// Redraw: themes decided earlier in this message keep their marks.
	for _, blk := range cb.Message.Blocks.BlockSet {
		if s, ok := blk.(*slack.SectionBlock); ok && s.Text != nil {
			for _, mark := range []string{":wastebasket: Retired.", ":white_check_mark: Kept."} {
				if strings.HasSuffix(s.Text.Text, mark) {
					if id := themeIDFromSection(cb.Message.Blocks.BlockSet, blk); id != "" {
						decided[id] = mark
					}
				}
			}
		}
	}
	plan, _, err := b.store.Plan(c.user)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	// A retired theme is gone from the plan; show it as retired anyway.
	if blocks.BaseAction(a.ActionID) == blocks.ActionRefreshDrop {
		plan.Themes = append(plan.Themes, coach.Theme{ID: ref.Theme, Title: "(retired theme)"})
	}
	b.updateMessage(ctx, c, clickedIn(cb), blocks.Refresh(b.model, ref, plan, decided))
	b.refreshHomes(ctx, c.log, c.user)
}

// themeIDFromSection finds the theme id of a refresh row from the block
// after it (its buttons' block id), or from its own decided marker.
func themeIDFromSection(blocks []slack.Block, target slack.Block) string {
	for i, blk := range blocks {
		if blk == target && i+1 < len(blocks) {
			if ab, ok := blocks[i+1].(*slack.ActionBlock); ok {
				return strings.TrimPrefix(ab.BlockID, "refresh:")
			}
		}
	}
	return ""
}

func (b *Bot) onMood(ctx context.Context, c call, cb slack.InteractionCallback, a *slack.BlockAction) {
	period := strings.TrimPrefix(a.BlockID, "mood:")
	var d coach.Delivery
	for _, cad := range []coach.Cadence{coach.CadenceNudge, coach.CadenceQuestion} {
		if x, found, err := b.store.Delivery(c.user, cad, period); err == nil && found {
			d = x
		}
	}
	if d.QuestionID == "" {
		c.log.Warn("mood pick for an unknown question", "period", period)
		return
	}
	q, _ := b.questions.Get(d.QuestionID)
	ans := coach.Answer{Person: c.user, QuestionID: d.QuestionID, Question: q.Text, Emotion: a.SelectedOption.Value, At: b.now(), Delivery: d.Key()}
	saved, err := b.store.AddAnswer(ans, &d)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	c.log.Info("mood answered", "answer_id", saved.ID)
	me, _, _ := b.store.Person(c.user)
	r := blocks.AnswerSaved(saved, me.Manager != "")
	r.Blocks = append([]slack.Block{blocks.Section(":speech_balloon: You picked *" + blocks.Escape(saved.Emotion) + "*. Reply here with a line on why, if you like.")}, r.Blocks...)
	b.dm(ctx, c.log, c.user, r)
}

func (b *Bot) onShare(ctx context.Context, c call, cb slack.InteractionCallback, a *slack.BlockAction) {
	id, err := strconv.ParseUint(a.Value, 10, 64)
	if err != nil {
		return
	}
	share := blocks.BaseAction(a.ActionID) == blocks.ActionShareAnswer
	ans, err := b.store.SetAnswerShared(c.user, id, share, b.now())
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	c.log.Info("answer sharing changed", "answer_id", id, "shared", share)
	if strings.HasPrefix(a.BlockID, blocks.BlockAnswersPrefix) {
		// From the /coach answers list: redraw the list.
		if r, err := b.answersList(c); err == nil {
			b.replaceReply(ctx, c, r)
		}
		return
	}
	me, _, _ := b.store.Person(c.user)
	b.updateMessage(ctx, c, clickedIn(cb), blocks.AnswerSaved(ans, me.Manager != ""))
}

var errNoOpenQuestion = errors.New("no open question")

// openQuestion is the newest question delivery of the last week, with
// the written answer it has so far (zero when none): a DM reply answers
// it, or continues that answer within coach.AnswerJoinWindow.
func (b *Bot) openQuestion(person string, now time.Time) (coach.Delivery, coach.Answer, error) {
	var best coach.Delivery
	var bestAt time.Time
	for _, cad := range []coach.Cadence{coach.CadenceNudge, coach.CadenceQuestion} {
		ds, err := b.store.Deliveries(person, cad)
		if err != nil {
			return coach.Delivery{}, coach.Answer{}, err
		}
		for _, d := range ds {
			// An attempted delivery counts too: the reply can arrive
			// before the ledger has recorded the post as sent.
			if d.QuestionID == "" || (d.State != coach.DeliverySent && d.State != coach.DeliveryAttempted) {
				continue
			}
			at := d.SentAt
			if at.IsZero() {
				at = d.Attempt
			}
			if now.Sub(at) > 7*24*time.Hour {
				continue
			}
			if at.After(bestAt) {
				best, bestAt = d, at
			}
		}
	}
	if best.QuestionID == "" {
		return coach.Delivery{}, coach.Answer{}, errNoOpenQuestion
	}
	answers, err := b.store.Answers(person)
	if err != nil {
		return coach.Delivery{}, coach.Answer{}, err
	}
	for _, a := range answers {
		if a.Delivery == best.Key() && a.Text != "" {
			return best, a, nil
		}
	}
	return best, coach.Answer{}, nil
}
