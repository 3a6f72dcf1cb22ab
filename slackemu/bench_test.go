package slackemu

import (
	"net/url"
	"testing"
)

// BenchmarkDMRoundTrip measures one person's DM, its message.im event, the
// bot's ack and the bot's reply through chat.postMessage.
func BenchmarkDMRoundTrip(b *testing.B) {
	s := newServer(b, Options{})
	bot := connectBot(b, s)
	bot.serve(func(f frame) any {
		ev := decode(b, f.Payload)["event"].(map[string]any)
		if ev["bot_id"] == nil {
			if _, err := apiPost(s, "chat.postMessage", url.Values{"channel": {ev["channel"].(string)}, "text": {"got it"}}); err != nil {
				b.Error(err)
			}
		}
		return nil
	})
	ctx := testCtx(b)
	b.ReportAllocs()
	for b.Loop() {
		n := s.SeenCount("U1")
		if _, err := s.SendDM(ctx, "U1", "hello"); err != nil {
			b.Fatal(err)
		}
		if _, err := s.WaitSeenAfter(ctx, "U1", n, Kind(SeenMessage)); err != nil {
			b.Fatal(err)
		}
	}
}
