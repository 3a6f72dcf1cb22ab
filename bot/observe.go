package bot

import "time"

// Observer hears what the bot does, for metrics. Every method must be
// cheap and safe for concurrent use; a nil Observer is allowed.
type Observer interface {
	// Envelope is called for every Socket Mode envelope, with its type
	// (slash_commands, interactive, events_api) and how long the bot took
	// from reading it to queueing its ack.
	Envelope(envelopeType string, ackLatency time.Duration)
	// Connection reports the Socket Mode connection going up or down.
	Connection(up bool)
}

type nopObserver struct{}

func (nopObserver) Envelope(string, time.Duration) {}
func (nopObserver) Connection(bool)                {}
