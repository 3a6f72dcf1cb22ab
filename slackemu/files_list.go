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

// DeleteFile deletes a file as its owner would in Slack's client: image
// blocks naming it are refused from then on. It reports whether the file
// existed.
func (s *Server) DeleteFile(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.ws.files[id]
	delete(s.ws.files, id)
	return ok
}
