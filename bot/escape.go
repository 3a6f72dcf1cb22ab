package bot

import "strings"

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escape makes text typed by a person safe to put in a mrkdwn or text field:
// Slack reads <…> as links and mentions, so "<!channel>" in a note must not
// come back as a ping. It is the only way user text enters a message.
func escape(s string) string { return mrkdwnEscaper.Replace(s) }
