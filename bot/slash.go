package bot

import (
	"context"
	"log/slog"
	"strings"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/coach"
)

// coachCommands returns the rows of /coach, in the order help shows them:
// name, usage, summary and the handler. Help, parsing and did-you-mean
// read the same rows, so a subcommand cannot exist in one and not the
// others. New builds them once; with a nil Bot the rows serve help and
// parsing only (tests).
func coachCommands(b *Bot) []subcommand {
	plain := func(f func(*Bot, context.Context, call)) func(context.Context, call, coachCommand) {
		return func(ctx context.Context, c call, _ coachCommand) { f(b, ctx, c) }
	}
	args := func(f func(*Bot, context.Context, call, coachCommand)) func(context.Context, call, coachCommand) {
		return func(ctx context.Context, c call, cc coachCommand) { f(b, ctx, c, cc) }
	}
	return []subcommand{
		{Name: "help", Usage: "/coach help", Summary: "what microcoach can do", run: plain((*Bot).help)},
		{Name: "plan", Usage: "/coach plan [@person]", Summary: "write or edit your development plan; a manager sees a report's plan read-only", run: args((*Bot).plan)},
		{Name: "challenge", Usage: "/coach challenge [@person] <text>", Summary: "set your Next Bigger Challenge, or propose one to a report", run: args((*Bot).challenge)},
		{Name: "gaps", Usage: "/coach gaps [@person]", Summary: "your own view beside your manager's, area by area", run: args((*Bot).gaps)},
		{Name: "team", Usage: "/coach team [add|remove @person | leave]", Summary: "the people you coach: invite them (they accept first), withdraw, or leave your manager's team", run: args((*Bot).team)},
		{Name: "assess", Usage: "/coach assess @person", Summary: "rate a report in every area (managers)", run: args((*Bot).assess)},
		{Name: "question", Usage: "/coach question", Summary: "a coaching question now, answered by replying in our DM (private to you)", run: plain((*Bot).question)},
		{Name: "answers", Usage: "/coach answers", Summary: "your recent answers: read, edit, share or stop sharing", run: plain((*Bot).answers)},
		{Name: "pause", Usage: "/coach pause 2w | until 2026-12-24", Summary: "no nudges or check-ins for a while (vacation)", run: args((*Bot).pause)},
		{Name: "resume", Usage: "/coach resume", Summary: "end a pause early", run: plain((*Bot).resume)},
		{Name: "nudges", Usage: "/coach nudges tue 14:00 | off | on", Summary: "your own day and time for the weekly nudge; a manager nobody coaches gets no nudges or check-ins until they turn them on", run: args((*Bot).nudges)},
		{Name: "prep", Usage: "/coach prep [@person]", Summary: "a 1:1 agenda built from what changed since the last one", run: args((*Bot).prep)},
		{Name: "digest", Usage: "/coach digest [#channel]", Summary: "preview your team digest now, or choose where it is posted (managers)", run: args((*Bot).digest)},
		{Name: "export", Usage: "/coach export", Summary: "a file with all your data", run: plain((*Bot).exportData)},
		{Name: "forget-me", Usage: "/coach forget-me", Summary: "delete everything microcoach knows about you (asks first)", run: plain((*Bot).forgetMe)},
		{Name: "org", Usage: "/coach org set @person @manager | unset @person", Summary: "admins: assign managers of record without an invitation (no access to coaching data)", run: args((*Bot).org)},
	}
}

// help answers /coach help from the registry's rows.
func (b *Bot) help(ctx context.Context, c call) {
	b.say(ctx, c, blocks.Help(b.model, helpRows(b.subcommands)))
}

// call is one person's request: who made it, where to answer, how to log.
type call struct {
	log         *slog.Logger
	user        string
	userName    string
	responseURL string
	triggerID   string
	channel     string
}

func (c call) person(b *Bot) coach.Person {
	return coach.Person{ID: c.user, Name: c.userName, EnrolledAt: b.now()}
}

// say answers the person: ephemerally where they asked when a response_url
// exists, else in their DM with the app.
func (b *Bot) say(ctx context.Context, c call, r blocks.Reply) {
	r = blocks.Localized(r, b.zoneOf(c.user))
	if c.responseURL != "" {
		b.respond(ctx, c.log, c.responseURL, r)
		return
	}
	b.dm(ctx, c.log, c.user, r)
}

// sayError shows bad input as such, refusals and conflicts with their own
// message, and anything else as a failure that is logged.
func (b *Bot) sayError(ctx context.Context, c call, err error) {
	switch coach.ErrorCode(err) {
	case coach.EINTERNAL:
		c.log.Error("request failed", "error", err)
		b.say(ctx, c, blocks.Failure(coach.ErrorMessage(err)))
	default:
		c.log.Info("refused", "code", coach.ErrorCode(err), "problem", coach.ErrorMessage(err))
		b.say(ctx, c, errorReply(err))
	}
}

func (b *Bot) onSlash(ctx context.Context, log *slog.Logger, cmd slack.SlashCommand) {
	c := call{log: log, user: cmd.UserID, userName: cmd.UserName, responseURL: cmd.ResponseURL, triggerID: cmd.TriggerID, channel: cmd.ChannelID}
	if _, err := b.me(ctx, c); err != nil {
		b.sayError(ctx, c, err)
		return
	}
	switch cmd.Command {
	case "/rate":
		b.rate(ctx, c, cmd.Text)
	case "/coach":
		b.coach(ctx, c, cmd.Text)
	default:
		b.say(ctx, c, errorReply(badInput(usageCoach, "microcoach doesn't know the command "+quote(cmd.Command))))
	}
}

func (b *Bot) coach(ctx context.Context, c call, text string) {
	cc, err := parseCoach(b.subcommands, text)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	for _, sub := range b.subcommands {
		if sub.Name == cc.Name {
			sub.run(ctx, c, cc)
			return
		}
	}
}

// about returns the person with the given id if the policy lets actor
// have access to them, and coach.ErrNotYours otherwise. Someone microcoach
// does not know is refused like anyone else, so a refusal says nothing
// about whether the person exists.
func (b *Bot) about(actor, id string, access coach.Access) (coach.Person, error) {
	p, found, err := b.store.Person(id)
	if err != nil {
		return coach.Person{}, err
	}
	if !found {
		p = coach.Person{ID: id}
	}
	if err := b.policy.Authorize(actor, access, coach.About(p)); err != nil {
		return coach.Person{}, err
	}
	return p, nil
}

// oneMention reads exactly one person from a subcommand's arguments.
func oneMention(usage string, args []token) (mention, error) {
	if len(args) == 0 {
		return mention{}, badInput(usage, "say who: mention one person")
	}
	m, ok, err := parseMention(args[0].text)
	if err != nil {
		return mention{}, badInput(usage, err.Error())
	}
	if !ok {
		return mention{}, badInput(usage, "mention the person with @, like "+strings.Replace(usage, " [note]", "", 1))
	}
	if len(args) > 1 {
		return mention{}, badInput(usage, "one person at a time, with nothing after the name")
	}
	return m, nil
}
