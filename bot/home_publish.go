package bot

import "sync"

// homePublishes keeps Home publishes for one person from overlapping (see
// Bot.publishHome): state holds the people whose Home is being published,
// true when another publish was asked for meanwhile.
type homePublishes struct {
	mu    sync.Mutex
	state map[string]bool
}

// begin reports whether the caller should publish; false means one is
// running and will publish again when it ends.
func (h *homePublishes) begin(user string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, running := h.state[user]; running {
		h.state[user] = true
		return false
	}
	h.state[user] = false
	return true
}

// again reports whether a publish was asked for while the caller's ran;
// when not, the caller is done.
func (h *homePublishes) again(user string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.state[user] {
		h.state[user] = false
		return true
	}
	delete(h.state, user)
	return false
}
