package main

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// deploy/compose/compose.yaml, and the variables every PostgreSQL deploy
// file sets; the helpers are in deploy_test.go.

func TestDeployCompose(t *testing.T) {
	t.Parallel()
	type service struct {
		Image         string            `yaml:"image"`
		ContainerName string            `yaml:"container_name"`
		Environment   map[string]string `yaml:"environment"`
		EnvFile       []string          `yaml:"env_file"`
		Build         *struct {
			Context    string `yaml:"context"`
			Dockerfile string `yaml:"dockerfile"`
		} `yaml:"build"`
		DependsOn map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
		Ports []struct {
			Target    int    `yaml:"target"`
			Published string `yaml:"published"`
			HostIP    string `yaml:"host_ip"`
		} `yaml:"ports"`
		Healthcheck *struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
		Volumes []string `yaml:"volumes"`
	}
	var c struct {
		Services map[string]service `yaml:"services"`
		Volumes  map[string]any     `yaml:"volumes"`
	}
	readYAML(t, "compose/compose.yaml", &c)
	bot, ok := c.Services["microcoach"]
	if !ok {
		t.Fatal("no service microcoach")
	}
	pg, ok := c.Services["postgres"]
	if !ok {
		t.Fatal("no service postgres")
	}

	// Scalable: `docker compose up --scale microcoach=3`.
	if bot.ContainerName != "" {
		t.Errorf("microcoach has container_name %q; --scale needs it unset", bot.ContainerName)
	}
	for _, p := range bot.Ports {
		if p.Published != "" {
			t.Errorf("microcoach publishes port %d on fixed host port %s; a second replica could not bind it", p.Target, p.Published)
		}
		if p.HostIP != "127.0.0.1" {
			t.Errorf("microcoach's admin port is published on %q; keep it on loopback", p.HostIP)
		}
	}
	if dep, ok := bot.DependsOn["postgres"]; !ok || dep.Condition != "service_healthy" {
		t.Errorf("microcoach depends_on postgres with condition %q, want service_healthy", dep.Condition)
	}
	if bot.Build == nil || bot.Build.Dockerfile != "deploy/Dockerfile" {
		t.Errorf("microcoach is not built from deploy/Dockerfile: %+v", bot.Build)
	} else if _, err := os.Stat(filepath.Join(deployDir, "compose", bot.Build.Context, bot.Build.Dockerfile)); err != nil {
		t.Errorf("build context %q + %q: %v", bot.Build.Context, bot.Build.Dockerfile, err)
	}
	if !slices.Equal(bot.EnvFile, []string{"microcoach.env"}) {
		t.Errorf("microcoach env_file %v, want [microcoach.env] (a copy of deploy/microcoach.env.example)", bot.EnvFile)
	}
	if _, ok := bot.Environment["MICROCOACH_DB_PATH"]; ok {
		t.Error("MICROCOACH_DB_PATH is set; it is ignored with PostgreSQL and only misleads")
	}

	// PostgreSQL: the official image, pg_isready, a named volume.
	if !regexp.MustCompile(`^postgres:\d+`).MatchString(pg.Image) {
		t.Errorf("postgres image %q: want the official image at a pinned major version", pg.Image)
	}
	if pg.Healthcheck == nil || !slices.ContainsFunc(pg.Healthcheck.Test, func(s string) bool { return strings.Contains(s, "pg_isready") }) {
		t.Error("postgres has no pg_isready healthcheck")
	}
	named := false
	for _, v := range pg.Volumes {
		src, dst, _ := strings.Cut(v, ":")
		_, declared := c.Volumes[src]
		named = named || (declared && strings.HasPrefix(dst, "/var/lib/postgresql"))
	}
	if !named {
		t.Errorf("postgres volumes %v: its data is not on a named volume declared at the top level", pg.Volumes)
	}

	// The bot's URL names the postgres service with its user, password
	// variable and database.
	raw := bot.Environment["MICROCOACH_DATABASE_URL"]
	pass := pg.Environment["POSTGRES_PASSWORD"]
	if !strings.HasPrefix(pass, "${POSTGRES_PASSWORD") || !strings.Contains(raw, ":"+pass+"@") {
		t.Errorf("the URL %q and postgres's POSTGRES_PASSWORD %q should both be ${POSTGRES_PASSWORD…} from .env", raw, pass)
	}
	u, err := url.Parse(strings.Replace(raw, pass, "PASSWORD", 1))
	if err != nil {
		t.Fatalf("MICROCOACH_DATABASE_URL %q: %v", raw, err)
	}
	if u.Scheme != "postgres" || u.Hostname() != "postgres" || u.User.Username() != pg.Environment["POSTGRES_USER"] ||
		strings.TrimPrefix(u.Path, "/") != pg.Environment["POSTGRES_DB"] {
		t.Errorf("MICROCOACH_DATABASE_URL %q does not name the postgres service, user %q and database %q",
			raw, pg.Environment["POSTGRES_USER"], pg.Environment["POSTGRES_DB"])
	}
}

// TestDeployVariablesAreKnown: every MICROCOACH_ or SLACK_ variable the
// deploy files set is one microcoach reads (`microcoach help` lists it); a
// misspelt MICROCOACH_DATABASE_URL would silently mean bbolt.
func TestDeployVariablesAreKnown(t *testing.T) {
	t.Parallel()
	var help bytes.Buffer
	if err := printEnvUsage(&help); err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, w := range strings.Fields(help.String()) {
		known[strings.Trim(w, "()")] = true
	}
	var names []string
	var pg kubeDeployment
	readYAML(t, "kubernetes/postgres/deployment.yaml", &pg)
	for _, e := range pg.Spec.Template.Spec.Containers[0].Env {
		names = append(names, e.Name)
	}
	var secret struct {
		StringData map[string]string `yaml:"stringData"`
	}
	readYAML(t, "kubernetes/postgres/secret.example.yaml", &secret)
	for k := range secret.StringData {
		names = append(names, k)
	}
	var c struct {
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	readYAML(t, "compose/compose.yaml", &c)
	for k := range c.Services["microcoach"].Environment {
		names = append(names, k)
	}
	if len(names) < 4 {
		t.Fatalf("found only %v: the files' shape changed under this test", names)
	}
	for _, n := range names {
		if !strings.HasPrefix(n, "MICROCOACH_") && !strings.HasPrefix(n, "SLACK_") {
			continue // GOMEMLIMIT and the like
		}
		if !known[n] {
			t.Errorf("the deploy files set %s, which microcoach does not read", n)
		}
	}
}
