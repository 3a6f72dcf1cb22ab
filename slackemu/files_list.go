package slackemu

import (
	"slices"
	"strings"
)

// Files returns every file uploaded (completely or not), in upload order,
// so tests and the demo can read back what an app sent.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]File, 0, len(s.ws.files))
	for _, f := range s.ws.files {
		c := *f
		c.Content = slices.Clone(f.Content)
		c.Channels = slices.Clone(f.Channels)
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b File) int { return strings.Compare(a.ID, b.ID) })
	return out
}
