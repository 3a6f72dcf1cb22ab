package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/slack-go/slack"

	"github.com/microcoach/microcoach/bot/blocks"
	"github.com/microcoach/microcoach/coach"
)

const usageDigest = "/coach digest · /coach digest #channel · /coach digest dm"

// digestDM marks a manager who wants the digest in their DM.
const digestDM = "dm"

var channelMention = regexp.MustCompile(`^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$`)

// teamStatuses returns a manager's reports, worst first, all read in one
// transaction.
func (b *Bot) teamStatuses(manager string) ([]coach.ReportStatus, error) {
	var out []coach.ReportStatus
	err := b.screen(func(r ScreenReader) error {
		var err error
		out, err = b.teamStatusesFrom(r, manager)
		return err
	})
	return out, err
}

func (b *Bot) teamStatusesFrom(sr ScreenReader, manager string) ([]coach.ReportStatus, error) {
	reports, err := sr.Reports(manager)
	if err != nil {
		return nil, err
	}
	now := b.now()
	out := make([]coach.ReportStatus, 0, len(reports))
	for _, r := range reports {
		if b.policy.Authorize(manager, coach.SeeCoaching, coach.About(r)) != nil {
			continue // the index and the person disagree: show nothing
		}
		st, err := b.reportStatus(sr, r, now)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	coach.SortWorstFirst(out, now)
	return out, nil
}

// digest previews a manager's digest, or sets where it is posted.
func (b *Bot) digest(ctx context.Context, c call, cc coachCommand) {
	me, err := b.me(ctx, c)
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	if len(cc.Args) == 0 {
		statuses, err := b.teamStatuses(c.user)
		if err != nil {
			b.sayError(ctx, c, err)
			return
		}
		v := blocks.Digest(b.model, statuses, b.now(), true)
		if len(statuses) > 0 {
			// The preview is ephemeral; its grid is shared in the
			// manager's own DM.
			if dm, err := b.viewerDM(ctx, c.user); err == nil {
				v.Top.Blocks = blocks.WithPicture(v.Top.Blocks, blocks.BlockGrid, b.gridFor(ctx, c.log, c.user, dm, statuses, b.now()), blocks.MaxMessageBlocks-1)
			}
		}
		r := v.Top
		r.Blocks = append(r.Blocks[:len(r.Blocks):len(r.Blocks)], blocks.Context(b.digestTarget(me)))
		if len(r.Blocks) > blocks.MaxMessageBlocks {
			r.Blocks = append(r.Blocks[:blocks.MaxMessageBlocks-1], r.Blocks[len(r.Blocks)-1])
		}
		b.say(ctx, c, r)
		return
	}
	arg := cc.Args[0].text
	var target string
	switch {
	case strings.EqualFold(arg, "dm"):
		target = digestDM
	case channelMention.MatchString(arg):
		target = channelMention.FindStringSubmatch(arg)[1]
		if problem := b.checkDigestChannel(ctx, target); problem != "" {
			b.sayError(ctx, c, badInput(usageDigest, problem))
			return
		}
	default:
		b.sayError(ctx, c, badInput(usageDigest, "pick the channel from Slack's #-list, like /coach digest #pm-coaching, or say dm"))
		return
	}
	me, err = b.store.UpdatePerson(me, func(p *coach.Person) error { p.DigestChannel = target; return nil })
	if err != nil {
		b.sayError(ctx, c, err)
		return
	}
	c.log.Info("digest channel set", "channel", target)
	text := ":white_check_mark: " + b.digestTarget(me)
	if target != digestDM {
		reports, err := b.store.Reports(c.user)
		if err != nil {
			b.sayError(ctx, c, err)
			return
		}
		text += "\n" + b.audienceNote(ctx, target, reports)
	}
	b.say(ctx, c, blocks.Text(text))
}

// digestTarget says where a manager's digest goes.
func (b *Bot) digestTarget(me coach.Person) string {
	switch ch := b.digestChannel(me); ch {
	case "":
		return "Your digest comes to you as a direct message. Choose a channel with `/coach digest #channel`."
	default:
		return fmt.Sprintf("Your digest is posted in <#%s>. Change it with `/coach digest #channel` or `/coach digest dm`.", ch)
	}
}

// digestChannel is where a manager's digest goes; "" means their DM.
func (b *Bot) digestChannel(p coach.Person) string {
	switch p.DigestChannel {
	case digestDM:
		return ""
	case "":
		return b.defaultDigest
	}
	return p.DigestChannel
}

// checkDigestChannel returns why the bot cannot post in a channel, or "".
func (b *Bot) checkDigestChannel(ctx context.Context, id string) string {
	ch, err := b.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: id})
	switch {
	case err != nil && strings.Contains(err.Error(), "channel_not_found"):
		return "I can't see that channel. If it is private, invite me first: /invite @microcoach"
	case err != nil && strings.Contains(err.Error(), "missing_scope"):
		// Installed without channels:read: the post itself will tell, and
		// a refused digest goes to the manager's DM with the reason.
		b.log.Warn("cannot check the digest channel without channels:read", "channel", id)
		return ""
	case err != nil:
		return "I couldn't check that channel (" + err.Error() + "); nothing changed"
	}
	switch {
	case ch.IsArchived:
		return "that channel is archived"
	case !ch.IsMember:
		return "I'm not in that channel. Invite me first with /invite @microcoach, then choose it again"
	}
	return ""
}

// postDigest posts a manager's digest with its thread. When the chosen
// channel refuses, the digest goes to the manager's DM with the reason.
func (b *Bot) postDigest(ctx context.Context, p coach.Person, d coach.Delivery, meta slack.MsgOption) (string, string, error) {
	statuses, err := b.teamStatuses(p.ID)
	if err != nil {
		return "", "", err
	}
	if len(statuses) == 0 {
		return "", "", &ErrNotOwed{Reason: "no reports"}
	}
	v := blocks.Digest(b.model, statuses, b.now(), false)
	target := b.digestChannel(p)
	var problem string
	if target != "" {
		full, err := b.fullAudience(ctx, target, reportsOf(statuses))
		if _, limited := isRateLimited(err); limited {
			return "", "", err
		}
		if !full {
			return b.postDigestSummary(ctx, p, d, target, v, statuses, meta)
		}
		// Every member may see every row: the grid is shared here.
		ch, ts, err := b.postDigestWithGrid(ctx, p, target, v, statuses, meta)
		if err == nil {
			return ch, ts, nil
		}
		if _, limited := isRateLimited(err); limited {
			return "", "", err
		}
		problem = err.Error()
		b.log.Warn("digest channel refused; sending to the manager's DM", "manager", p.ID, "channel", target, "error", err)
	}
	dm, err := b.dmChannel(ctx, p)
	if err != nil {
		return "", "", notOwedOr(err)
	}
	if problem != "" {
		v.Top.Blocks = append([]slack.Block{blocks.Section(fmt.Sprintf(":warning: I couldn't post your digest in <#%s> (%s). Invite me with `/invite @microcoach`, or choose another channel with `/coach digest #channel`. Here it is instead.", target, blocks.Escape(problem)))}, v.Top.Blocks...)
		if len(v.Top.Blocks) > blocks.MaxMessageBlocks {
			v.Top.Blocks = v.Top.Blocks[:blocks.MaxMessageBlocks]
		}
	}
	return b.postDigestWithGrid(ctx, p, dm, v, statuses, meta)
}

// postDigestSummary is a digest for a channel whose members may not all
// see every report's data: the details go to the manager's DM (the
// delivery the ledger tracks), and the channel gets counts only. A crash
// between the two can lose the channel's summary, never the details.
func (b *Bot) postDigestSummary(ctx context.Context, p coach.Person, d coach.Delivery, target string, v blocks.DigestView, statuses []coach.ReportStatus, meta slack.MsgOption) (string, string, error) {
	dm, err := b.dmChannel(ctx, p)
	if err != nil {
		return "", "", notOwedOr(err)
	}
	v.Top.Blocks = append(v.Top.Blocks[:len(v.Top.Blocks):len(v.Top.Blocks)], blocks.Context(fmt.Sprintf(":lock: <#%s> has members who may not see your reports' coaching data, so it gets a summary with counts only; the details are here.", target)))
	if len(v.Top.Blocks) > blocks.MaxMessageBlocks {
		v.Top.Blocks = append(v.Top.Blocks[:blocks.MaxMessageBlocks-1], v.Top.Blocks[len(v.Top.Blocks)-1])
	}
	ch, ts, err := b.postDigestWithGrid(ctx, p, dm, v, statuses, meta)
	if err != nil {
		return "", "", err
	}
	// The channel gets counts only: no grid, nothing about any one person.
	summary := blocks.DigestSummary(p.ID, statuses, b.now())
	if _, _, err := b.api.PostMessageContext(ctx, target, msgOptions(summary)...); err != nil {
		b.log.Warn("digest summary refused by the channel", "manager", p.ID, "channel", target, "error", err)
		b.dm(ctx, b.log, p.ID, blocks.Text(fmt.Sprintf(":warning: I couldn't post your digest's summary in <#%s> (%s). Invite me with `/invite @microcoach`, or choose another channel with `/coach digest #channel`.", target, blocks.Escape(err.Error()))))
	}
	return ch, ts, nil
}

func reportsOf(statuses []coach.ReportStatus) []coach.Person {
	out := make([]coach.Person, len(statuses))
	for i, s := range statuses {
		out[i] = s.Person
	}
	return out
}

// channelHumans returns the channel's members who are people: not bots,
// not deactivated.
func (b *Bot) channelHumans(ctx context.Context, channel string) ([]string, error) {
	var humans []string
	params := &slack.GetUsersInConversationParameters{ChannelID: channel, Limit: 200}
	for {
		ids, next, err := b.api.GetUsersInConversationContext(ctx, params)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if id == b.botUser {
				continue
			}
			u, err := b.users.get(ctx, id)
			if errors.Is(err, errNoSuchUser) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if !u.IsBot && !u.Deleted && u.ID != "USLACKBOT" {
				humans = append(humans, id)
			}
		}
		if next == "" {
			return humans, nil
		}
		params.Cursor = next
	}
}

// fullAudience reports whether every human member of the channel may see
// the coaching data of everyone shown. When the members can't be read, the
// answer is no: a summary is always safe.
func (b *Bot) fullAudience(ctx context.Context, channel string, shown []coach.Person) (bool, error) {
	humans, err := b.channelHumans(ctx, channel)
	if err != nil {
		b.log.Warn("cannot read the channel's members; posting a summary only", "channel", channel, "error", err)
		return false, err
	}
	return b.policy.ChannelAudience(humans, shown) == coach.AudienceFull, nil
}

// audienceNote tells a manager what their digest in a channel will carry,
// and why.
func (b *Bot) audienceNote(ctx context.Context, channel string, reports []coach.Person) string {
	full, err := b.fullAudience(ctx, channel, reports)
	switch {
	case err != nil:
		return fmt.Sprintf(":lock: I can't read who is in <#%s>, so it will get a summary with counts only, and the details will come to your DM.", channel)
	case full:
		return fmt.Sprintf(":eyes: Everyone in <#%s> is you (and bots), so it gets the full digest. If someone else joins, it gets a summary instead and the details come to your DM.", channel)
	default:
		return fmt.Sprintf(":lock: <#%s> has members who may not see your reports' coaching data, so it will get a summary with counts only (nothing about any one person), and the details will come to your DM.", channel)
	}
}

func (b *Bot) postWithThread(ctx context.Context, channel string, v blocks.DigestView, meta slack.MsgOption) (string, string, error) {
	ch, ts, err := b.api.PostMessageContext(ctx, channel, slack.MsgOptionText(v.Top.Text, false), slack.MsgOptionBlocks(v.Top.Blocks...), meta)
	if err != nil {
		return "", "", err
	}
	for _, r := range v.Thread {
		if _, _, err := b.api.PostMessageContext(ctx, ch, slack.MsgOptionText(r.Text, false), slack.MsgOptionBlocks(r.Blocks...), slack.MsgOptionTS(ts)); err != nil {
			// The digest itself is out; a missing detail is logged, not resent.
			b.log.Error("digest thread reply failed", "channel", ch, "ts", ts, "error", err)
		}
	}
	return ch, ts, nil
}

// postDigestWithGrid posts a digest with the colour grid of the reports
// shared in channel (the caller has decided that everyone there may see
// every row: the manager's DM, or their own channel). Without a grid, or
// when Slack refuses the picture, the digest goes out as text.
func (b *Bot) postDigestWithGrid(ctx context.Context, p coach.Person, channel string, v blocks.DigestView, statuses []coach.ReportStatus, meta slack.MsgOption) (string, string, error) {
	grid := b.gridFor(ctx, b.log, p.ID, channel, statuses, b.now())
	if grid == nil {
		return b.postWithThread(ctx, channel, v, meta)
	}
	withGrid := v
	withGrid.Top.Blocks = blocks.WithPicture(v.Top.Blocks, blocks.BlockGrid, grid, blocks.MaxMessageBlocks)
	ch, ts, err := b.postWithThread(ctx, channel, withGrid, meta)
	if pictureFailed(err) {
		b.log.Warn("digest refused with its grid; posting text", "manager", p.ID, "channel", channel, "error", err)
		b.pictures.forget(grid.FileID)
		return b.postWithThread(ctx, channel, v, meta)
	}
	return ch, ts, err
}
