package slackemu

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// workspace is the emulated Slack state. Every field is guarded by Server.mu.
type workspace struct {
	opts      Options
	scopes    map[string]bool
	events    map[string]bool
	commands  map[string]bool
	users     map[string]*User
	channels  map[string]*channel
	dms       map[string]string // user id -> DM channel id
	files     map[string]*File
	uploads   map[string]string // upload ticket -> file id
	triggers  map[string]*trigger
	responses map[string]*responseURL
	views     map[string]*view
	external  map[string]*view
	modals    map[string][]*view // user id -> modal stack, root first
	homes     map[string]*view   // user id -> published Home tab
	ephemeral map[string]*message
	seq       uint64
	lastTS    int64 // microseconds
}

type channel struct {
	id, name          string
	im                bool
	imUser            string
	private, archived bool
	members           map[string]bool
	created           time.Time
	messages          []*message // oldest first, parents and replies
	byTS              map[string]*message
}

type message struct {
	channel, ts, threadTS string
	user, botID, subtype  string
	text                  string
	blocks                json.RawMessage
	metadata              json.RawMessage
	files                 []FileRef
	reactions             []Reaction
	edited                bool
	replyCount            int
	ephemeralFor          string // set on ephemeral messages
}

type trigger struct {
	user    string
	created time.Time
	used    bool
	viewID  string // the view the interaction happened in, if any
}

type responseURL struct {
	user, channel string
	original      string // ts of the message replace_original/delete_original act on
	ephemeral     bool   // whether original is an ephemeral message
	command       string // the slash command, echoed by the first in_channel reply
	created       time.Time
	uses          int
}

// Limits on response_url use, from Slack's docs on handling interactions:
// "up to 5 times within 30 minutes".
const (
	responseURLUses     = 5
	responseURLLifetime = 30 * time.Minute
	triggerLifetime     = 3 * time.Second
)

func (w *workspace) init(o Options) {
	w.opts = o
	w.scopes = setOf(o.Scopes)
	w.events = setOf(o.BotEvents)
	w.commands = setOf(o.Commands)
	w.users = map[string]*User{
		o.BotUserID: {ID: o.BotUserID, Name: o.BotName, RealName: o.BotName, IsBot: true},
	}
	w.channels = map[string]*channel{}
	w.dms = map[string]string{}
	w.files = map[string]*File{}
	w.uploads = map[string]string{}
	w.triggers = map[string]*trigger{}
	w.responses = map[string]*responseURL{}
	w.views = map[string]*view{}
	w.external = map[string]*view{}
	w.modals = map[string][]*view{}
	w.homes = map[string]*view{}
	w.ephemeral = map[string]*message{}
}

func setOf(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m
}

// nextID returns a fresh id with the given prefix, e.g. "V0000001A".
func (w *workspace) nextID(prefix string) string {
	w.seq++
	return fmt.Sprintf("%s%08X", prefix, w.seq)
}

// nextTS returns a unique, increasing message timestamp.
func (w *workspace) nextTS(now time.Time) string {
	us := now.UnixMicro()
	if us <= w.lastTS {
		us = w.lastTS + 1
	}
	w.lastTS = us
	return formatTS(us)
}

func (w *workspace) addChannel(c Channel, now time.Time) {
	ch := &channel{
		id: c.ID, name: c.Name, private: c.Private, archived: c.Archived,
		members: setOf(c.Members), created: now, byTS: map[string]*message{},
	}
	if old, ok := w.channels[c.ID]; ok {
		ch.messages, ch.byTS, ch.created = old.messages, old.byTS, old.created
	}
	w.channels[c.ID] = ch
}

// dm returns the app's DM channel with a user, creating it on first use.
func (w *workspace) dm(userID string, now time.Time) *channel {
	if id, ok := w.dms[userID]; ok {
		return w.channels[id]
	}
	id := w.nextID("D")
	ch := &channel{
		id: id, name: userID, im: true, imUser: userID, created: now,
		members: map[string]bool{userID: true, w.opts.BotUserID: true},
		byTS:    map[string]*message{},
	}
	w.channels[id] = ch
	w.dms[userID] = id
	return ch
}

// userByName finds a user by handle.
func (w *workspace) userByName(name string) *User {
	for _, u := range w.users {
		if strings.EqualFold(u.Name, name) {
			return u
		}
	}
	return nil
}

// channelByName finds a channel by name.
func (w *workspace) channelByName(name string) *channel {
	for _, c := range w.channels {
		if !c.im && c.name == name {
			return c
		}
	}
	return nil
}

// viewers are the people (not the bot) who see messages in a channel.
func (w *workspace) viewers(ch *channel) []string {
	if ch.im {
		return []string{ch.imUser}
	}
	out := make([]string, 0, len(ch.members))
	for id := range ch.members {
		if id != w.opts.BotUserID {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// addMessage stores m in its channel, maintaining thread reply counts.
func (ch *channel) addMessage(m *message) {
	ch.messages = append(ch.messages, m)
	ch.byTS[m.ts] = m
	if m.threadTS != "" && m.threadTS != m.ts {
		if parent, ok := ch.byTS[m.threadTS]; ok {
			parent.replyCount++
		}
	}
}

func (ch *channel) deleteMessage(ts string) {
	m, ok := ch.byTS[ts]
	if !ok {
		return
	}
	delete(ch.byTS, ts)
	if i := slices.Index(ch.messages, m); i >= 0 {
		ch.messages = slices.Delete(ch.messages, i, i+1)
	}
}

// newTrigger issues a trigger_id for a person's interaction.
func (w *workspace) newTrigger(user, viewID string, now time.Time) string {
	w.seq++
	id := fmt.Sprintf("%d.%d.%s", now.Unix(), w.seq, strings.ToLower(randomToken()[:16]))
	w.triggers[id] = &trigger{user: user, created: now, viewID: viewID}
	if len(w.triggers) > 1024 {
		for k, t := range w.triggers {
			if now.Sub(t.created) > time.Minute {
				delete(w.triggers, k)
			}
		}
	}
	return id
}

// exchangeTrigger checks and uses up a trigger_id, returning Slack's error
// code when it cannot be used.
func (w *workspace) exchangeTrigger(id string, now time.Time) (*trigger, string) {
	t, ok := w.triggers[id]
	if !ok {
		return nil, "invalid_trigger_id"
	}
	if t.used {
		return nil, "exchanged_trigger_id"
	}
	if now.Sub(t.created) > triggerLifetime {
		return nil, "expired_trigger_id"
	}
	t.used = true
	return t, ""
}

// newResponseURL registers a response_url and returns its token.
func (w *workspace) newResponseURL(r *responseURL) string {
	tok := randomToken()
	w.responses[tok] = r
	if len(w.responses) > 1024 {
		for k, v := range w.responses {
			if r.created.Sub(v.created) > responseURLLifetime {
				delete(w.responses, k)
			}
		}
	}
	return tok
}

// tzInfo computes tz, tz_label and tz_offset for a user at time now.
func tzInfo(name string, now time.Time) (tz, label string, offset int) {
	if name == "" {
		name = "America/Los_Angeles"
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc, name = time.UTC, "UTC"
	}
	abbr, off := now.In(loc).Zone()
	if l, ok := zoneLabels[abbr]; ok {
		label = l
	} else {
		label = fmt.Sprintf("GMT%+03d:%02d", off/3600, abs(off%3600)/60)
	}
	return name, label, off
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// zoneLabels are the long names Slack shows in tz_label for common zone
// abbreviations; others fall back to a GMT offset.
var zoneLabels = map[string]string{
	"UTC": "Coordinated Universal Time", "GMT": "Greenwich Mean Time",
	"BST": "British Summer Time", "IST": "India Standard Time",
	"CET": "Central European Time", "CEST": "Central European Summer Time",
	"EET": "Eastern European Time", "EEST": "Eastern European Summer Time",
	"WET": "Western European Time", "WEST": "Western European Summer Time",
	"PST": "Pacific Standard Time", "PDT": "Pacific Daylight Time",
	"MST": "Mountain Standard Time", "MDT": "Mountain Daylight Time",
	"CST": "Central Standard Time", "CDT": "Central Daylight Time",
	"EST": "Eastern Standard Time", "EDT": "Eastern Daylight Time",
	"AKST": "Alaska Standard Time", "AKDT": "Alaska Daylight Time",
	"HST": "Hawaii-Aleutian Standard Time", "JST": "Japan Standard Time",
	"KST": "Korean Standard Time", "AEST": "Australian Eastern Standard Time",
	"AEDT": "Australian Eastern Daylight Time", "NZST": "New Zealand Standard Time",
	"NZDT": "New Zealand Daylight Time", "SGT": "Singapore Standard Time",
}

// exported copies of internal state.

func (m *message) export() Message {
	return Message{
		Channel: m.channel, TS: m.ts, ThreadTS: m.threadTS, User: m.user,
		BotID: m.botID, Subtype: m.subtype, Text: m.text, Blocks: slices.Clone(m.blocks),
		Metadata: slices.Clone(m.metadata), Files: slices.Clone(m.files),
		Reactions: cloneReactions(m.reactions), Edited: m.edited, ReplyCount: m.replyCount,
	}
}

func cloneReactions(rs []Reaction) []Reaction {
	if rs == nil {
		return nil
	}
	out := make([]Reaction, len(rs))
	for i, r := range rs {
		out[i] = Reaction{Name: r.Name, Users: slices.Clone(r.Users)}
	}
	return out
}

// History returns a conversation's messages, oldest first, thread replies
// included.
func (s *Server) History(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.ws.channels[channelID]
	if !ok {
		return nil
	}
	out := make([]Message, len(ch.messages))
	for i, m := range ch.messages {
		out[i] = m.export()
	}
	return out
}

// DMChannel returns the id of the app's DM with a person, creating it if
// needed (as Slack does when the person first opens the app).
func (s *Server) DMChannel(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ws.dm(userID, s.now()).id
}

// File returns an uploaded file and its content.
func (s *Server) File(id string) (File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.ws.files[id]
	if !ok {
		return File{}, false
	}
	cp := *f
	cp.Content = slices.Clone(f.Content)
	cp.Channels = slices.Clone(f.Channels)
	return cp, true
}
