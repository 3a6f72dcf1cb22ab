package bot

import "context"

// digest previews a manager's digest, or sets its channel.
func (b *Bot) digest(ctx context.Context, c call, cc coachCommand) {
	b.say(ctx, c, plainReply("Digests arrive soon."))
}

// prep builds a 1:1 agenda.
func (b *Bot) prep(ctx context.Context, c call, cc coachCommand) {
	b.say(ctx, c, plainReply("1:1 agendas arrive soon."))
}
