package blocks

import "strings"

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Escape makes text typed by a person safe to put in a mrkdwn or text field:
// Slack reads <…> as links and mentions, so "<!channel>" in a note must not
// come back as a ping. It is the only way user text enters a message.
func Escape(s string) string { return mrkdwnEscaper.Replace(s) }
