package slackemu

import (
	"encoding/json"
	"errors"
	"time"
)

// User is a person (or bot) in the emulated workspace.
type User struct {
	// ID is the user id, "U…".
	ID string
	// Name is the handle people type after "@".
	Name string
	// RealName is the display name shown in transcripts.
	RealName string
	// TZ is an IANA zone such as "Europe/Berlin". Empty means the workspace
	// default, America/Los_Angeles, as Slack does for people who never set one.
	TZ string
	// IsBot marks bot users.
	IsBot bool
	// Deleted marks deactivated accounts.
	Deleted bool
	// Email is the address in the person's profile. Slack shows it as
	// profile.email only to tokens with users:read.email, and
	// users.lookupByEmail finds the person by it. Bot users have no e-mail
	// address in Slack: it is ignored when IsBot is set.
	// (docs.slack.dev/reference/scopes/users.read.email,
	// docs.slack.dev/reference/methods/users.info "Email addresses")
	Email string

	// StatusEmoji, StatusText and StatusExpiration are the person's
	// status, shown as profile.status_emoji, status_text and
	// status_expiration (Unix seconds, 0 for none) by users.info;
	// SetStatus changes them and sends user_change.
	StatusEmoji, StatusText string
	StatusExpiration        int64
}

// Channel is a public or private channel.
type Channel struct {
	// ID is the channel id, "C…" (or "G…" for a private channel).
	ID string
	// Name is the channel name without "#".
	Name string
	// Members are user ids. Include the bot user id to make the bot a
	// member. AddMembers, InviteBot and RemoveMembers change them later.
	Members []string
	// Private channels cannot be posted to with chat:write.public.
	Private bool
	// Archived channels refuse posts with is_archived.
	Archived bool
}

// Message is a message stored in a conversation's history.
type Message struct {
	Channel  string
	TS       string
	ThreadTS string
	// User is the author's user id (the bot user id for bot posts).
	User string
	// BotID is set on messages posted with the bot token.
	BotID   string
	Subtype string
	Text    string
	// Blocks is the Block Kit JSON as stored, with the block_id and
	// action_id values Slack fills in when they are missing.
	Blocks json.RawMessage
	// Metadata is the {event_type, event_payload} object, if any.
	Metadata  json.RawMessage
	Files     []FileRef
	Reactions []Reaction
	Edited    bool
	// ReplyCount counts thread replies on a parent message.
	ReplyCount int
}

// Reaction is an emoji reaction on a message.
type Reaction struct {
	Name  string
	Users []string
}

// FileRef identifies a file shared in a message.
type FileRef struct {
	ID    string
	Name  string
	Title string
}

// File is an uploaded file and its content.
type File struct {
	ID       string
	Name     string
	Title    string
	Length   int
	Content  []byte
	Channels []string
}

// View is a modal or Home tab as Slack stores it.
type View struct {
	ID              string
	Type            string // "modal" or "home"
	User            string
	CallbackID      string
	ExternalID      string
	PrivateMetadata string
	Hash            string
	RootViewID      string
	PreviousViewID  string
	Title           string
	Submit          string
	Close           string
	NotifyOnClose   bool
	ClearOnClose    bool
	Blocks          json.RawMessage
	// JSON is the complete view object as views.* methods return it.
	JSON json.RawMessage
}

// SeenKind says what a person saw.
type SeenKind string

// The kinds of things a person can see.
const (
	SeenMessage       SeenKind = "message"        // a message in a conversation they are in
	SeenMessageUpdate SeenKind = "message_update" // a message they saw changed
	SeenMessageDelete SeenKind = "message_delete" // a message they saw was deleted
	SeenEphemeral     SeenKind = "ephemeral"      // a message only they can see
	SeenReaction      SeenKind = "reaction"       // a reaction added to a message
	SeenModalOpen     SeenKind = "modal_open"
	SeenModalUpdate   SeenKind = "modal_update"
	SeenModalPush     SeenKind = "modal_push"
	SeenModalErrors   SeenKind = "modal_errors" // field errors shown in the open modal
	SeenModalClosed   SeenKind = "modal_closed"
	SeenHome          SeenKind = "home"    // their Home tab changed
	SeenError         SeenKind = "error"   // Slack's client showed an error, e.g. operation_timeout
	SeenSent          SeenKind = "sent"    // a message this person wrote
	SeenCommand       SeenKind = "command" // a slash command this person typed
)

// Seen is one thing a person saw, in the order they saw it.
type Seen struct {
	// Seq is the position in the person's list, from 1.
	Seq      int
	Kind     SeenKind
	Channel  string
	TS       string
	ThreadTS string
	// From is the author's user id, when there is one.
	From string
	// MessageText is the message's text field, a view's title, or an error code.
	MessageText string
	// Blocks is the raw Block Kit JSON of the message or view.
	Blocks json.RawMessage
	ViewID string
	// Errors holds the field errors of a modal_errors entry, by block_id.
	Errors map[string]string
	Files  []FileRef
	At     time.Time

	rendered string
}

// Text renders what the person saw as readable plain text: Block Kit through
// RenderBlocks, mentions resolved to names the server knew at the time.
func (s Seen) Text() string { return s.rendered }

// String is "kind: text", handy in test failures and transcripts.
func (s Seen) String() string { return string(s.Kind) + ": " + s.rendered }

// Ack records one acknowledgement read from a Socket Mode connection.
type Ack struct {
	EnvelopeID   string
	Type         string // envelope type: events_api, slash_commands, interactive
	RetryAttempt int
	// Latency is the time from writing the envelope to reading the ack.
	Latency time.Duration
	// Size is the ack frame's size in bytes.
	Size int
	// Late is set when the ack came after the deadline (or for an unknown envelope).
	Late bool
	// Dropped is set when the ack was 20 KB or more and ignored, as Slack does.
	Dropped bool
	// HasPayload is set when the ack carried a payload.
	HasPayload bool
	At         time.Time
}

// Call records one Web API call.
type Call struct {
	Method string
	OK     bool
	Error  string
	// Status is the HTTP status (200, or 429 when rate limited).
	Status int
	// Warnings lists things Slack would accept but flag, e.g. long text.
	Warnings []string
	At       time.Time
}

// EnvelopeRecord records one envelope written (or meant to be written) to a
// Socket Mode connection.
type EnvelopeRecord struct {
	EnvelopeID   string
	Type         string
	EventID      string
	RetryAttempt int
	Created      time.Time
	// Delivered is set once the envelope was written to a connection.
	Delivered bool
	// Conn numbers the Socket Mode connection it was last written to,
	// from 1 in the order connections opened: Slack sends each payload
	// to one of an app's connections, and the tests of several replicas
	// see how they were spread.
	Conn  int
	Acked bool
}

// Container says where a person clicks: a message or a view.
type Container struct {
	ChannelID string
	MessageTS string
	ViewID    string
}

// InMessage is the Container for a message (ephemeral or not).
func InMessage(channelID, ts string) Container {
	return Container{ChannelID: channelID, MessageTS: ts}
}

// InView is the Container for a modal or Home tab view.
func InView(viewID string) Container { return Container{ViewID: viewID} }

// Option is a select or checkbox option as it appears in payloads.
type Option struct {
	Text  json.RawMessage `json:"text,omitempty"`
	Value string          `json:"value"`
}

// Value is what a person entered in one input element of a modal. Type may
// be left empty: it is taken from the view's element.
type Value struct {
	Type  string `json:"type"`
	Value string `json:"value,omitempty"`
	// SelectedOption is filled in from the view when only its Value is set.
	SelectedOption       *Option  `json:"selected_option,omitempty"`
	SelectedOptions      []Option `json:"selected_options,omitempty"`
	SelectedDate         string   `json:"selected_date,omitempty"`
	SelectedTime         string   `json:"selected_time,omitempty"`
	SelectedUser         string   `json:"selected_user,omitempty"`
	SelectedUsers        []string `json:"selected_users,omitempty"`
	SelectedConversation string   `json:"selected_conversation,omitempty"`
	SelectedChannel      string   `json:"selected_channel,omitempty"`
}

// TextValue is the Value of a plain_text_input (or email, url, number input).
func TextValue(s string) Value { return Value{Value: s} }

// Choice is the Value of a single select or radio buttons, by option value.
func Choice(optionValue string) Value {
	return Value{SelectedOption: &Option{Value: optionValue}}
}

// Choices is the Value of a multi select or checkboxes, by option values.
func Choices(optionValues ...string) Value {
	v := Value{SelectedOptions: []Option{}}
	for _, o := range optionValues {
		v.SelectedOptions = append(v.SelectedOptions, Option{Value: o})
	}
	return v
}

// SlashResult is what happened to a slash command.
type SlashResult struct {
	EnvelopeID string
	Acked      bool
	Latency    time.Duration
	// Response is the ack payload, shown to the person like a response_url reply.
	Response json.RawMessage
}

// SubmitResult is what happened to a view submission.
type SubmitResult struct {
	EnvelopeID string
	Acked      bool
	Latency    time.Duration
	// ResponseAction is "", "errors", "update", "push" or "clear".
	ResponseAction string
	Errors         map[string]string
	// View is the view now on top of the person's modal stack, if any.
	View *View
	// Closed is set when the submission closed the modal entirely.
	Closed bool
	// Rejected explains why Slack would refuse the ack payload (the person
	// then sees a generic error and the modal stays as it was).
	Rejected string
	// ClientErrors are errors Slack's client shows without sending anything,
	// e.g. a required field left empty, by block_id.
	ClientErrors map[string]string
}

// Delivery is the outcome of one envelope sent with Deliver.
type Delivery struct {
	EnvelopeID string
	Delivered  bool
	Acked      bool
	Latency    time.Duration
	Payload    json.RawMessage
}

// Errors the person-driving methods return when the bot did not answer in
// time. The person sees the same code as a SeenError entry.
var (
	// ErrOperationTimeout: the envelope was delivered but not acked in time.
	ErrOperationTimeout = errors.New("slackemu: operation_timeout")
	// ErrDispatchFailed: no Socket Mode connection took the envelope in time.
	ErrDispatchFailed = errors.New("slackemu: dispatch_failed")
	// ErrClosed: the server was closed.
	ErrClosed = errors.New("slackemu: server closed")
)
