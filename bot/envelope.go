package bot

import (
	"encoding/json"

	"github.com/slack-go/slack/socketmode"
)

// undecodable reads what an envelope slack-go could not decode still
// says about itself: its envelope id (so it can be acked; Slack retries an
// unacked event and shows people operation_timeout for the rest) and its
// type (for the log). Each field is read on its own, so a payload of the
// wrong shape, or a type slack-go does not know, does not hide the id. It
// returns "" for what is missing or not a string.
func undecodable(data any) (envelopeID, envelopeType string) {
	bad, ok := data.(*socketmode.ErrorBadMessage)
	if !ok || bad == nil {
		return "", ""
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(bad.Message, &fields) != nil {
		return "", ""
	}
	_ = json.Unmarshal(fields["envelope_id"], &envelopeID)
	_ = json.Unmarshal(fields["type"], &envelopeType)
	return envelopeID, envelopeType
}
