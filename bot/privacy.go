package bot

import "context"

// exportData sends the person a file of all their data.
func (b *Bot) exportData(ctx context.Context, c call) {
	b.say(ctx, c, plainReply("Export arrives soon."))
}

// forgetMe asks for confirmation, then deletes everything about the person.
func (b *Bot) forgetMe(ctx context.Context, c call) {
	b.say(ctx, c, plainReply("Forget-me arrives soon."))
}
