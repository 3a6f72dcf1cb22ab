package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/microcoach/microcoach/coach"
)

const usageTeam = "/coach team add @person · /coach team remove @person · /coach team leave · /coach team"

func (b *Bot) team(ctx context.Context, c call, cc coachCommand) {
	verb := ""
	if len(cc.Args) > 0 {
		verb = strings.ToLower(cc.Args[0].text)
	}
	switch verb {
	case "", "list":
		b.teamList(ctx, c)
	case "add":
		b.teamAdd(ctx, c, cc.Args[1:])
	case "remove", "rm":
		b.teamRemove(ctx, c, cc.Args[1:])
	case "leave":
		b.teamLeave(ctx, c)
	default:
		b.sayError(ctx, c, badInput(usageTeam, "unknown team command "+quote(cc.Args[0].text)+" — use add, remove or leave"))
	}
}

func (b *Bot) teamList(ctx context.Context, c call) {
	me, _, err := b.store.Person(c.user)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	reports, err := b.store.Reports(c.user)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	b.say(ctx, c, teamReply(me, reports))
}

// checkUser refuses people who can't be coached: unknown ids, bots,
// deactivated accounts.
func (b *Bot) checkUser(ctx context.Context, m mention) (coach.Person, error) {
	u, err := b.users.get(ctx, m.ID)
	switch {
	case errors.Is(err, errNoSuchUser):
		return coach.Person{}, badInput(usageTeam, "I can't find that person in this workspace")
	case err != nil:
		return coach.Person{}, err
	case u.IsBot || u.ID == "USLACKBOT":
		return coach.Person{}, badInput(usageTeam, fmt.Sprintf("%s is a bot; only people can be coached", "@"+u.Name))
	case u.Deleted:
		return coach.Person{}, badInput(usageTeam, fmt.Sprintf("%s has been deactivated in this workspace", "@"+u.Name))
	}
	return coach.Person{ID: u.ID, Name: displayName(u), EnrolledAt: b.now(), TZ: u.TZ}, nil
}

func (b *Bot) teamAdd(ctx context.Context, c call, args []token) {
	if len(args) == 0 {
		b.sayError(ctx, c, badInput(usageTeam, "say whom to add: /coach team add @person"))
		return
	}
	var lines []string
	var added []coach.Person
	for _, t := range args {
		m, ok, err := parseMention(t.text)
		if err != nil || !ok {
			lines = append(lines, ":warning: "+escape(quote(t.text))+" is not a person; mention them with @")
			continue
		}
		p, err := b.checkUser(ctx, m)
		if err != nil {
			var ie *inputError
			if !errors.As(err, &ie) {
				b.sayError(ctx, c, err)
				return
			}
			lines = append(lines, ":warning: "+escape(ie.Problem))
			continue
		}
		r, err := b.store.AddReport(c.person(b), p, b.now())
		var te *coach.TeamError
		switch {
		case errors.As(err, &te):
			lines = append(lines, ":warning: "+teamRefusal(te, p.ID))
		case err != nil:
			b.sayError(ctx, c, err)
			return
		default:
			added = append(added, r)
			lines = append(lines, fmt.Sprintf(":white_check_mark: <@%s> is now in your team", r.ID))
		}
	}
	b.say(ctx, c, plainReply(strings.Join(lines, "\n")))
	for _, r := range added {
		c.log.Info("report added", "report", r.ID)
		b.dm(ctx, c.log, r.ID, addedToTeamReply(c.user))
		b.refreshHomes(ctx, c.log, r.ID)
	}
}

func teamRefusal(te *coach.TeamError, who string) string {
	switch te.Reason {
	case coach.RefuseSelf:
		return "You can't be your own manager of record; add the people you coach."
	case coach.RefuseAlreadyYours:
		return fmt.Sprintf("<@%s> is already in your team.", who)
	case coach.RefuseHasManager:
		return fmt.Sprintf("<@%s> already has a manager of record, <@%s>. Nothing changed: <@%s> can remove them first (/coach team remove), or <@%s> can leave that team (/coach team leave).", who, te.Manager, te.Manager, who)
	default:
		return fmt.Sprintf("<@%s> is above you in the reporting chain, so they can't report to you. Nothing changed.", who)
	}
}

func (b *Bot) teamRemove(ctx context.Context, c call, args []token) {
	m, err := oneMention("/coach team remove @person", args)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	if err := b.store.RemoveReport(c.user, m.ID); err != nil {
		if errors.Is(err, coach.ErrNotInTeam) {
			err = badInput(usageTeam, "that person is not in your team; /coach team lists who is")
		}
		b.sayError(ctx, c, err)
		return
	}
	c.log.Info("report removed", "report", m.ID)
	b.say(ctx, c, plainReply(fmt.Sprintf(":white_check_mark: <@%s> is no longer in your team; you no longer see their plan or ratings.", m.ID)))
	b.dm(ctx, c.log, m.ID, plainReply(fmt.Sprintf("<@%s> removed you from their team in microcoach. They no longer see your plan, colours or ratings. Your data stays yours.", c.user)))
	b.refreshHomes(ctx, c.log, m.ID)
	b.refreshHomes(ctx, c.log, c.user)
}

func (b *Bot) teamLeave(ctx context.Context, c call) {
	manager, err := b.store.LeaveTeam(c.user)
	if err != nil {
		if errors.Is(err, coach.ErrNotInTeam) {
			err = badInput(usageTeam, "you have no manager of record in microcoach, so there is no team to leave")
		}
		b.sayError(ctx, c, err)
		return
	}
	c.log.Info("left team", "manager", manager)
	b.say(ctx, c, plainReply(fmt.Sprintf(":white_check_mark: You left <@%s>'s team. They no longer see your plan, colours or ratings.", manager)))
	b.dm(ctx, c.log, manager, plainReply(fmt.Sprintf("<@%s> left your team in microcoach; you no longer see their coaching data.", c.user)))
	b.refreshHomes(ctx, c.log, c.user)
}
