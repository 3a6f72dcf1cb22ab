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

const (
	usageTeam = "/coach team add @person · /coach team remove @person · /coach team leave · /coach team"
	usageOrg  = "/coach org set @person @manager · /coach org unset @person · /coach org"
)

// TeamStore keeps who is whose manager of record.
type TeamStore interface {
	AssignManager(manager, report coach.Person, at time.Time) (coach.ManagerChange, error)
	RemoveReport(manager, report string) error
	LeaveTeam(person string) (manager string, err error)
	Reports(manager string) ([]coach.Person, error)
}

// InvitationStore keeps the invitations that make someone a manager of
// record.
type InvitationStore interface {
	Invite(manager coach.Person, inv coach.Invitation) (coach.Invitation, error)
	SetInvitationMessage(manager, report, channel, ts string) error
	InvitationsFrom(manager string) ([]coach.Invitation, error)
	InvitationsTo(report string) ([]coach.Invitation, error)
	AnswerInvitation(report coach.Person, manager string, accept bool, now time.Time) (coach.ManagerChange, coach.Invitation, error)
	WithdrawInvitation(manager, report string) (coach.Invitation, error)
}

// errCantInvite is the one refusal for inviting someone who can't be
// invited: unknown, a bot, deactivated, or above the inviter in the chain.
// It reads the same for each, so it says nothing about the person.
var errCantInvite = badInput(usageTeam, "I can't invite that person. Invitations go to active people in this workspace (not bots) who aren't above you in your reporting chain.")

func (b *Bot) team(ctx context.Context, c call, cc coachCommand) {
	verb := ""
	if len(cc.Args) > 0 {
		verb = strings.ToLower(cc.Args[0].text)
	}
	switch verb {
	case "", "list":
		b.teamList(ctx, c)
	case "add", "invite":
		b.teamAdd(ctx, c, cc.Args[1:])
	case "remove", "rm", "withdraw":
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
	sent, err := b.store.InvitationsFrom(c.user)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	b.say(ctx, c, blocks.Team(me, reports, sent, b.now()))
}

// activePerson returns someone who can be coached: a person Slack knows,
// not a bot, not deactivated. Anyone else is errNoSuchPerson, one error
// for all of them.
func (b *Bot) activePerson(ctx context.Context, id string) (coach.Person, error) {
	u, err := b.users.get(ctx, id)
	switch {
	case errors.Is(err, errNoSuchUser):
		return coach.Person{}, errNoSuchPerson
	case err != nil:
		return coach.Person{}, err
	case u.IsBot || u.ID == "USLACKBOT" || u.Deleted:
		return coach.Person{}, errNoSuchPerson
	}
	return coach.Person{ID: u.ID, Name: displayName(u), EnrolledAt: b.now(), TZ: u.TZ}, nil
}

var errNoSuchPerson = errors.New("bot: not an active person in this workspace")

// teamAdd invites each person mentioned. Nobody becomes a report until
// they accept; until then the inviter is a stranger to their data.
func (b *Bot) teamAdd(ctx context.Context, c call, args []token) {
	if len(args) == 0 {
		b.sayError(ctx, c, badInput(usageTeam, "say whom to invite: /coach team add @person"))
		return
	}
	var lines []string
	for _, t := range args {
		line, err := b.invite(ctx, c, t.text)
		if err != nil {
			b.sayError(ctx, c, err)
			return
		}
		lines = append(lines, line)
	}
	b.say(ctx, c, blocks.Text(strings.Join(lines, "\n")))
	b.publishHome(ctx, c.log, c.user)
}

// invite invites one mentioned person and returns the line to show the
// inviter; an error is a failure to report as such.
func (b *Bot) invite(ctx context.Context, c call, text string) (string, error) {
	m, ok, err := parseMention(text)
	if err != nil || !ok {
		return ":warning: " + blocks.Escape(quote(text)) + " is not a person; mention them with @", nil
	}
	if m.ID == c.user {
		return ":warning: You can't be your own manager of record; invite the people you coach.", nil
	}
	report, err := b.activePerson(ctx, m.ID)
	if errors.Is(err, errNoSuchPerson) {
		return ":warning: " + errCantInvite.Message, nil
	}
	if err != nil {
		return "", err
	}
	inv, err := b.store.Invite(c.person(b), coach.NewInvitation(c.user, report.ID, b.now()))
	var te *coach.TeamError
	switch {
	case errors.Is(err, coach.ErrAlreadyInvited) && inv.TS != "":
		return fmt.Sprintf(":hourglass: You invited <@%s> on %s; it is waiting for their answer (open until %s).", report.ID, blocks.SlackDate(inv.At), blocks.SlackDate(inv.Expires)), nil
	case errors.Is(err, coach.ErrAlreadyInvited):
		// Stored, but its DM was never recorded: a crash came between the
		// two (the inbox runs this command again after a restart). Send it
		// now; at worst a crash right after the post sends it twice.
		c.log.Info("invitation stored without its DM; sending it", "report", report.ID)
	case errors.As(err, &te) && te.Reason == coach.RefuseAlreadyYours:
		return fmt.Sprintf(":white_check_mark: <@%s> is already in your team.", report.ID), nil
	case errors.As(err, &te):
		return ":warning: " + errCantInvite.Message, nil
	case err != nil:
		return "", err
	}
	c.log.Info("invitation sent", "report", report.ID)
	former := ""
	if p, found, err := b.store.Person(report.ID); err == nil && found {
		former = p.Manager
	}
	ch, ts, err := b.api.PostMessageContext(ctx, report.ID, msgOptions(blocks.Invitation(inv, former))...)
	if err != nil {
		c.log.Error("invitation DM failed", "report", report.ID, "error", err)
		if _, werr := b.store.WithdrawInvitation(c.user, report.ID); werr != nil {
			c.log.Error("withdraw the undelivered invitation", "error", werr)
		}
		return fmt.Sprintf(":warning: I couldn't send <@%s> the invitation, so nothing changed. Please try again later.", report.ID), nil
	}
	if err := b.store.SetInvitationMessage(c.user, report.ID, ch, ts); err != nil {
		c.log.Error("remember the invitation message", "error", err)
	}
	b.publishHome(ctx, c.log, report.ID)
	return fmt.Sprintf(":envelope: I invited <@%s> to accept you as their manager of record. You'll see their coaching data once they accept; the invitation is open until %s. To withdraw it: `/coach team remove @%s`", report.ID, blocks.SlackDate(inv.Expires), mentionName(text)), nil
}

// mentionName is the name part of an escaped mention, for usage hints.
func mentionName(text string) string {
	if m, ok, err := parseMention(text); err == nil && ok && m.Name != "" {
		return m.Name
	}
	return "person"
}

// onInvitation answers the invitation buttons: accept and decline by the
// invited person, withdraw by the inviter. Who clicked decides; the value
// only says which invitation of theirs.
func (b *Bot) onInvitation(ctx context.Context, c call, a *slack.BlockAction) {
	switch a.ActionID {
	case blocks.ActionInviteWithdraw:
		b.withdraw(ctx, c, a.Value)
		return
	}
	accept := a.ActionID == blocks.ActionInviteAccept
	manager := a.Value
	if err := b.policy.Authorize(c.user, coach.ChangeOwn, coach.About(coach.Person{ID: c.user})); err != nil || manager == "" {
		c.log.Warn("invitation answer without a person or an inviter")
		return
	}
	me, err := b.activePerson(ctx, c.user)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	change, inv, err := b.store.AnswerInvitation(me, manager, accept, b.now())
	var te *coach.TeamError
	switch {
	case errors.As(err, &te):
		b.replaceReply(ctx, c, errorReply(coach.Errorf(coach.ECONFLICT, "You can't accept this invitation: it would make a loop in the reporting chain. Nothing changed.")))
		return
	case err != nil && coach.ErrorCode(err) != coach.EINTERNAL:
		c.log.Info("invitation answer refused", "problem", coach.ErrorMessage(err))
		b.replaceReply(ctx, c, errorReply(err))
		return
	case err != nil:
		b.sayError(ctx, c, err)
		return
	case change.Already:
		b.replaceReply(ctx, c, blocks.Text(fmt.Sprintf(":white_check_mark: You already accepted <@%s> as your manager of record; nothing changed.", manager)))
		return
	}
	if !accept {
		c.log.Info("invitation declined", "manager", manager)
		b.replaceReply(ctx, c, blocks.Text(fmt.Sprintf("You declined <@%s>'s invitation. They were told, and see nothing of yours.", manager)))
		b.dm(ctx, c.log, manager, blocks.Text(fmt.Sprintf("<@%s> declined your invitation to be their manager of record in microcoach, so nothing of theirs is shared with you. No hard feelings: it's their call.", c.user)))
		b.publishHome(ctx, c.log, manager)
		b.publishHome(ctx, c.log, c.user)
		return
	}
	c.log.Info("invitation accepted", "manager", manager, "former", change.Former)
	b.replaceReply(ctx, c, blocks.Accepted(inv.Manager, change.Former))
	b.dm(ctx, c.log, manager, blocks.Text(fmt.Sprintf(":tada: <@%s> accepted your invitation: you are now their manager of record. `/coach gaps`, `/coach prep` and `/rate` work for them now.", c.user)))
	if change.Former != "" {
		b.dm(ctx, c.log, change.Former, blocks.FormerManager(c.user))
		b.publishHome(ctx, c.log, change.Former)
	}
	b.refreshHomes(ctx, c.log, c.user)
}

// withdraw removes the clicking manager's invitation to report and tells
// the invited person by updating the invitation's DM.
func (b *Bot) withdraw(ctx context.Context, c call, report string) {
	inv, err := b.store.WithdrawInvitation(c.user, report)
	if errors.Is(err, coach.ErrNotInvited) {
		err = badInput(usageTeam, "that person is not in your team and has no open invitation from you; /coach team lists both")
	}
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	c.log.Info("invitation withdrawn", "report", report)
	b.say(ctx, c, blocks.Text(fmt.Sprintf(":white_check_mark: You withdrew your invitation to <@%s>.", report)))
	if inv.Channel != "" && inv.TS != "" {
		r := blocks.Text(fmt.Sprintf("<@%s> withdrew this invitation; nothing of yours was shared.", c.user))
		if _, _, _, err := b.api.UpdateMessageContext(ctx, inv.Channel, inv.TS, msgOptions(r)...); err != nil {
			c.log.Error("update the withdrawn invitation", "error", err)
		}
	}
	b.publishHome(ctx, c.log, report)
	b.publishHome(ctx, c.log, c.user)
}

// teamRemove ends a report's link, or withdraws an open invitation.
func (b *Bot) teamRemove(ctx context.Context, c call, args []token) {
	m, err := oneMention("/coach team remove @person", args)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	err = b.store.RemoveReport(c.user, m.ID)
	if errors.Is(err, coach.ErrNotInTeam) {
		b.withdraw(ctx, c, m.ID)
		return
	}
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	c.log.Info("report removed", "report", m.ID)
	b.say(ctx, c, blocks.Text(fmt.Sprintf(":white_check_mark: <@%s> is no longer in your team; you no longer see their plan or ratings.", m.ID)))
	b.dm(ctx, c.log, m.ID, blocks.Text(fmt.Sprintf("<@%s> removed you from their team in microcoach. They no longer see your plan, colours or ratings. Your data stays yours.", c.user)))
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
	b.say(ctx, c, blocks.Text(fmt.Sprintf(":white_check_mark: You left <@%s>'s team. They no longer see your plan, colours or ratings.", manager)))
	b.dm(ctx, c.log, manager, blocks.Text(fmt.Sprintf("<@%s> left your team in microcoach; you no longer see their coaching data.", c.user)))
	b.publishHome(ctx, c.log, manager)
	b.publishHome(ctx, c.log, c.user)
}

// org is the admins' command: assign or end anyone's manager of record
// without an invitation. It grants no access to coaching data.
func (b *Bot) org(ctx context.Context, c call, cc coachCommand) {
	if err := b.policy.Authorize(c.user, coach.AssignManager, coach.Target{}); err != nil {
		b.sayError(ctx, c, err)
		return
	}
	verb := ""
	if len(cc.Args) > 0 {
		verb = strings.ToLower(cc.Args[0].text)
	}
	switch verb {
	case "":
		b.say(ctx, c, blocks.OrgHelp(b.policy.Admins()))
	case "set", "assign":
		b.orgSet(ctx, c, cc.Args[1:])
	case "unset", "remove":
		b.orgUnset(ctx, c, cc.Args[1:])
	default:
		b.sayError(ctx, c, badInput(usageOrg, "unknown org command "+quote(cc.Args[0].text)+" — use set or unset"))
	}
}

func (b *Bot) orgSet(ctx context.Context, c call, args []token) {
	if len(args) != 2 {
		b.sayError(ctx, c, badInput(usageOrg, "name the person, then their manager: /coach org set @person @manager"))
		return
	}
	var people [2]coach.Person
	for i, t := range args {
		m, ok, err := parseMention(t.text)
		if err != nil || !ok {
			b.sayError(ctx, c, badInput(usageOrg, blocks.Escape(quote(t.text))+" is not a person; mention them with @"))
			return
		}
		p, err := b.activePerson(ctx, m.ID)
		if errors.Is(err, errNoSuchPerson) {
			err = badInput(usageOrg, "only active people in this workspace (not bots) can be assigned")
		}
		if err != nil {
			b.sayError(ctx, c, err)
			return
		}
		people[i] = p
	}
	report, manager := people[0], people[1]
	change, err := b.store.AssignManager(manager, report, b.now())
	var te *coach.TeamError
	if errors.As(err, &te) {
		problem := map[coach.TeamRefusal]string{
			coach.RefuseSelf:         "a person can't be their own manager of record",
			coach.RefuseAlreadyYours: fmt.Sprintf("<@%s> is already <@%s>'s manager of record; nothing changed", manager.ID, report.ID),
			coach.RefuseCycle:        fmt.Sprintf("<@%s> is above <@%s> in the reporting chain, so that would make a loop; nothing changed", report.ID, manager.ID),
		}[te.Reason]
		err = badInput(usageOrg, problem)
	}
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	c.log.Info("manager assigned by an admin", "report", report.ID, "manager", manager.ID, "former", change.Former)
	b.say(ctx, c, blocks.Text(fmt.Sprintf(":white_check_mark: <@%s> is now <@%s>'s manager of record; both were told. Being an admin doesn't let you see their coaching data.", manager.ID, report.ID)))
	b.TellAssigned(ctx, change, c.user)
}

func (b *Bot) orgUnset(ctx context.Context, c call, args []token) {
	m, err := oneMention(usageOrg, args)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	manager, err := b.store.LeaveTeam(m.ID)
	if errors.Is(err, coach.ErrNotInTeam) {
		err = badInput(usageOrg, "that person has no manager of record, so there is nothing to end")
	}
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	c.log.Info("manager unassigned by an admin", "report", m.ID, "manager", manager)
	b.say(ctx, c, blocks.Text(fmt.Sprintf(":white_check_mark: <@%s> no longer has a manager of record; they and <@%s> were told.", m.ID, manager)))
	b.dm(ctx, c.log, m.ID, blocks.Text(fmt.Sprintf("<@%s>, a microcoach admin, ended <@%s>'s role as your manager of record. They no longer see your coaching data.", c.user, manager)))
	b.dm(ctx, c.log, manager, blocks.Text(fmt.Sprintf("<@%s>, a microcoach admin, ended your role as <@%s>'s manager of record; you no longer see their coaching data.", c.user, m.ID)))
	b.publishHome(ctx, c.log, m.ID)
	b.publishHome(ctx, c.log, manager)
}

// TellAssigned tells everyone a change of manager of record made without an
// invitation concerns: the person (who made it, and what their manager
// can see), the new manager and a former one, and refreshes their Home
// tabs. by is the admin who made it, or "" for an org chart import.
func (b *Bot) TellAssigned(ctx context.Context, ch coach.ManagerChange, by string) {
	log := b.log.With("report", ch.Person.ID, "manager", ch.Person.Manager)
	who := "Your organisation's org chart import"
	if by != "" {
		who = fmt.Sprintf("<@%s>, a microcoach admin,", by)
	}
	b.dm(ctx, log, ch.Person.ID, blocks.Assigned(who, ch.Person.Manager))
	b.dm(ctx, log, ch.Person.Manager, blocks.Text(fmt.Sprintf("%s made you <@%s>'s manager of record in microcoach. You now see their plan, colours, ratings and challenge, and can rate them and prepare 1:1s (`/coach prep`).", who, ch.Person.ID)))
	if ch.Former != "" {
		b.dm(ctx, log, ch.Former, blocks.FormerManager(ch.Person.ID))
		b.publishHome(ctx, log, ch.Former)
	}
	b.refreshHomes(ctx, log, ch.Person.ID)
}

// msgOptions turns a reply into chat.postMessage / chat.update options.
func msgOptions(r blocks.Reply) []slack.MsgOption {
	return []slack.MsgOption{slack.MsgOptionText(r.Text, false), slack.MsgOptionBlocks(r.Blocks...)}
}
