package bot

import (
	"context"
	"time"

	"github.com/microcoach/microcoach/coach"
)

// isAway reports whether the person's Slack status says they are away
// (coach.AwayStatus). It reads users.info through the cache, which a
// user_change event clears, so a status set or cleared is seen at the next
// delivery. Without a Slack client, or when Slack does not answer, nobody
// is away.
func (b *Bot) isAway(ctx context.Context, id string) bool {
	if b.api == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	u, err := b.users.get(ctx, id)
	if err != nil {
		return false
	}
	return coach.AwayStatus(u.Profile.StatusEmoji, u.Profile.StatusText, int64(u.Profile.StatusExpiration), b.now())
}

// forget drops a cached user, so the next lookup asks Slack.
func (c *userCache) forget(id string) {
	c.mu.Lock()
	delete(c.entries, id)
	c.mu.Unlock()
}

// zoneOf is a person's time zone, for dates in plain text (modal hints and
// errors) where Slack's <!date> cannot show them in the reader's zone.
func (b *Bot) zoneOf(id string) *time.Location {
	p, _, err := b.store.Person(id)
	if err != nil {
		return time.UTC
	}
	return p.Location()
}
