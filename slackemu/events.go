package slackemu

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// verificationToken is the deprecated verification token Slack still puts
// in payloads.
const verificationToken = "emuVerificationToken0000"

// eventCallback wraps an inner event in the Events API wrapper and returns
// it with a fresh event_id. The caller holds Server.mu.
func (s *Server) eventCallback(inner any) (json.RawMessage, string) {
	s.ws.seq++
	eventID := fmt.Sprintf("Ev%08X", s.ws.seq)
	return s.wrapEvent(inner, eventID), eventID
}

func (s *Server) wrapEvent(inner any, eventID string) json.RawMessage {
	o := s.opts
	return marshal(map[string]any{
		"token":      verificationToken,
		"team_id":    o.TeamID,
		"api_app_id": o.AppID,
		"event":      inner,
		"type":       "event_callback",
		"event_id":   eventID,
		"event_time": s.now().Unix(),
		"authorizations": []map[string]any{{
			"enterprise_id": nil, "team_id": o.TeamID, "user_id": o.BotUserID,
			"is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false,
		"event_context":         "4-" + base64.RawURLEncoding.EncodeToString([]byte(`{"tid":"`+o.TeamID+`","aid":"`+o.AppID+`","eid":"`+eventID+`"}`)),
	})
}

// EventCallback wraps an inner event (e.g. {"type":"message",…}) in the
// Events API wrapper with the given event_id, for Deliver. Delivering the
// result twice reproduces Slack's duplicate deliveries.
func (s *Server) EventCallback(inner json.RawMessage, eventID string) json.RawMessage {
	return s.wrapEvent(inner, eventID)
}

// sendEvent delivers one attempt of an event and, when it is not acked in
// time, schedules the next attempt with the same event_id after
// EventRetryDelays[attempt], up to three retries (retry_reason "timeout").
func (s *Server) sendEvent(payload json.RawMessage, eventID string, attempt int) {
	e := s.newEnvelope("events_api", payload, false, attempt)
	e.eventID = eventID
	e.onDone = func(o outcome) {
		if o.acked || o.closed {
			return
		}
		delays := s.opts.EventRetryDelays
		if attempt >= len(delays) || attempt >= 3 {
			s.log.Debug("slackemu: event not acked, no retries left", "event_id", eventID)
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.closed {
			return
		}
		s.armTimer(delays[attempt], func() { s.sendEvent(payload, eventID, attempt+1) })
	}
	s.dispatch(e)
}

// Envelope is a low-level Socket Mode envelope for DeliverEnvelope.
type Envelope struct {
	// Type is events_api, slash_commands or interactive (or anything, to
	// test a bot's handling of unknown types).
	Type    string
	Payload json.RawMessage
	// AcceptsResponsePayload is sent as accepts_response_payload.
	AcceptsResponsePayload bool
	// RetryAttempt is sent (with retry_reason "timeout" when > 0) on
	// events_api envelopes.
	RetryAttempt int
}

// Deliver sends one envelope of the given type and waits for its ack or
// for the ack deadline. It is not retried. accepts_response_payload is true
// for slash_commands and interactive, false for events_api.
func (s *Server) Deliver(ctx context.Context, envelopeType string, payload json.RawMessage) (Delivery, error) {
	return s.DeliverEnvelope(ctx, Envelope{Type: envelopeType, Payload: payload, AcceptsResponsePayload: envelopeType != "events_api"})
}

// DeliverEnvelope sends one envelope exactly as described and waits for its
// ack or for the ack deadline.
func (s *Server) DeliverEnvelope(ctx context.Context, env Envelope) (Delivery, error) {
	e := s.newEnvelope(env.Type, env.Payload, env.AcceptsResponsePayload, env.RetryAttempt)
	if env.Type == "events_api" {
		var w struct {
			EventID string `json:"event_id"`
		}
		_ = json.Unmarshal(env.Payload, &w)
		e.eventID = w.EventID
	}
	o, err := s.roundTrip(ctx, e)
	return Delivery{EnvelopeID: e.id, Delivered: o.delivered, Acked: o.acked, Latency: o.latency, Payload: o.payload}, err
}

// roundTrip dispatches e and waits for its outcome.
func (s *Server) roundTrip(ctx context.Context, e *envelope) (outcome, error) {
	ch := make(chan outcome, 1)
	e.onDone = func(o outcome) { ch <- o }
	s.dispatch(e)
	select {
	case o := <-ch:
		if o.closed {
			return o, ErrClosed
		}
		return o, nil
	case <-ctx.Done():
		return outcome{}, ctx.Err()
	case <-s.done:
		return outcome{}, ErrClosed
	}
}
