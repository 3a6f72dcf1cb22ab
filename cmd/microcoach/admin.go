package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// health is what /readyz reports: the database is open, the Socket Mode
// connection is up, and no shutdown has begun. It hears the connection
// going up and down as a bot.Observer.
type health struct {
	db        atomic.Pointer[backend]
	connected atomic.Bool
	stopping  atomic.Bool

	// probeEvery rate-limits the write probe (probeInterval by default).
	probeEvery time.Duration
	probeMu    sync.Mutex
	probedAt   time.Time
	probeErr   error
}

// probeInterval is how often /readyz may write to prove the disk takes
// writes: often enough to notice a full disk within a probe period or
// two, rarely enough that probes cost nothing.
const probeInterval = 5 * time.Second

// writable runs the database's write probe at most once per probeEvery
// and answers from the last result in between.
func (h *health) writable(db *backend) error {
	h.probeMu.Lock()
	defer h.probeMu.Unlock()
	every := h.probeEvery
	if every == 0 {
		every = probeInterval
	}
	if now := time.Now(); h.probedAt.IsZero() || now.Sub(h.probedAt) >= every {
		h.probeErr = db.Probe(now)
		h.probedAt = now
	}
	return h.probeErr
}

func (*health) Envelope(string, time.Duration) {}
func (h *health) Connection(up bool)           { h.connected.Store(up) }

// ready says whether microcoach can do its work, and if not, why.
func (h *health) ready() (bool, string) {
	var why []string
	if h.stopping.Load() {
		why = append(why, "shutting down")
	}
	if db := h.db.Load(); db == nil {
		why = append(why, "database not open")
	} else if _, err := db.Version(); err != nil {
		why = append(why, "database not readable: "+err.Error())
	} else if err := h.writable(db); err != nil {
		why = append(why, "database not writable: "+err.Error())
	}
	if !h.connected.Load() {
		why = append(why, "Socket Mode not connected to Slack")
	}
	return len(why) == 0, strings.Join(why, "; ")
}

// adminServer is the operator's HTTP listener: health, readiness, metrics,
// and (to holders of the admin token only) backups and exports.
type adminServer struct {
	ln  net.Listener
	srv *http.Server
	log *slog.Logger
}

// listenAdmin binds cfg.AdminAddr at once, so that a bad or busy address stops
// start-up before anything connects to Slack, and serves in the background.
func listenAdmin(cfg Config, h *health, m *metrics, log *slog.Logger) (*adminServer, error) {
	addr, token := cfg.AdminAddr, cfg.AdminToken
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s_ADMIN_ADDR: cannot listen on %s: %w", envPrefix, addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if ok, why := h.ready(); !ok {
			http.Error(w, "not ready: "+why, http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelError)}))
	mux.Handle("GET /backup", requireToken(token, log, func(w http.ResponseWriter, r *http.Request) { serveBackup(w, r, h, log) }))
	mux.Handle("GET /export", requireToken(token, log, func(w http.ResponseWriter, r *http.Request) { serveExport(w, r, h, log) }))
	mux.Handle("POST /org/import", requireToken(token, log, func(w http.ResponseWriter, r *http.Request) { serveOrgImport(w, r, cfg, h, log) }))
	a := &adminServer{ln: ln, log: log, srv: &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}}
	go func() {
		if err := a.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("admin listener stopped", "error", err)
		}
	}()
	log.Info("admin listener", "addr", ln.Addr().String())
	return a, nil
}

// Addr is the address the listener is bound to (the real port for ":0").
func (a *adminServer) Addr() string { return a.ln.Addr().String() }

// close lets requests in progress (a backup, say) finish for a second,
// then cuts them off: shutdown must fit docker stop's 10 s after the 7 s
// drain. A cut-off backup fails its client's check and is not kept.
func (a *adminServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := a.srv.Shutdown(ctx); err != nil {
		a.srv.Close()
	}
}

// requireToken serves the database's contents only to a request that
// carries the admin token as "Authorization: Bearer <token>", and to no
// one while the token is unset. Where a request comes from proves
// nothing: a proxy or service-mesh sidecar in the same pod connects from
// 127.0.0.1, and on a shared host so does every local user.
func requireToken(token string, log *slog.Logger, next http.HandlerFunc) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token == "" {
			http.Error(w, r.URL.Path+" is off: set "+envPrefix+"_ADMIN_TOKEN to turn it on", http.StatusForbidden)
			return
		}
		got, ok := bearer(r.Header.Get("Authorization"))
		// Hashes of equal length, compared in constant time: neither the
		// content nor the length of the token leaks through timing.
		sum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			log.Warn("admin request refused: missing or wrong token", "path", r.URL.Path, "remote", r.RemoteAddr)
			w.Header().Set("WWW-Authenticate", `Bearer realm="microcoach"`)
			http.Error(w, r.URL.Path+" needs the admin token: Authorization: Bearer $"+envPrefix+"_ADMIN_TOKEN", http.StatusUnauthorized)
			return
		}
		next(w, r)
	})
}

// bearer reads the token of an "Authorization: Bearer <token>" header.
func bearer(header string) (string, bool) {
	scheme, tok, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

func serveBackup(w http.ResponseWriter, r *http.Request, h *health, log *slog.Logger) {
	be := h.db.Load()
	if be == nil {
		http.Error(w, "database not open", http.StatusServiceUnavailable)
		return
	}
	db := be.bolt
	if db == nil {
		http.Error(w, "this microcoach keeps its data in "+be.where+": back that up with pg_dump (see docs/operating.md); /backup copies a bbolt file", http.StatusNotImplemented)
		return
	}
	start := time.Now()
	name := "microcoach-" + start.UTC().Format("20060102T150405Z") + ".db"
	n, err := db.Backup(w, func(size int64) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		w.Header().Set("X-Microcoach-Database", db.Path())
	})
	if err != nil {
		// Headers are gone already; the short body tells the client.
		log.Error("backup failed", "remote", r.RemoteAddr, "bytes", n, "error", err)
		return
	}
	log.Info("backup served", "remote", r.RemoteAddr, "bytes", n, "duration", time.Since(start).Round(time.Millisecond))
}

func serveExport(w http.ResponseWriter, r *http.Request, h *health, log *slog.Logger) {
	db := h.db.Load()
	if db == nil {
		http.Error(w, "database not open", http.StatusServiceUnavailable)
		return
	}
	e, err := db.ExportAll(time.Now())
	if err != nil {
		log.Error("export failed", "error", err)
		http.Error(w, "export failed: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Microcoach-Database", db.where)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(e); err != nil {
		log.Error("export failed", "remote", r.RemoteAddr, "error", err)
		return
	}
	log.Info("export served", "remote", r.RemoteAddr, "people", len(e.People))
}
