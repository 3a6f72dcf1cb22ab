package bot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// userCache remembers users.info answers for a while: names and time zones
// change rarely, and the lookup is on the path of many commands.
type userCache struct {
	api *slack.Client
	now func() time.Time
	ttl time.Duration

	mu      sync.Mutex
	entries map[string]cachedUser
}

type cachedUser struct {
	user    slack.User
	fetched time.Time
}

func newUserCache(api *slack.Client, now func() time.Time, ttl time.Duration) *userCache {
	return &userCache{api: api, now: now, ttl: ttl, entries: map[string]cachedUser{}}
}

// errNoSuchUser is returned for an id Slack does not know.
var errNoSuchUser = errors.New("no such user")

// get returns the Slack user with the given id.
func (c *userCache) get(ctx context.Context, id string) (slack.User, error) {
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if ok && c.now().Sub(e.fetched) < c.ttl {
		return e.user, nil
	}
	u, err := c.api.GetUserInfoContext(ctx, id)
	if err != nil {
		if strings.Contains(err.Error(), "user_not_found") {
			return slack.User{}, errNoSuchUser
		}
		if ok {
			return e.user, nil // stale beats nothing during an outage
		}
		return slack.User{}, err
	}
	c.mu.Lock()
	c.entries[id] = cachedUser{user: *u, fetched: c.now()}
	c.mu.Unlock()
	return *u, nil
}

// displayName is how microcoach names a person in logs and exports.
func displayName(u slack.User) string {
	switch {
	case u.Profile.DisplayName != "":
		return u.Profile.DisplayName
	case u.RealName != "":
		return u.RealName
	default:
		return u.Name
	}
}
