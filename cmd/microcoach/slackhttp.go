package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const outcomeRateLimited = "ratelimited"

// slackTransport is the http.RoundTripper of the Slack client. It counts
// every Web API call by method and outcome, logs it at debug level (the
// method and outcome, never the body, which carries the token and people's
// words), and makes calls still running when cutoff ends give up: that
// bounds how long shutdown waits for in-flight sends.
type slackTransport struct {
	base    http.RoundTripper
	metrics *metrics
	log     *slog.Logger
	cutoff  context.Context
}

func (t *slackTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	method := apiMethod(req.URL.Path)
	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	defer context.AfterFunc(t.cutoff, cancel)()
	start := time.Now()
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err == nil {
		// Read the whole answer while ctx lives: its outcome is in the body,
		// and slack-go reads it after RoundTrip has returned.
		var body []byte
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if err == nil {
			outcome := callOutcome(resp.StatusCode, body)
			t.metrics.apiCall(method, outcome)
			t.log.Debug("slack api call", "method", method, "outcome", outcome, "status", resp.StatusCode, "duration", time.Since(start).Round(time.Microsecond))
			return resp, nil
		}
	}
	t.metrics.apiCall(method, "transport_error")
	t.log.Debug("slack api call", "method", method, "outcome", "transport_error", "error", err, "duration", time.Since(start).Round(time.Microsecond))
	return nil, err
}

// apiMethod is the Web API method named by a URL path (".../api/chat.postMessage"),
// or "upload" for the file upload URLs files.getUploadURLExternal hands out.
func apiMethod(path string) string {
	if _, m, ok := strings.Cut(path, "/api/"); ok && m != "" {
		return m
	}
	return "upload"
}

// callOutcome reads a Web API answer: "ok", Slack's error code,
// "ratelimited" for HTTP 429, or "http_<status>" for other failures.
func callOutcome(status int, body []byte) string {
	if status == http.StatusTooManyRequests {
		return outcomeRateLimited
	}
	var r struct {
		OK    *bool  `json:"ok"`
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &r) == nil && r.OK != nil {
		switch {
		case *r.OK:
			return "ok"
		case r.Error != "":
			return errorCode(r.Error)
		default:
			return "error"
		}
	}
	if status >= 200 && status < 300 {
		return "ok"
	}
	return "http_" + strconv.Itoa(status)
}

// errorCode keeps a label value to what Slack's error codes look like, so a
// strange answer cannot grow the number of series without bound.
func errorCode(s string) string {
	if len(s) > 64 {
		return "other"
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' && r != '.' {
			return "other"
		}
	}
	return s
}
