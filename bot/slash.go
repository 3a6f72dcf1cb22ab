package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/coach"
)

// coachSubcommands lists what /coach knows, in the order help shows them.
var coachSubcommands = []subcommand{
	{Name: "help", Usage: "/coach help", Summary: "what microcoach can do"},
	{Name: "plan", Usage: "/coach plan [@person]", Summary: "write or edit your development plan; a manager sees a report's plan read-only"},
	{Name: "challenge", Usage: "/coach challenge [@person] <text>", Summary: "set your Next Bigger Challenge, or propose one to a report"},
	{Name: "gaps", Usage: "/coach gaps [@person]", Summary: "your own view beside your manager's, area by area"},
	{Name: "team", Usage: "/coach team [add|remove @person | leave]", Summary: "the people you coach: invite them (they accept first), withdraw, or leave your manager's team"},
	{Name: "assess", Usage: "/coach assess @person", Summary: "rate a report in every area (managers)"},
	{Name: "question", Usage: "/coach question", Summary: "a coaching question now, answered by replying in our DM (private to you)"},
	{Name: "answers", Usage: "/coach answers", Summary: "your recent answers: read, edit, share or stop sharing"},
	{Name: "pause", Usage: "/coach pause 2w | until 2026-12-24", Summary: "no nudges or check-ins for a while (vacation)"},
	{Name: "resume", Usage: "/coach resume", Summary: "end a pause early"},
	{Name: "nudges", Usage: "/coach nudges tue 14:00 | off | on", Summary: "your own day and time for the weekly nudge; a manager nobody coaches gets no nudges or check-ins until they turn them on"},
	{Name: "prep", Usage: "/coach prep [@person]", Summary: "a 1:1 agenda built from what changed since the last one"},
	{Name: "digest", Usage: "/coach digest [#channel]", Summary: "preview your team digest now, or choose where it is posted (managers)"},
	{Name: "export", Usage: "/coach export", Summary: "a file with all your data"},
	{Name: "forget-me", Usage: "/coach forget-me", Summary: "delete everything microcoach knows about you (asks first)"},
	{Name: "org", Usage: "/coach org set @person @manager | unset @person", Summary: "admins: assign managers of record without an invitation (no access to coaching data)"},
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
func (b *Bot) say(ctx context.Context, c call, r reply) {
	r = localized(r, b.zoneOf(c.user))
	if c.responseURL != "" {
		b.respond(ctx, c.log, c.responseURL, r)
		return
	}
	b.dm(ctx, c.log, c.user, r)
}

// sayError shows bad input as such, refusals and conflicts with their own
// message, and anything else as a failure that is logged.
func (b *Bot) sayError(ctx context.Context, c call, err error) {
	var ie *inputError
	switch {
	case errors.As(err, &ie):
		c.log.Info("refused", "problem", ie.Problem)
		b.say(ctx, c, errorReply(ie))
	case coach.ErrorCode(err) != coach.EINTERNAL:
		c.log.Info("refused", "problem", coach.ErrorMessage(err))
		b.say(ctx, c, errorReply(&inputError{Problem: coach.ErrorMessage(err)}))
	default:
		c.log.Error("request failed", "error", err)
		b.say(ctx, c, failureReply(coach.ErrorMessage(err)))
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
	cc, err := parseCoach(coachSubcommands, text)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	switch cc.Name {
	case "help":
		b.say(ctx, c, helpReply(b.model, coachSubcommands))
	case "team":
		b.team(ctx, c, cc)
	case "assess":
		b.assess(ctx, c, cc)
	case "gaps":
		b.gaps(ctx, c, cc)
	case "challenge":
		b.challenge(ctx, c, cc)
	case "plan":
		b.plan(ctx, c, cc)
	case "question":
		b.question(ctx, c)
	case "answers":
		b.answers(ctx, c)
	case "pause":
		b.pause(ctx, c, cc)
	case "resume":
		b.resume(ctx, c)
	case "nudges":
		b.nudges(ctx, c, cc)
	case "prep":
		b.prep(ctx, c, cc)
	case "digest":
		b.digest(ctx, c, cc)
	case "export":
		b.exportData(ctx, c)
	case "forget-me":
		b.forgetMe(ctx, c)
	case "org":
		b.org(ctx, c, cc)
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
