package main

import (
	"context"
	"io"
	"maps"
	"net/http"
	"regexp"
	"testing"
	"time"
)

// opsEnv is env with the admin listener on a free local port.
func opsEnv(env map[string]string) map[string]string {
	out := map[string]string{"MICROCOACH_ADMIN_ADDR": "127.0.0.1:0"}
	maps.Copy(out, env)
	return out
}

var adminLine = regexp.MustCompile(`"?msg"?[=:]"admin listener".*?"?addr"?[=:]"?([^"\s,}]+)`)

// adminURL is the base URL of the admin listener of the microcoach running
// in h, read from its log as an operator would.
func (h *harness) adminURL() string {
	h.t.Helper()
	m := adminLine.FindAllStringSubmatch(h.logs.String(), -1)
	if len(m) == 0 {
		h.t.Fatalf("no admin listener in the log:\n%s", h.logs.String())
	}
	return "http://" + m[len(m)-1][1]
}

// httpGet fetches url and returns the status and body.
func httpGet(t testing.TB, url string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, string(body)
}

// eventually polls cond until it holds, for at most 10 s.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
