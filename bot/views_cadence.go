package bot

import (
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// nudgeReply is the weekly micro-nudge about one plan action.
func nudgeReply(model coach.Model, ref deliveryRef, ta coach.ThemeAction) reply {
	text := fmt.Sprintf(":seedling: *This week:* %s", escape(ta.Action.Text))
	with := func(f func(*deliveryRef)) string { return ref.with(f) }
	val := with(func(r *deliveryRef) { r.Theme, r.Action = ta.Theme.ID, ta.Action.ID })
	return reply{Text: text, Blocks: []slack.Block{
		section(text),
		contextBlock(fmt.Sprintf("From your plan theme “%s” (%s). Small steps, every week.", escape(ta.Theme.Title), escape(model.AreaName(ta.Theme.Area)))),
		slack.NewActionBlock("nudge",
			slack.NewButtonBlockElement(ActionNudgeDone, val, plain("Done")).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement(ActionNudgeNotYet, val, plain("Not yet")),
			slack.NewButtonBlockElement(ActionNudgeSnooze, val, plain("Snooze a week")),
		),
	}}
}

// nudgeAnsweredReply replaces the nudge once the person clicked.
func nudgeAnsweredReply(action string, choice string) reply {
	var text string
	switch choice {
	case ActionNudgeDone:
		text = fmt.Sprintf(":white_check_mark: *Done:* %s — nice work. It's ticked off on your plan.", escape(action))
	case ActionNudgeSnooze:
		text = fmt.Sprintf(":zzz: Snoozed: %s. No nudge next week; back the week after.", escape(action))
	default:
		text = fmt.Sprintf(":hourglass_flowing_sand: *Not yet:* %s — no problem, it stays on your plan. Even a small first step this week counts.", escape(action))
	}
	return reply{Text: text, Blocks: []slack.Block{section(text)}}
}

// questionReply asks a bank question in the DM. A mood question offers its
// emotions in a select; every question is answered by a plain reply.
func questionReply(title string, ref deliveryRef, q coach.Question, text string) reply {
	head := fmt.Sprintf(":thought_balloon: *%s:* %s", escape(title), escape(text))
	blocks := []slack.Block{section(head)}
	if q.Kind == coach.KindMood && len(q.Options) > 0 {
		opts := make([]*slack.OptionBlockObject, 0, len(q.Options))
		for _, o := range q.Options {
			if len(opts) == maxSelectOptions {
				break
			}
			opts = append(opts, slack.NewOptionBlockObject(truncate(o, 75), plain(truncate(o, 75)), nil))
		}
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Pick an emotion"), ActionMood, opts...)
		blocks = append(blocks, slack.NewActionBlock("mood:"+ref.Period, sel))
		blocks = append(blocks, contextBlock("Pick the one that fits best, then reply here with a line on why. Your answer is private to you."))
	} else {
		blocks = append(blocks, contextBlock("Reply here in this DM. Your answer is private to you; you can choose to share it with your manager afterwards."))
	}
	return reply{Text: title + ": " + text, Blocks: blocks}
}

// answerSavedReply confirms an answer and offers to share it.
func answerSavedReply(a coach.Answer, hasManager bool) reply {
	text := ":lock: Saved. Only you can see this answer."
	if a.Shared() {
		text = fmt.Sprintf(":handshake: Saved and shared with <@%s>, your manager of record; it will be in your next 1:1 agenda. A later manager won't see it.", a.SharedWith)
	}
	blocks := []slack.Block{section(text)}
	if hasManager || a.Shared() {
		if a.Shared() {
			blocks = append(blocks, slack.NewActionBlock("answer", slack.NewButtonBlockElement(ActionUnshare, fmt.Sprint(a.ID), plain("Stop sharing"))))
		} else {
			blocks = append(blocks, slack.NewActionBlock("answer", slack.NewButtonBlockElement(ActionShareAnswer, fmt.Sprint(a.ID), plain("Share with my manager"))))
		}
	}
	return reply{Text: text, Blocks: blocks}
}

// planInviteReply invites someone without a plan to write one. It comes
// in place of the monthly check-in, at most once a quarter, and needs no
// answer.
func planInviteReply() reply {
	text := ":seedling: *A development plan?* Three to five themes for the next six months, in your own words, each with a concrete action or two. Monthly check-ins colour them in. No answer needed: I'll ask again in a quarter at most."
	return reply{Text: text, Blocks: []slack.Block{
		section(text),
		slack.NewActionBlock("planinvite", slack.NewButtonBlockElement(ActionOpenPlan, "open", plain("Start my plan")).WithStyle(slack.StylePrimary)),
	}}
}

// weekActionBlock is the week's plan action, carried by a check-in in
// place of that week's nudge.
func weekActionBlock(ta coach.ThemeAction) slack.Block {
	return contextBlock(":dart: This week's action (instead of a separate nudge): " + escape(ta.Action.Text) + " · " + escape(ta.Theme.Title))
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

// checkinReply is the monthly colour check-in: one row of green / yellow /
// red per theme, showing what was chosen so far.
func checkinReply(model coach.Model, ref deliveryRef, p coach.Plan, chosen map[string]coach.ColourChoice, reminder bool) reply {
	head := ":calendar: *Monthly check-in.* How is each theme of your plan going? One click per theme; add a note if you like."
	if reminder {
		head = ":wave: *A gentle reminder:* your monthly check-in is still open. One click per theme is enough."
	}
	blocks := []slack.Block{section(head), contextBlock("“" + escape(p.Headline) + "”")}
	done := 0
	for _, t := range p.Themes {
		line := fmt.Sprintf("*%s* · %s", escape(t.Title), escape(model.AreaName(t.Area)))
		if c, ok := chosen[t.ID]; ok {
			done++
			line += "\n" + colourMark(c.Colour) + " — " + c.Colour.Meaning()
			if c.Note != "" {
				line += "\n> " + escape(c.Note)
			}
		}
		blocks = append(blocks, section(truncate(line, 3000)))
		var els []slack.BlockElement
		for _, cl := range colourLabels {
			btn := slack.NewButtonBlockElement(colourActionID(string(cl.c), t.ID), ref.with(func(r *deliveryRef) { r.Theme, r.Colour = t.ID, string(cl.c) }), plain(cl.label))
			if c, ok := chosen[t.ID]; ok && c.Colour == cl.c {
				btn = btn.WithStyle(slack.StylePrimary)
			}
			els = append(els, btn)
		}
		els = append(els, slack.NewButtonBlockElement(actionID(ActionColourNote, t.ID), ref.with(func(r *deliveryRef) { r.Theme = t.ID }), plain("Add a note")))
		blocks = append(blocks, slack.NewActionBlock("checkin:"+t.ID, els...))
	}
	status := fmt.Sprintf("%d of %d themes checked in.", done, len(p.Themes))
	if done == len(p.Themes) && done > 0 {
		status = ":white_check_mark: All themes checked in — thank you. You can still change a colour this month."
	}
	blocks = append(blocks, contextBlock(status))
	return reply{Text: "Monthly check-in: how is each theme of your plan going?", Blocks: blocks}
}

// refreshReply is the quarterly refresh: keep, change or retire each theme,
// and a new headline if the focus moved.
func refreshReply(model coach.Model, ref deliveryRef, p coach.Plan, decided map[string]string) reply {
	head := ":arrows_counterclockwise: *Quarterly refresh.* A new quarter: is your plan still the right one? Give it a new headline or focus if it moved, and decide for each theme."
	blocks := []slack.Block{
		section(head),
		section(fmt.Sprintf("*Headline:* “%s”", escape(p.Headline))),
		slack.NewActionBlock("refresh.headline", slack.NewButtonBlockElement(actionID(ActionRefreshEdit, "headline"), ref.with(func(r *deliveryRef) { r.Theme = "" }), plain("New headline or focus"))),
	}
	for _, t := range p.Themes {
		open := 0
		for _, a := range t.Actions {
			if !a.Done {
				open++
			}
		}
		line := fmt.Sprintf("*%s* · %s — %d of %s done", escape(t.Title), escape(model.AreaName(t.Area)), len(t.Actions)-open, plural(len(t.Actions), "action"))
		if d, ok := decided[t.ID]; ok {
			line += "\n" + d
			blocks = append(blocks, section(truncate(line, 3000)))
			continue
		}
		blocks = append(blocks, section(truncate(line, 3000)),
			slack.NewActionBlock("refresh:"+t.ID,
				slack.NewButtonBlockElement(actionID(ActionRefreshKeep, t.ID), ref.with(func(r *deliveryRef) { r.Theme = t.ID }), plain("Keep")),
				slack.NewButtonBlockElement(actionID(ActionRefreshEdit, t.ID), ref.with(func(r *deliveryRef) { r.Theme = t.ID }), plain("Change")),
				slack.NewButtonBlockElement(actionID(ActionRefreshDrop, t.ID), ref.with(func(r *deliveryRef) { r.Theme = t.ID }), plain("Retire")).WithStyle(slack.StyleDanger),
			))
	}
	return reply{Text: "Quarterly refresh: keep, change or retire each theme of your plan.", Blocks: blocks}
}

// colourNoteModal takes a note on one theme's colour.
func colourNoteModal(themeTitle string, ref string, initial string) modalView {
	in := slack.NewPlainTextInputBlockElement(plain("What's behind the colour?"), ActionNoteText)
	in.Multiline = true
	in.MaxLength = coach.MaxNoteLen
	in.InitialValue = initial
	return modalView{
		Type:            slack.VTModal,
		CallbackID:      CallbackColourNote,
		Title:           plain("Check-in note"),
		Submit:          plain("Save"),
		Close:           plain("Cancel"),
		PrivateMetadata: ref,
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section("*" + escape(truncate(themeTitle, 200)) + "*"),
			slack.NewInputBlock(blockNoteText, plain("Note"), nil, in),
		}},
	}
}

// pauseReply confirms a pause. A pause that ends at midnight in the
// person's zone (/coach pause until DATE) is shown as lasting through the
// day before, the date they typed; dates render in the reader's own zone,
// and the fallback is in the person's zone, never UTC.
func pauseReply(until time.Time, loc *time.Location) reply {
	local := until.In(loc)
	var when string
	if local.Hour() == 0 && local.Minute() == 0 {
		last := local.Add(-time.Second)
		when = fmt.Sprintf("through <!date^%d^{date_long_pretty}|%s>", last.Unix(), last.Format("Mon 2 Jan 2006"))
	} else {
		when = fmt.Sprintf("until <!date^%d^{date_long_pretty} at {time}|%s>", until.Unix(), local.Format("Mon 2 Jan 2006 15:04 MST"))
	}
	text := fmt.Sprintf(":double_vertical_bar: Paused %s. Nothing is sent until then — nudges and check-ins that fall in the pause are skipped, not saved up — and nobody will see you as silent. `/coach resume` to come back early.", when)
	return plainReply(text)
}

// plural says "1 action", "3 actions".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func nudgesReply(spec string, off, uncoachedManager bool) reply {
	if off && uncoachedManager {
		return plainReply(":no_bell: You coach others and nobody coaches you, so you get no nudges, check-ins or plan refreshes. Your team digest still comes. `/coach nudges on` to get them for yourself.")
	}
	if off {
		return plainReply(":no_bell: Weekly nudges are off. Monthly colour check-ins on your plan still come, if you have one; `/coach pause 2w` stops everything for a while. `/coach nudges on` to turn nudges back on.")
	}
	if spec == "" {
		return plainReply(":bell: Weekly nudges are on, at the team's default time.")
	}
	return plainReply(":bell: Weekly nudges will come " + describeWeekly(spec) + ", in your time zone.")
}

// describeWeekly phrases a person's own nudge time: "on Tuesdays at 14:00".
func describeWeekly(spec string) string {
	if t, ok := coach.ParseNudgeSpec(spec); ok {
		return t.String()
	}
	return "at " + spec
}
