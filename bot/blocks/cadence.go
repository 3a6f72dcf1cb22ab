package blocks

import (
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// Nudge is the weekly micro-nudge about one plan action.
func Nudge(model coach.Model, ref DeliveryRef, ta coach.ThemeAction) Reply {
	text := fmt.Sprintf(":seedling: *This week:* %s", Escape(ta.Action.Text))
	with := func(f func(*DeliveryRef)) string { return ref.With(f) }
	val := with(func(r *DeliveryRef) { r.Theme, r.Action = ta.Theme.ID, ta.Action.ID })
	return Reply{Text: text, Blocks: []slack.Block{
		Section(text),
		Context(fmt.Sprintf("From your plan theme “%s” (%s). Small steps, every week.", Escape(ta.Theme.Title), Escape(model.AreaName(ta.Theme.Area)))),
		slack.NewActionBlock("nudge",
			slack.NewButtonBlockElement(ActionNudgeDone, val, plain("Done")).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement(ActionNudgeNotYet, val, plain("Not yet")),
			slack.NewButtonBlockElement(ActionNudgeSnooze, val, plain("Snooze a week")),
		),
	}}
}

// NudgeAnswered replaces the nudge once the person clicked.
func NudgeAnswered(action string, choice string) Reply {
	var text string
	switch choice {
	case ActionNudgeDone:
		text = fmt.Sprintf(":white_check_mark: *Done:* %s — nice work. It's ticked off on your plan.", Escape(action))
	case ActionNudgeSnooze:
		text = fmt.Sprintf(":zzz: Snoozed: %s. No nudge next week; back the week after.", Escape(action))
	default:
		text = fmt.Sprintf(":hourglass_flowing_sand: *Not yet:* %s — no problem, it stays on your plan. Even a small first step this week counts.", Escape(action))
	}
	return Reply{Text: text, Blocks: []slack.Block{Section(text)}}
}

// Question asks a bank question in the DM. A mood question offers its
// emotions in a select; every question is answered by a plain reply.
func Question(title string, ref DeliveryRef, q coach.Question, text string) Reply {
	head := fmt.Sprintf(":thought_balloon: *%s:* %s", Escape(title), Escape(text))
	blocks := []slack.Block{Section(head)}
	if q.Kind == coach.KindMood && len(q.Options) > 0 {
		opts := make([]*slack.OptionBlockObject, 0, len(q.Options))
		for _, o := range q.Options {
			if len(opts) == maxSelectOptions {
				break
			}
			opts = append(opts, slack.NewOptionBlockObject(Truncate(o, 75), plain(Truncate(o, 75)), nil))
		}
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Pick an emotion"), ActionMood, opts...)
		blocks = append(blocks, slack.NewActionBlock("mood:"+ref.Period, sel))
		blocks = append(blocks, Context("Pick the one that fits best, then reply here with a line on why. Your answer is private to you."))
	} else {
		blocks = append(blocks, Context("Reply here in this DM. Your answer is private to you; you can choose to share it with your manager afterwards."))
	}
	return Reply{Text: title + ": " + text, Blocks: blocks}
}

// AnswerSaved confirms an answer and offers to share it.
func AnswerSaved(a coach.Answer, hasManager bool) Reply {
	text := ":lock: Saved. Only you can see this answer."
	if a.Shared() {
		text = fmt.Sprintf(":handshake: Saved and shared with <@%s>, your manager of record; it will be in your next 1:1 agenda. A later manager won't see it.", a.SharedWith)
	}
	blocks := []slack.Block{Section(text)}
	if hasManager || a.Shared() {
		if a.Shared() {
			blocks = append(blocks, slack.NewActionBlock("answer", slack.NewButtonBlockElement(ActionUnshare, fmt.Sprint(a.ID), plain("Stop sharing"))))
		} else {
			blocks = append(blocks, slack.NewActionBlock("answer", slack.NewButtonBlockElement(ActionShareAnswer, fmt.Sprint(a.ID), plain("Share with my manager"))))
		}
	}
	return Reply{Text: text, Blocks: blocks}
}

// PlanInvite invites someone without a plan to write one. It comes
// in place of the monthly check-in, at most once a quarter, and needs no
// answer.
func PlanInvite() Reply {
	text := ":seedling: *A development plan?* Three to five themes for the next six months, in your own words, each with a concrete action or two. Monthly check-ins colour them in. No answer needed: I'll ask again in a quarter at most."
	return Reply{Text: text, Blocks: []slack.Block{
		Section(text),
		slack.NewActionBlock("planinvite", slack.NewButtonBlockElement(ActionOpenPlan, "open", plain("Start my plan")).WithStyle(slack.StylePrimary)),
	}}
}

// WeekAction is the week's plan action, carried by a check-in in
// place of that week's nudge.
func WeekAction(ta coach.ThemeAction) slack.Block {
	return Context(":dart: This week's action (instead of a separate nudge): " + Escape(ta.Action.Text) + " · " + Escape(ta.Theme.Title))
}

// colourLabels are the button texts: the colour's word is in each, so any
// client and any screen reader can tell them apart.
var colourLabels = []struct {
	c     coach.Colour
	label string
}{
	{coach.Green, ":large_green_circle: Green: on track"},
	{coach.Yellow, ":large_yellow_circle: Yellow: some progress"},
	{coach.Red, ":red_circle: Red: stuck"},
}

// Checkin is the monthly colour check-in: one row of green / yellow /
// red per theme, showing what was chosen so far.
func Checkin(model coach.Model, ref DeliveryRef, p coach.Plan, chosen map[string]coach.ColourChoice, reminder bool) Reply {
	head := ":calendar: *Monthly check-in.* How is each theme of your plan going? One click per theme; add a note if you like."
	if reminder {
		head = ":wave: *A gentle reminder:* your monthly check-in is still open. One click per theme is enough."
	}
	blocks := []slack.Block{Section(head), Context("“" + Escape(p.Headline) + "”")}
	done := 0
	for _, t := range p.Themes {
		line := fmt.Sprintf("*%s* · %s", Escape(t.Title), Escape(model.AreaName(t.Area)))
		if c, ok := chosen[t.ID]; ok {
			done++
			line += "\n" + ColourMark(c.Colour) + " — " + c.Colour.Meaning()
			if c.Note != "" {
				line += "\n> " + Escape(c.Note)
			}
		}
		blocks = append(blocks, Section(Truncate(line, 3000)))
		var els []slack.BlockElement
		for _, cl := range colourLabels {
			btn := slack.NewButtonBlockElement(colourActionID(string(cl.c), t.ID), ref.With(func(r *DeliveryRef) { r.Theme, r.Colour = t.ID, string(cl.c) }), plain(cl.label))
			if c, ok := chosen[t.ID]; ok && c.Colour == cl.c {
				btn = btn.WithStyle(slack.StylePrimary)
			}
			els = append(els, btn)
		}
		els = append(els, slack.NewButtonBlockElement(ActionID(ActionColourNote, t.ID), ref.With(func(r *DeliveryRef) { r.Theme = t.ID }), plain("Add a note")))
		blocks = append(blocks, slack.NewActionBlock("checkin:"+t.ID, els...))
	}
	status := fmt.Sprintf("%d of %d themes checked in.", done, len(p.Themes))
	if done == len(p.Themes) && done > 0 {
		status = ":white_check_mark: All themes checked in — thank you. You can still change a colour this month."
	}
	blocks = append(blocks, Context(status))
	return Reply{Text: "Monthly check-in: how is each theme of your plan going?", Blocks: blocks}
}

// Refresh is the quarterly refresh: keep, change or retire each theme,
// and a new headline if the focus moved.
func Refresh(model coach.Model, ref DeliveryRef, p coach.Plan, decided map[string]string) Reply {
	head := ":arrows_counterclockwise: *Quarterly refresh.* A new quarter: is your plan still the right one? Give it a new headline or focus if it moved, and decide for each theme."
	blocks := []slack.Block{
		Section(head),
		Section(fmt.Sprintf("*Headline:* “%s”", Escape(p.Headline))),
		slack.NewActionBlock("refresh.headline", slack.NewButtonBlockElement(ActionID(ActionRefreshEdit, "headline"), ref.With(func(r *DeliveryRef) { r.Theme = "" }), plain("New headline or focus"))),
	}
	for _, t := range p.Themes {
		open := 0
		for _, a := range t.Actions {
			if !a.Done {
				open++
			}
		}
		line := fmt.Sprintf("*%s* · %s — %d of %s done", Escape(t.Title), Escape(model.AreaName(t.Area)), len(t.Actions)-open, plural(len(t.Actions), "action"))
		if d, ok := decided[t.ID]; ok {
			line += "\n" + d
			blocks = append(blocks, Section(Truncate(line, 3000)))
			continue
		}
		blocks = append(blocks, Section(Truncate(line, 3000)),
			slack.NewActionBlock("refresh:"+t.ID,
				slack.NewButtonBlockElement(ActionID(ActionRefreshKeep, t.ID), ref.With(func(r *DeliveryRef) { r.Theme = t.ID }), plain("Keep")),
				slack.NewButtonBlockElement(ActionID(ActionRefreshEdit, t.ID), ref.With(func(r *DeliveryRef) { r.Theme = t.ID }), plain("Change")),
				slack.NewButtonBlockElement(ActionID(ActionRefreshDrop, t.ID), ref.With(func(r *DeliveryRef) { r.Theme = t.ID }), plain("Retire")).WithStyle(slack.StyleDanger),
			))
	}
	return Reply{Text: "Quarterly refresh: keep, change or retire each theme of your plan.", Blocks: blocks}
}

// ColourNoteModal takes a note on one theme's colour.
func ColourNoteModal(themeTitle string, ref string, initial string) slack.ModalViewRequest {
	in := slack.NewPlainTextInputBlockElement(plain("What's behind the colour?"), ActionNoteText)
	in.Multiline = true
	in.MaxLength = coach.MaxNoteLen
	in.InitialValue = initial
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackColourNote,
		Title:           plain("Check-in note"),
		Submit:          plain("Save"),
		Close:           plain("Cancel"),
		PrivateMetadata: ref,
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			Section("*" + Escape(Truncate(themeTitle, 200)) + "*"),
			slack.NewInputBlock(BlockNoteText, plain("Note"), nil, in),
		}},
	}
}

// Paused confirms a pause. A pause that ends at midnight in the
// person's zone (/coach pause until DATE) is shown as lasting through the
// day before, the date they typed; dates render in the reader's own zone,
// and the fallback is in the person's zone, never UTC.
func Paused(until time.Time, loc *time.Location) Reply {
	local := until.In(loc)
	var when string
	if local.Hour() == 0 && local.Minute() == 0 {
		last := local.Add(-time.Second)
		when = fmt.Sprintf("through <!date^%d^{date_long_pretty}|%s>", last.Unix(), last.Format("Mon 2 Jan 2006"))
	} else {
		when = fmt.Sprintf("until <!date^%d^{date_long_pretty} at {time}|%s>", until.Unix(), local.Format("Mon 2 Jan 2006 15:04 MST"))
	}
	text := fmt.Sprintf(":double_vertical_bar: Paused %s. Nothing is sent until then — nudges and check-ins that fall in the pause are skipped, not saved up — and nobody will see you as silent. `/coach resume` to come back early.", when)
	return Text(text)
}

// plural says "1 action", "3 actions".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Nudges says whether weekly nudges come, and when.
func Nudges(spec string, off, uncoachedManager bool) Reply {
	if off && uncoachedManager {
		return Text(":no_bell: You coach others and nobody coaches you, so you get no nudges, check-ins or plan refreshes. Your team digest still comes. `/coach nudges on` to get them for yourself.")
	}
	if off {
		return Text(":no_bell: Weekly nudges are off. Monthly colour check-ins on your plan still come, if you have one; `/coach pause 2w` stops everything for a while. `/coach nudges on` to turn nudges back on.")
	}
	if spec == "" {
		return Text(":bell: Weekly nudges are on, at the team's default time.")
	}
	return Text(":bell: Weekly nudges will come " + describeWeekly(spec) + ", in your time zone.")
}

// describeWeekly phrases a person's own nudge time: "on Tuesdays at 14:00".
func describeWeekly(spec string) string {
	if t, ok := coach.ParseNudgeSpec(spec); ok {
		return t.String()
	}
	return "at " + spec
}
