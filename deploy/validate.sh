#!/usr/bin/env bash
# deploy/validate.sh: check the files in deploy/ offline, on a Debian machine
# without Docker and without a cluster. Needs Go and, when they are missing,
# installs systemd, strace and shellcheck with apt-get (as root). Everything
# else comes from the Go module proxy, at pinned versions.
#
#   deploy/validate.sh            # from anywhere; exits non-zero on any failure
#
# The checkers are small Go programs written below (deploy/ holds no Go
# package); they are built once into $MICROCOACH_VALIDATE_CACHE (default
# ~/.cache/microcoach-deploy-validate) and reused while their source and
# versions stay the same. Each checker is also run on a deliberately broken
# copy of its input, which it must reject, so a checker that silently passes
# everything cannot go unnoticed.
set -euo pipefail

KUBERNETES_VERSION=v1.36.3 # k8s.io/kubernetes: the apiserver's validation code
KUSTOMIZE_VERSION=v5.8.1   # sigs.k8s.io/kustomize/kustomize/v5 (v5.8.3 needs Go 1.27)
BUILDKIT_VERSION=v0.33.0   # github.com/moby/buildkit: `docker build --check` rules
COMPOSE_GO_VERSION=v2.16.2 # github.com/compose-spec/compose-go/v2: what `docker compose` loads files with
SECURITY_THRESHOLD=20      # systemd-analyze security: fail above exposure 2.0

deploy=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$deploy/.." && pwd)
cache=${MICROCOACH_VALIDATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/microcoach-deploy-validate}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$cache"
export GOTOOLCHAIN=local GOFLAGS=

say() { printf '%s\n' "$*"; }
step() { printf '\n==> %s\n' "$*"; }
die() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# must_reject NAME CMD...: CMD must fail (a broken input must be caught).
must_reject() {
	local name=$1
	shift
	if "$@" >"$work/reject.out" 2>"$work/reject.err"; then
		cat "$work/reject.out" "$work/reject.err" >&2
		die "negative control: $name was accepted"
	fi
	local why
	why=$(cat "$work/reject.err")
	[[ -n $why ]] || why=$(cat "$work/reject.out")
	why=${why//$'\n'/ }
	say "ok   negative control rejected: $name (${why:0:140})"
}

# ---------------------------------------------------------------------------
# Prerequisites
# ---------------------------------------------------------------------------
command -v go >/dev/null || die "go is not installed"
missing=()
command -v systemd-analyze >/dev/null || missing+=(systemd)
command -v strace >/dev/null || missing+=(strace)
command -v shellcheck >/dev/null || missing+=(shellcheck)
if ((${#missing[@]})); then
	step "installing ${missing[*]} with apt-get"
	[[ $(id -u) == 0 ]] || die "run as root, or install: apt-get install ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# build_tool NAME DIR: DIR holds main.go and a go.mod without go.sum. Builds
# DIR's program once per content into the cache and prints the binary's path.
build_tool() {
	local name=$1 dir=$2 sum out
	sum=$(cat "$dir/go.mod" "$dir/main.go" | sha256sum | cut -c1-16)
	out="$cache/$name-$sum"
	if [[ ! -x $out/$name ]]; then
		rm -rf "$out.tmp"
		cp -r "$dir" "$out.tmp"
		(cd "$out.tmp" && go mod tidy && go build -trimpath -o "$name" .) >&2 || die "building $name"
		rm -rf "$out"
		mv "$out.tmp" "$out"
	fi
	printf '%s\n' "$out/$name"
}

# ---------------------------------------------------------------------------
# Checker sources
# ---------------------------------------------------------------------------
src="$work/src"
mkdir -p "$src/kubevalidate" "$src/slackmanifest" "$src/dockerfilelint" "$src/composevalidate"

cat >"$src/kubevalidate/main.go" <<'GOEOF'
// Command kubevalidate checks Kubernetes manifests the way kube-apiserver
// checks a create request, without a cluster: strict decoding (unknown or
// duplicate fields are errors), defaulting, conversion to the internal types,
// then the registry strategy's PrepareForCreate, Validate and WarningsOnCreate
// (rest.BeforeCreate). Admission plugins, quota and CRDs are out of reach.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/intstr"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/warning"
	"sigs.k8s.io/yaml"

	"k8s.io/kubernetes/pkg/api/legacyscheme"
	_ "k8s.io/kubernetes/pkg/apis/apps/install"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	_ "k8s.io/kubernetes/pkg/apis/policy/install"
	"k8s.io/kubernetes/pkg/registry/apps/deployment"
	"k8s.io/kubernetes/pkg/registry/core/persistentvolumeclaim"
	"k8s.io/kubernetes/pkg/registry/core/secret"
	"k8s.io/kubernetes/pkg/registry/core/service"
	"k8s.io/kubernetes/pkg/registry/policy/poddisruptionbudget"
)

// strategies are the kinds microcoach ships; anything else is an error
// rather than silently unchecked.
var strategies = map[schema.GroupVersionKind]rest.RESTCreateStrategy{
	{Group: "apps", Version: "v1", Kind: "Deployment"}: deployment.Strategy,
	{Version: "v1", Kind: "Service"}:                   service.Strategy,
	{Version: "v1", Kind: "PersistentVolumeClaim"}:     persistentvolumeclaim.Strategy,
	{Version: "v1", Kind: "Secret"}:                    secret.Strategy,
	{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget"}: poddisruptionbudget.Strategy,
}

type warnings []string

func (w *warnings) AddWarning(_, text string) { *w = append(*w, text) }

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kubevalidate FILE... (- for standard input)")
		os.Exit(2)
	}
	failed := false
	var all []runtime.Object
	for _, name := range os.Args[1:] {
		objs, err := checkFile(name)
		all = append(all, objs...)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			failed = true
			continue
		}
		fmt.Printf("%s: %d object(s) valid\n", name, len(objs))
	}
	if err := crossCheck(all); err != nil {
		fmt.Fprintf(os.Stderr, "references between objects: %v\n", err)
		failed = true
	} else {
		fmt.Println("references between objects: ok")
	}
	if failed {
		os.Exit(1)
	}
}

func checkFile(name string) ([]runtime.Object, error) {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	docs := utilyaml.NewYAMLReader(bufio.NewReader(r))
	var errs []error
	var objs []runtime.Object
	for i := 1; ; i++ {
		doc, err := docs.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return objs, err
		}
		if j, err := yaml.YAMLToJSON(doc); err == nil && (bytes.Equal(bytes.TrimSpace(j), []byte("null"))) {
			continue // only comments
		}
		obj, err := checkObject(doc)
		if err != nil {
			errs = append(errs, fmt.Errorf("document %d: %w", i, err))
			continue
		}
		objs = append(objs, obj)
	}
	if len(objs) == 0 && len(errs) == 0 {
		return nil, errors.New("no objects")
	}
	return objs, errors.Join(errs...)
}

// checkObject returns the decoded, defaulted object in its external version.
func checkObject(doc []byte) (runtime.Object, error) {
	codecs := serializer.NewCodecFactory(legacyscheme.Scheme, serializer.EnableStrict)
	obj, gvk, err := codecs.UniversalDeserializer().Decode(doc, nil, nil)
	if err != nil {
		return nil, err // includes strict errors: unknown field, duplicate field
	}
	strategy, ok := strategies[*gvk]
	if !ok {
		return nil, fmt.Errorf("%s: no validator for this kind", gvk)
	}
	legacyscheme.Scheme.Default(obj)
	internal, err := legacyscheme.Scheme.ConvertToVersion(obj, schema.GroupVersion{Group: gvk.Group, Version: runtime.APIVersionInternal})
	if err != nil {
		return nil, fmt.Errorf("%s: convert: %w", gvk.Kind, err)
	}
	meta, err := metaOf(internal)
	if err != nil {
		return nil, err
	}
	// What kubectl and the apiserver fill in: the namespace of the request
	// (these manifests leave it to `kubectl -n`), uid and creation time.
	ns := ""
	if strategy.NamespaceScoped() {
		ns = metav1.NamespaceDefault
		if meta.GetNamespace() == "" {
			meta.SetNamespace(ns)
		}
	}
	rest.FillObjectMetaSystemFields(meta)
	var w warnings
	ctx := genericapirequest.WithNamespace(context.Background(), ns)
	ctx = warning.WithWarningRecorder(ctx, &w)
	if err := rest.BeforeCreate(strategy, ctx, internal); err != nil {
		return nil, fmt.Errorf("%s %s: %w", gvk.Kind, meta.GetName(), err)
	}
	if len(w) > 0 {
		return nil, fmt.Errorf("%s %s: warnings: %q", gvk.Kind, meta.GetName(), w)
	}
	fmt.Printf("  %s %s ok\n", gvk.Kind, meta.GetName())
	return obj, nil
}

func metaOf(obj runtime.Object) (metav1.Object, error) {
	m, ok := obj.(metav1.ObjectMetaAccessor)
	if !ok {
		return nil, fmt.Errorf("%T has no metadata", obj)
	}
	return m.GetObjectMeta(), nil
}

// crossCheck finds references that the apiserver accepts but that would
// leave the pod pending or a probe, Service or budget pointing nowhere, and
// checks microcoach's own rules for its two modes.
func crossCheck(objs []runtime.Object) error {
	claims := map[string]bool{}
	secrets := map[string]map[string]bool{} // name → keys
	var deps []*appsv1.Deployment
	var svcs []*corev1.Service
	var pdbs []*policyv1.PodDisruptionBudget
	for _, o := range objs {
		switch o := o.(type) {
		case *corev1.PersistentVolumeClaim:
			claims[o.Name] = true
		case *corev1.Secret:
			keys := map[string]bool{}
			for k := range o.Data {
				keys[k] = true
			}
			for k := range o.StringData {
				keys[k] = true
			}
			secrets[o.Name] = keys
		case *appsv1.Deployment:
			deps = append(deps, o)
		case *corev1.Service:
			svcs = append(svcs, o)
		case *policyv1.PodDisruptionBudget:
			pdbs = append(pdbs, o)
		}
	}
	var errs []error
	for _, d := range deps {
		spec := d.Spec.Template.Spec
		if postgresMode(d) {
			errs = append(errs, checkPostgresDeployment(d, pdbs)...)
		} else if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 || d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
			// microcoach's own rule: bbolt's exclusive file lock allows one
			// process, and a second replica would send every nudge twice.
			errs = append(errs, fmt.Errorf("deployment %s: want replicas: 1 and strategy Recreate (one process may hold the bbolt file)", d.Name))
		}
		for _, v := range spec.Volumes {
			if v.PersistentVolumeClaim != nil && !claims[v.PersistentVolumeClaim.ClaimName] {
				errs = append(errs, fmt.Errorf("deployment %s: volume %s: no PersistentVolumeClaim %q", d.Name, v.Name, v.PersistentVolumeClaim.ClaimName))
			}
		}
		for _, c := range spec.Containers {
			for _, ef := range c.EnvFrom {
				if r := ef.SecretRef; r != nil && (r.Optional == nil || !*r.Optional) && secrets[r.Name] == nil {
					errs = append(errs, fmt.Errorf("deployment %s: container %s: envFrom: no Secret %q", d.Name, c.Name, r.Name))
				}
			}
			for _, e := range c.Env {
				if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
					continue
				}
				r := e.ValueFrom.SecretKeyRef
				switch keys := secrets[r.Name]; {
				case r.Optional != nil && *r.Optional:
				case keys == nil:
					errs = append(errs, fmt.Errorf("deployment %s: container %s: env %s: no Secret %q", d.Name, c.Name, e.Name, r.Name))
				case !keys[r.Key]:
					errs = append(errs, fmt.Errorf("deployment %s: container %s: env %s: Secret %q has no key %q", d.Name, c.Name, e.Name, r.Name, r.Key))
				}
			}
			for _, p := range []*corev1.Probe{c.StartupProbe, c.LivenessProbe, c.ReadinessProbe} {
				if p != nil && p.HTTPGet != nil && !hasPort(c, p.HTTPGet.Port) {
					errs = append(errs, fmt.Errorf("deployment %s: container %s: probe %s: no container port %s", d.Name, c.Name, p.HTTPGet.Path, p.HTTPGet.Port.String()))
				}
			}
		}
	}
	for _, s := range svcs {
		var match *appsv1.Deployment
		for _, d := range deps {
			if len(s.Spec.Selector) > 0 && labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) {
				match = d
			}
		}
		if match == nil {
			errs = append(errs, fmt.Errorf("service %s: selector %v matches no Deployment's pods", s.Name, s.Spec.Selector))
			continue
		}
		for _, sp := range s.Spec.Ports {
			found := false
			for _, c := range match.Spec.Template.Spec.Containers {
				found = found || hasPort(c, sp.TargetPort)
			}
			if !found {
				errs = append(errs, fmt.Errorf("service %s: port %s: targetPort %s is no container port of deployment %s", s.Name, sp.Name, sp.TargetPort.String(), match.Name))
			}
		}
	}
	for _, b := range pdbs {
		if selects(b.Spec.Selector, deps) == nil {
			errs = append(errs, fmt.Errorf("poddisruptionbudget %s: selector matches no Deployment's pods", b.Name))
		}
	}
	return errors.Join(errs...)
}

// postgresMode: the Deployment stores in PostgreSQL (MICROCOACH_DATABASE_URL
// is set), so several replicas may share the database.
func postgresMode(d *appsv1.Deployment) bool {
	for _, c := range d.Spec.Template.Spec.Containers {
		for _, e := range c.Env {
			if e.Name == "MICROCOACH_DATABASE_URL" {
				return true
			}
		}
	}
	return false
}

// maxSocketModeConnections is Slack's limit per app; every replica holds one.
const maxSocketModeConnections = 10

// checkPostgresDeployment: several replicas, within Slack's limit even
// during a rolling update, spread over nodes, the URL from a Secret, no
// bbolt volume, and a budget that lets a drain proceed one pod at a time.
func checkPostgresDeployment(d *appsv1.Deployment, pdbs []*policyv1.PodDisruptionBudget) []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("deployment %s (PostgreSQL): "+format, append([]any{d.Name}, args...)...))
	}
	replicas := int32(1)
	if d.Spec.Replicas != nil {
		replicas = *d.Spec.Replicas
	}
	if replicas < 2 {
		bad("replicas: %d; with PostgreSQL run 2 or more, or use the bbolt manifests", replicas)
	}
	if d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType || d.Spec.Strategy.RollingUpdate == nil {
		bad("want strategy RollingUpdate: replicas share the database and can be replaced one at a time")
	} else {
		ru := d.Spec.Strategy.RollingUpdate
		surge, err := intstr.GetScaledValueFromIntOrPercent(ru.MaxSurge, int(replicas), true)
		if err != nil {
			bad("maxSurge: %v", err)
		}
		if int(replicas)+surge > maxSocketModeConnections {
			bad("replicas %d + maxSurge %d > %d, Slack's limit of Socket Mode connections per app", replicas, surge, maxSocketModeConnections)
		}
		unavailable, err := intstr.GetScaledValueFromIntOrPercent(ru.MaxUnavailable, int(replicas), false)
		if err != nil {
			bad("maxUnavailable: %v", err)
		}
		if unavailable >= int(replicas) {
			bad("maxUnavailable %d would let an update stop every replica at once", unavailable)
		}
	}
	spec := d.Spec.Template.Spec
	for _, v := range spec.Volumes {
		if v.PersistentVolumeClaim != nil {
			bad("volume %s: a PersistentVolumeClaim; PostgreSQL mode keeps nothing on a volume", v.Name)
		}
	}
	for _, c := range spec.Containers {
		for _, e := range c.Env {
			switch {
			case e.Name == "MICROCOACH_DATABASE_URL" && (e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil):
				bad("container %s: MICROCOACH_DATABASE_URL holds a password: take it from a Secret (secretKeyRef)", c.Name)
			case e.Name == "MICROCOACH_DB_PATH":
				bad("container %s: MICROCOACH_DB_PATH is ignored when MICROCOACH_DATABASE_URL is set; leave it out", c.Name)
			}
		}
	}
	spread := false
	for _, t := range spec.TopologySpreadConstraints {
		sel, err := metav1.LabelSelectorAsSelector(t.LabelSelector)
		if err == nil && t.TopologyKey == corev1.LabelHostname && t.WhenUnsatisfiable == corev1.DoNotSchedule &&
			!sel.Empty() && sel.Matches(labels.Set(d.Spec.Template.Labels)) {
			spread = true
		}
	}
	if !spread {
		bad("no topologySpreadConstraint on %s (DoNotSchedule) that selects its own pods: replicas could share a node", corev1.LabelHostname)
	}
	var budget *policyv1.PodDisruptionBudget
	for _, b := range pdbs {
		if selects(b.Spec.Selector, []*appsv1.Deployment{d}) != nil {
			budget = b
		}
	}
	switch {
	case budget == nil:
		bad("no PodDisruptionBudget selects its pods")
	case budget.Spec.MaxUnavailable != nil:
		if n, err := intstr.GetScaledValueFromIntOrPercent(budget.Spec.MaxUnavailable, int(replicas), true); err != nil || n < 1 || n >= int(replicas) {
			bad("PodDisruptionBudget %s: maxUnavailable %s must allow 1 to %d of %d replicas", budget.Name, budget.Spec.MaxUnavailable.String(), replicas-1, replicas)
		}
	case budget.Spec.MinAvailable != nil:
		if n, err := intstr.GetScaledValueFromIntOrPercent(budget.Spec.MinAvailable, int(replicas), true); err != nil || n < 1 || n >= int(replicas) {
			bad("PodDisruptionBudget %s: minAvailable %s must be 1 to %d of %d replicas, or no drain can proceed", budget.Name, budget.Spec.MinAvailable.String(), replicas-1, replicas)
		}
	}
	return errs
}

// selects returns the first Deployment whose pods the selector matches.
func selects(s *metav1.LabelSelector, deps []*appsv1.Deployment) *appsv1.Deployment {
	sel, err := metav1.LabelSelectorAsSelector(s)
	if err != nil || sel.Empty() {
		return nil
	}
	for _, d := range deps {
		if sel.Matches(labels.Set(d.Spec.Template.Labels)) {
			return d
		}
	}
	return nil
}

func hasPort(c corev1.Container, p intstr.IntOrString) bool {
	for _, cp := range c.Ports {
		if (p.Type == intstr.String && cp.Name == p.StrVal) || (p.Type == intstr.Int && cp.ContainerPort == p.IntVal) {
			return true
		}
	}
	return false
}
GOEOF

cat >"$src/slackmanifest/main.go" <<'GOEOF'
// Command slackmanifest checks deploy/slack-app-manifest.yaml: it must decode
// strictly into slack-go's slack.Manifest (no unknown or duplicate keys),
// keep within Slack's manifest schema limits, and declare what microcoach
// needs for Socket Mode.
package main

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/slack-go/slack"
	"go.yaml.in/yaml/v3"
)

var (
	wantScopes = []string{"chat:write", "commands", "im:write", "im:history", "users:read", "users:read.email",
		"reactions:write", "files:write", "channels:read", "channels:history", "groups:read", "groups:history"}
	wantEvents   = []string{"app_home_opened", "message.im", "user_change"}
	wantCommands = map[string]string{ // command → usage hint
		"/rate":  "[@person] <area> <1-10> [note]",
		"/coach": "help | plan | challenge | gaps | assess | team | question | answers | pause | resume | nudges | prep | digest | export | forget-me | org",
	}
	hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$`)
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: slackmanifest slack-app-manifest.yaml")
		os.Exit(2)
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var m slack.Manifest
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", os.Args[1], err)
		os.Exit(1)
	}

	// Limits from Slack's manifest schema (slackapi/manifest-schema, v1).
	d := m.Display
	if d.Name != "microcoach" {
		bad("display_information.name is %q, want microcoach", d.Name)
	}
	if n := len([]rune(d.Description)); n < 1 || n > 140 {
		bad("display_information.description has %d characters, want 1 to 140", n)
	}
	if d.LongDescription != "" && (len([]rune(d.LongDescription)) < 175 || len([]rune(d.LongDescription)) > 4000) {
		bad("display_information.long_description must have 175 to 4000 characters")
	}
	if !hexColor.MatchString(d.BackgroundColor) {
		bad("display_information.background_color %q is not #rgb or #rrggbb", d.BackgroundColor)
	}

	f := m.Features
	// Booleans must be spelled out: slack-go omits false values, and Slack's
	// defaults are not what microcoach needs.
	for path, want := range map[string]bool{
		"features.app_home.home_tab_enabled":               true,
		"features.app_home.messages_tab_enabled":           true,
		"features.app_home.messages_tab_read_only_enabled": false,
		"features.bot_user.always_online":                  true,
		"settings.interactivity.is_enabled":                true,
		"settings.socket_mode_enabled":                     true,
		"settings.org_deploy_enabled":                      false,
		"settings.token_rotation_enabled":                  false,
	} {
		n := lookup(&root, path)
		if n == nil {
			bad("%s is missing, want %v", path, want)
			continue
		}
		var got bool
		if err := n.Decode(&got); err != nil || got != want {
			bad("%s is %q, want %v", path, n.Value, want)
		}
	}
	if f.BotUser.DisplayName != "microcoach" {
		bad("features.bot_user.display_name is %q, want microcoach", f.BotUser.DisplayName)
	}

	seen := map[string]bool{}
	for i, c := range f.SlashCommands {
		p := fmt.Sprintf("features.slash_commands[%d]", i)
		if !strings.HasPrefix(c.Command, "/") || len(c.Command) < 2 || len(c.Command) > 32 {
			bad("%s.command %q must start with / and have 2 to 32 characters", p, c.Command)
		}
		if n := len([]rune(c.Description)); n < 1 || n > 2000 {
			bad("%s.description has %d characters, want 1 to 2000", p, n)
		}
		if n := len([]rune(c.UsageHint)); n > 1000 {
			bad("%s.usage_hint has %d characters, want at most 1000", p, n)
		}
		if !c.ShouldEscape {
			bad("%s (%s): should_escape must be true so that mentions arrive as user ids", p, c.Command)
		}
		if c.Url != "" {
			bad("%s (%s): url must be empty in Socket Mode", p, c.Command)
		}
		hint, ok := wantCommands[c.Command]
		switch {
		case !ok:
			bad("%s: unexpected command %s", p, c.Command)
		case seen[c.Command]:
			bad("%s: %s declared twice", p, c.Command)
		case c.UsageHint != hint:
			bad("%s (%s): usage_hint is %q, want %q", p, c.Command, c.UsageHint, hint)
		}
		seen[c.Command] = true
	}
	for c := range wantCommands {
		if !seen[c] {
			bad("features.slash_commands: %s is missing", c)
		}
	}

	if got := sorted(m.OAuthConfig.Scopes.Bot); !slices.Equal(got, sorted(wantScopes)) {
		bad("oauth_config.scopes.bot is %v, want %v", got, sorted(wantScopes))
	}
	if len(m.OAuthConfig.Scopes.User) > 0 {
		bad("oauth_config.scopes.user must be empty: microcoach acts only as its bot")
	}
	if scopes := lookup(&root, "oauth_config.scopes.bot"); scopes != nil {
		for _, s := range scopes.Content {
			if strings.TrimSpace(strings.TrimPrefix(s.LineComment, "#")) == "" {
				bad("oauth_config.scopes.bot: %s (line %d) has no comment saying what it is for", s.Value, s.Line)
			}
		}
	}

	es := m.Settings.EventSubscriptions
	if es == nil {
		bad("settings.event_subscriptions is missing")
	} else {
		if got := sorted(es.BotEvents); !slices.Equal(got, sorted(wantEvents)) {
			bad("settings.event_subscriptions.bot_events is %v, want %v", got, sorted(wantEvents))
		}
		if es.RequestUrl != "" {
			bad("settings.event_subscriptions.request_url must be empty in Socket Mode")
		}
	}
	if it := m.Settings.Interactivity; it != nil && (it.RequestUrl != "" || it.MessageMenuOptionsUrl != "") {
		bad("settings.interactivity URLs must be empty in Socket Mode")
	}

	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(os.Stderr, "%s: %s\n", os.Args[1], p)
		}
		os.Exit(1)
	}
	fmt.Printf("%s: valid (%d slash commands, %d bot scopes, %d bot events)\n",
		os.Args[1], len(f.SlashCommands), len(m.OAuthConfig.Scopes.Bot), len(es.BotEvents))
}

// lookup finds a dotted path of mapping keys in a YAML document.
func lookup(doc *yaml.Node, path string) *yaml.Node {
	n := doc
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, key := range strings.Split(path, ".") {
		if n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	return n
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
GOEOF

cat >"$src/dockerfilelint/main.go" <<'GOEOF'
// Command dockerfilelint, offline:
//
//	dockerfilelint Dockerfile
//	    runs BuildKit's build checks (those of `docker build --check`) on a
//	    Dockerfile; base images are not pulled, their metadata is replaced by
//	    a minimal linux/amd64 image config.
//	dockerfilelint -context IGNOREFILE SRC DST
//	    copies the build context SRC to DST leaving out what IGNOREFILE
//	    (a .dockerignore) excludes, with Docker's own pattern matcher.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	digest "github.com/opencontainers/go-digest"
)

func main() {
	var err error
	switch {
	case len(os.Args) == 2:
		err = lint(os.Args[1])
	case len(os.Args) == 5 && os.Args[1] == "-context":
		err = copyContext(os.Args[2], os.Args[3], os.Args[4])
	default:
		fmt.Fprintln(os.Stderr, "usage: dockerfilelint Dockerfile | dockerfilelint -context IGNOREFILE SRC DST")
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type offlineResolver struct{}

func (offlineResolver) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	cfg, err := json.Marshal(map[string]any{
		"architecture": "amd64",
		"os":           "linux",
		"config":       map[string]any{"Env": []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}},
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{string(digest.FromString(ref))}},
	})
	return ref, "", cfg, err
}

func lint(name string) error {
	dt, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	src := llb.NewSourceMap(nil, name, "Dockerfile", dt)
	src.Definition = &llb.Definition{}
	res, err := dockerfile2llb.DockerfileLint(context.Background(), dt, dockerfile2llb.ConvertOpt{
		SourceMap:    src,
		MetaResolver: offlineResolver{},
	})
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		line := 0
		if w.Location != nil && len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		fmt.Fprintf(os.Stderr, "%s:%d: %s: %s (%s)\n", name, line, w.RuleName, w.Detail, w.URL)
	}
	if res.Error != nil {
		return fmt.Errorf("%s: %s", name, res.Error.Message)
	}
	if len(res.Warnings) > 0 {
		return fmt.Errorf("%s: %d build-check warning(s)", name, len(res.Warnings))
	}
	fmt.Printf("%s: no build-check warnings\n", name)
	return nil
}

func copyContext(ignoreFile, src, dst string) error {
	f, err := os.Open(ignoreFile)
	if err != nil {
		return err
	}
	patterns, err := ignorefile.ReadAll(f)
	f.Close()
	if err != nil {
		return err
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return err
	}
	n := 0
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil || rel == "." {
			return err
		}
		ignored, err := pm.MatchesOrParentMatches(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		if ignored {
			if d.IsDir() && !pm.Exclusions() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			n++
			return copyFile(path, target)
		}
		return nil // symlinks and others: not part of a Go build
	})
	if err == nil {
		fmt.Printf("build context: %d files after %s\n", n, ignoreFile)
	}
	return err
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
GOEOF

cat >"$src/composevalidate/main.go" <<'GOEOF'
// Command composevalidate loads a Compose file the way `docker compose`
// does (compose-go: the Compose specification's JSON schema, so unknown
// keys fail; interpolation from .env; env_file; normalisation), then checks
// microcoach's PostgreSQL setup: the bot can be scaled (no container_name,
// no fixed host port), it waits for PostgreSQL to be healthy, its URL names
// the postgres service with that service's user, password and database,
// and PostgreSQL keeps its data in a named volume.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: composevalidate compose.yaml (with .env and the env_file beside it)")
		os.Exit(2)
	}
	file, err := filepath.Abs(os.Args[1])
	if err == nil {
		err = check(file)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	fmt.Printf("%s: valid; microcoach scales, waits for a healthy postgres, and its URL matches it\n", os.Args[1])
}

func check(file string) error {
	opts, err := cli.NewProjectOptions([]string{file},
		cli.WithWorkingDirectory(filepath.Dir(file)), cli.WithEnvFiles(), cli.WithDotEnv, cli.WithConsistency(true))
	if err != nil {
		return err
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		return err
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	bot, ok := p.Services["microcoach"]
	if !ok {
		return errors.New("no service microcoach")
	}
	pg, ok := p.Services["postgres"]
	if !ok {
		return errors.New("no service postgres")
	}

	// The bot: scalable, built from deploy/Dockerfile, after a healthy postgres.
	if bot.ContainerName != "" {
		bad("microcoach: container_name %q: `docker compose up --scale microcoach=3` needs it unset", bot.ContainerName)
	}
	for _, port := range bot.Ports {
		if port.Published != "" {
			bad("microcoach: port %d published on fixed host port %s: a second replica could not bind it", port.Target, port.Published)
		}
	}
	if bot.Build == nil {
		bad("microcoach: no build section")
	} else if _, err := os.Stat(filepath.Join(bot.Build.Context, bot.Build.Dockerfile)); err != nil || filepath.ToSlash(bot.Build.Dockerfile) != "deploy/Dockerfile" {
		bad("microcoach: build %s + %s is not the repository's deploy/Dockerfile", bot.Build.Context, bot.Build.Dockerfile)
	}
	if dep, ok := bot.DependsOn["postgres"]; !ok || dep.Condition != types.ServiceConditionHealthy {
		bad("microcoach: depends_on postgres must have condition %s (got %q)", types.ServiceConditionHealthy, dep.Condition)
	}
	if _, ok := bot.Environment["MICROCOACH_DB_PATH"]; ok {
		bad("microcoach: MICROCOACH_DB_PATH is ignored with PostgreSQL; leave it out")
	}

	// PostgreSQL: health checked with pg_isready, data in a named volume.
	if pg.HealthCheck == nil || pg.HealthCheck.Disable || !slices.ContainsFunc(pg.HealthCheck.Test, func(s string) bool { return strings.Contains(s, "pg_isready") }) {
		bad("postgres: healthcheck must run pg_isready")
	}
	if !strings.HasPrefix(pg.Image, "postgres:") || pg.Image == "postgres:latest" {
		bad("postgres: image %q: want the official image at a pinned major version (postgres:N)", pg.Image)
	}
	named := false
	for _, v := range pg.Volumes {
		if _, declared := p.Volumes[v.Source]; v.Type == types.VolumeTypeVolume && declared && strings.HasPrefix(v.Target, "/var/lib/postgresql") {
			named = true
		}
	}
	if !named {
		bad("postgres: its data directory is not on a named volume")
	}

	// The URL: the postgres service, its user, password and database.
	env := func(s types.ServiceConfig, k string) string {
		if v := s.Environment[k]; v != nil {
			return *v
		}
		return ""
	}
	raw := env(bot, "MICROCOACH_DATABASE_URL")
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		bad("microcoach: MICROCOACH_DATABASE_URL is not set")
	case err != nil:
		bad("microcoach: MICROCOACH_DATABASE_URL does not parse (a password with URL characters?): %v", err)
	case u.Scheme != "postgres" && u.Scheme != "postgresql":
		bad("microcoach: MICROCOACH_DATABASE_URL: scheme %q, want postgres", u.Scheme)
	case u.Hostname() != "postgres":
		bad("microcoach: MICROCOACH_DATABASE_URL: host %q, want the postgres service", u.Hostname())
	default:
		pass, _ := u.User.Password()
		if u.User.Username() != env(pg, "POSTGRES_USER") || pass != env(pg, "POSTGRES_PASSWORD") || pass == "" ||
			strings.TrimPrefix(u.Path, "/") != env(pg, "POSTGRES_DB") {
			bad("microcoach: MICROCOACH_DATABASE_URL's user, password or database differ from postgres's POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB")
		}
	}
	return errors.Join(errs...)
}
GOEOF

step "building the checkers (first run: a few minutes; then cached in $cache)"
# kubevalidate imports k8s.io/kubernetes, whose go.mod points its staging
# modules (k8s.io/api, k8s.io/apiserver, …) at v0.0.0 with local replaces;
# a consumer replaces them with the matching published versions.
k8smod=$(cd "$work" && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
[[ -f $k8smod ]] || die "cannot download k8s.io/kubernetes@$KUBERNETES_VERSION"
{
	printf 'module kubevalidate\n\ngo 1.26\n\nrequire k8s.io/kubernetes %s\n\n' "$KUBERNETES_VERSION"
	awk -v v="v0.${KUBERNETES_VERSION#v1.}" '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" {print "replace " $1 " => " $1 " " v}' "$k8smod"
} >"$src/kubevalidate/go.mod"
slackgo=$(cd "$repo" && go list -m -f '{{.Version}}' github.com/slack-go/slack)
yamlv3=$(cd "$repo" && go list -m -f '{{.Version}}' go.yaml.in/yaml/v3)
printf 'module slackmanifest\n\ngo 1.26\n\nrequire (\n\tgithub.com/slack-go/slack %s\n\tgo.yaml.in/yaml/v3 %s\n)\n' "$slackgo" "$yamlv3" >"$src/slackmanifest/go.mod"
printf 'module dockerfilelint\n\ngo 1.26\n\nrequire github.com/moby/buildkit %s\n' "$BUILDKIT_VERSION" >"$src/dockerfilelint/go.mod"
printf 'module composevalidate\n\ngo 1.26\n\nrequire github.com/compose-spec/compose-go/v2 %s\n' "$COMPOSE_GO_VERSION" >"$src/composevalidate/go.mod"

kubevalidate=$(build_tool kubevalidate "$src/kubevalidate")
slackmanifest=$(build_tool slackmanifest "$src/slackmanifest")
dockerfilelint=$(build_tool dockerfilelint "$src/dockerfilelint")
composevalidate=$(build_tool composevalidate "$src/composevalidate")
kustomize="$cache/kustomize-$KUSTOMIZE_VERSION/kustomize"
if [[ ! -x $kustomize ]]; then
	GOBIN="$(dirname "$kustomize")" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" || die "installing kustomize"
fi
say "ok   kubevalidate (k8s.io/kubernetes $KUBERNETES_VERSION), slackmanifest (slack-go $slackgo), dockerfilelint (buildkit $BUILDKIT_VERSION), composevalidate (compose-go $COMPOSE_GO_VERSION), kustomize $KUSTOMIZE_VERSION"

# ---------------------------------------------------------------------------
step "Docker: build the binary the way deploy/Dockerfile does"
# ---------------------------------------------------------------------------
dockerfile="$deploy/Dockerfile"
# shellcheck disable=SC2016 # ${VERSION} is the Dockerfile's, not ours
build_cmd='CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/microcoach ./cmd/microcoach'
grep -qF "$build_cmd" "$dockerfile" || die "deploy/Dockerfile no longer runs: $build_cmd (update this script with it)"
# The context docker would send: the repository less Dockerfile.dockerignore.
"$dockerfilelint" -context "$deploy/Dockerfile.dockerignore" "$repo" "$work/context"
for gone in .git deploy; do
	[[ ! -e $work/context/$gone ]] || die "the build context still holds $gone"
done
(
	cd "$work/context"
	go mod download
	go mod verify >/dev/null
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=validate" -o "$work/bin/microcoach" ./cmd/microcoach
) || die "the Dockerfile's build steps fail on the filtered context"
bin="$work/bin/microcoach"
ldd_out=$(ldd "$bin" 2>&1 || true) # exits 1 for a static binary
[[ $ldd_out == *'not a dynamic executable'* ]] || die "$bin is dynamically linked; distroless/static has no libc"
version=$("$bin" version)
[[ $version == 'microcoach validate '* ]] || die "-X main.version did not reach the binary: $version"
say "ok   context filtered, go mod verify, static binary: $version"

step "Docker: deploy/Dockerfile build checks (BuildKit $BUILDKIT_VERSION, the rules of docker build --check)"
"$dockerfilelint" "$dockerfile"
for line in 'FROM gcr.io/distroless/static-debian12:nonroot' 'USER nonroot:nonroot' 'VOLUME /data' \
	'ENV MICROCOACH_DB_PATH=/data/microcoach.db' 'ENV MICROCOACH_ADMIN_ADDR=:9090' 'EXPOSE 9090' \
	'ENTRYPOINT ["/microcoach"]' 'CMD ["serve"]'; do
	grep -qxF "$line" "$dockerfile" || die "deploy/Dockerfile lacks the line: $line"
done
say "ok   final stage: distroless static nonroot, /data volume, admin on :9090, /microcoach serve"
sed 's/^CMD \["serve"\]$/CMD serve/' "$dockerfile" >"$work/Dockerfile.broken"
must_reject "Dockerfile with a shell-form CMD" "$dockerfilelint" "$work/Dockerfile.broken"
say "note hadolint is not checked: it is a Haskell program in neither Debian's archive nor the Go module proxy"

# ---------------------------------------------------------------------------
step "Slack: deploy/slack-app-manifest.yaml (strict decode into slack-go $slackgo slack.Manifest + Slack's schema limits)"
# ---------------------------------------------------------------------------
"$slackmanifest" "$deploy/slack-app-manifest.yaml"
sed 's/socket_mode_enabled: true/socket_mode_enabled: false/' "$deploy/slack-app-manifest.yaml" >"$work/manifest-broken.yaml"
must_reject "manifest with Socket Mode off" "$slackmanifest" "$work/manifest-broken.yaml"
sed 's/^  bot_user:/  bot_users:/' "$deploy/slack-app-manifest.yaml" >"$work/manifest-typo.yaml"
must_reject "manifest with an unknown key" "$slackmanifest" "$work/manifest-typo.yaml"

# ---------------------------------------------------------------------------
step "systemd: deploy/microcoach.service ($(systemd-analyze --version | sed -n 1p))"
# ---------------------------------------------------------------------------
# systemd-analyze verify insists that ExecStart's program exists: check a
# copy of the unit that runs the binary built above.
mkdir -p "$work/unit"
unit="$work/unit/microcoach.service"
sed "s#^ExecStart=/usr/local/bin/microcoach #ExecStart=$bin #" "$deploy/microcoach.service" >"$unit"
grep -q "^ExecStart=$bin serve$" "$unit" || die "deploy/microcoach.service: ExecStart is not /usr/local/bin/microcoach serve"
# verify prints problems (unknown keys, bad values) but still exits 0.
verify_quiet() {
	local out
	out=$(systemd-analyze verify "$1" 2>&1) || { printf '%s\n' "$out"; return 1; }
	[[ -z $out ]] || { printf '%s\n' "$out"; return 1; }
}
verify_quiet "$unit" || die "systemd-analyze verify complains about deploy/microcoach.service"
say "ok   systemd-analyze verify: no complaints"
sed 's/^ProtectClock=yes/ProtectClok=yes/' "$unit" >"$work/unit/broken.service"
must_reject "unit with a misspelt key" verify_quiet "$work/unit/broken.service"
systemd-analyze security --offline=true --threshold="$SECURITY_THRESHOLD" --no-pager "$unit" >"$work/security.txt" ||
	{ cat "$work/security.txt"; die "systemd-analyze security: exposure above $((SECURITY_THRESHOLD / 10)).$((SECURITY_THRESHOLD % 10))"; }
say "ok   systemd-analyze security --offline: $(grep -o 'Overall exposure level.*' "$work/security.txt")"

# Every system call the binary makes must pass the unit's SystemCallFilter.
expand_syscalls() { # group or syscall names → syscall names, groups expanded
	local name
	for name in "$@"; do
		case $name in
		@*) systemd-analyze syscall-filter --no-pager "$name" | awk 'NR > 1 && NF && $1 !~ /^#/ {print $1}' |
			while read -r sub; do expand_syscalls "$sub"; done ;;
		*) printf '%s\n' "$name" ;;
		esac
	done
}
allow=() deny=()
while IFS= read -r value; do
	if [[ $value == ~* ]]; then
		read -ra names <<<"${value#\~}"
		deny+=("${names[@]}")
	else
		read -ra names <<<"$value"
		allow+=("${names[@]}")
	fi
done < <(sed -n 's/^SystemCallFilter=//p' "$unit")
((${#allow[@]})) || die "deploy/microcoach.service has no SystemCallFilter allow list"
expand_syscalls "${allow[@]}" | sort -u >"$work/allow.txt"
expand_syscalls "${deny[@]}" | sort -u >"$work/deny.txt"
comm -23 "$work/allow.txt" "$work/deny.txt" >"$work/permitted.txt"
# Run serve as the unit would, with the example env file's placeholder tokens
# and the Slack API pointed at a closed local port: it starts, opens the
# database, dials out and exits 1 (connection refused); a configuration
# error would exit 2.
envfile=()
while IFS= read -r line; do envfile+=("$line"); done < <(grep -E '^[A-Z_]+=' "$deploy/microcoach.env.example")
rc=0
env -i "${envfile[@]}" MICROCOACH_SLACK_API_URL=http://127.0.0.1:1/ MICROCOACH_DB_PATH="$work/trace.db" MICROCOACH_ADMIN_ADDR=127.0.0.1:0 \
	"$(command -v strace)" -f -qq -o "$work/trace-serve.txt" "$bin" serve >"$work/serve.out" 2>&1 || rc=$?
if [[ $rc != 1 ]] || ! grep -q 'connection refused' "$work/serve.out"; then
	cat "$work/serve.out"
	die "serve with microcoach.env.example's values: exit $rc, expected 1 (connection refused)"
fi
traces=("$work/trace-serve.txt")
rc=0
(cd "$work" && env -i "$(command -v strace)" -f -qq -o "$work/trace-demo.txt" "$bin" demo >"$work/demo.out" 2>&1) || rc=$?
if [[ $rc == 0 ]]; then
	traces+=("$work/trace-demo.txt")
	say "ok   traced: serve (placeholder tokens, unreachable API) and demo"
else
	say "WARN demo not traced: it exited $rc ($(tail -n1 "$work/demo.out")); traced serve only"
fi
cat "${traces[@]}" | grep -oE '^[0-9]+ +[a-z0-9_]+\(' | awk '{print $2}' | tr -d '(' | sort -u >"$work/used.txt"
for needed in connect flock openat; do # proof that the run got as far as the database and the network
	grep -qx "$needed" "$work/used.txt" || die "the traced run made no $needed call: the trace is not meaningful"
done
blocked=$(comm -23 "$work/used.txt" "$work/permitted.txt" | tr '\n' ' ')
[[ -z $blocked ]] || die "SystemCallFilter would refuse: $blocked"
say "ok   SystemCallFilter permits all $(wc -l <"$work/used.txt") system calls the binary made ($(wc -l <"$work/permitted.txt") permitted)"
# The example env file names only variables microcoach knows.
"$bin" help >"$work/help.txt" 2>&1
while IFS= read -r var; do
	grep -qw "$var" "$work/help.txt" || die "microcoach.env.example sets $var, which microcoach help does not list"
done < <(sed -nE 's/^#?([A-Z][A-Z0-9_]+)=.*/\1/p' "$deploy/microcoach.env.example")
say "ok   microcoach.env.example: every variable is one microcoach knows; the placeholder tokens pass its checks"

# ---------------------------------------------------------------------------
step "Kubernetes: kustomize $KUSTOMIZE_VERSION build + kube-apiserver validation (k8s.io/kubernetes $KUBERNETES_VERSION)"
# ---------------------------------------------------------------------------
"$kustomize" build "$deploy/kubernetes" >"$work/built.yaml"
! grep -q '^kind: Secret$' "$work/built.yaml" || die "kustomization.yaml must not include the Secret"
"$kubevalidate" "$work/built.yaml" "$deploy/kubernetes/secret.example.yaml"
sed 's/readOnlyRootFilesystem:/readOnlyRootFilesytem:/' "$work/built.yaml" >"$work/built-typo.yaml"
must_reject "Deployment with a misspelt field" "$kubevalidate" "$work/built-typo.yaml" "$deploy/kubernetes/secret.example.yaml"
sed 's/type: Recreate/type: RollingUpdate/' "$work/built.yaml" >"$work/built-rolling.yaml"
must_reject "Deployment with a rolling update" "$kubevalidate" "$work/built-rolling.yaml" "$deploy/kubernetes/secret.example.yaml"

step "Kubernetes, PostgreSQL mode: kustomize build deploy/kubernetes/postgres + the same validation"
"$kustomize" build "$deploy/kubernetes/postgres" >"$work/built-pg.yaml"
! grep -q '^kind: Secret$' "$work/built-pg.yaml" || die "kubernetes/postgres/kustomization.yaml must not include a Secret"
for kind in Deployment PodDisruptionBudget Service; do
	grep -q "^kind: $kind\$" "$work/built-pg.yaml" || die "kubernetes/postgres builds no $kind"
done
secrets=("$deploy/kubernetes/secret.example.yaml" "$deploy/kubernetes/postgres/secret.example.yaml")
"$kubevalidate" "$work/built-pg.yaml" "${secrets[@]}"
sed 's/^  replicas: 3$/  replicas: 10/' "$work/built-pg.yaml" >"$work/pg-many.yaml"
must_reject "10 replicas + maxSurge 1 (Slack allows 10 connections)" "$kubevalidate" "$work/pg-many.yaml" "${secrets[@]}"
sed 's/^  maxUnavailable: 1$/  minAvailable: 3/' "$work/built-pg.yaml" >"$work/pg-pdb.yaml"
must_reject "a PodDisruptionBudget that blocks every drain" "$kubevalidate" "$work/pg-pdb.yaml" "${secrets[@]}"
sed 's/key: MICROCOACH_DATABASE_URL$/key: DATABASE_URL/' "$work/built-pg.yaml" >"$work/pg-key.yaml"
must_reject "a secretKeyRef to a key the Secret lacks" "$kubevalidate" "$work/pg-key.yaml" "${secrets[@]}"
sed 's/topologyKey: kubernetes.io\/hostname/topologyKey: kubernetes.io\/os/' "$work/built-pg.yaml" >"$work/pg-spread.yaml"
must_reject "replicas not spread over nodes" "$kubevalidate" "$work/pg-spread.yaml" "${secrets[@]}"
say "note kubeconform is not used: it downloads its JSON schemas at run time and fails offline"

# ---------------------------------------------------------------------------
step "Docker Compose: deploy/compose/compose.yaml (compose-go $COMPOSE_GO_VERSION: the Compose schema, interpolation, env_file)"
# ---------------------------------------------------------------------------
# A copy, with the files the operator creates beside it: microcoach.env from
# the example and .env with a placeholder password.
mkdir -p "$work/compose/deploy/compose"
cp "$deploy/Dockerfile" "$work/compose/deploy/Dockerfile"
cp "$deploy/compose/compose.yaml" "$work/compose/deploy/compose/compose.yaml"
cp "$deploy/microcoach.env.example" "$work/compose/deploy/compose/microcoach.env"
printf 'POSTGRES_PASSWORD=%s\n' 0123456789abcdef0123456789abcdef >"$work/compose/deploy/compose/.env"
"$composevalidate" "$work/compose/deploy/compose/compose.yaml"
sed 's/^    restart: unless-stopped$/&\n    container_name: microcoach/' "$deploy/compose/compose.yaml" >"$work/compose/deploy/compose/named.yaml"
must_reject "compose: the bot with a container_name (cannot scale)" "$composevalidate" "$work/compose/deploy/compose/named.yaml"
sed 's/condition: service_healthy/condition: service_started/' "$deploy/compose/compose.yaml" >"$work/compose/deploy/compose/started.yaml"
must_reject "compose: the bot not waiting for a healthy postgres" "$composevalidate" "$work/compose/deploy/compose/started.yaml"
sed 's/^    cap_drop:$/    cap_dropp:/' "$deploy/compose/compose.yaml" >"$work/compose/deploy/compose/schema.yaml"
must_reject "compose: a key the Compose schema does not know" "$composevalidate" "$work/compose/deploy/compose/schema.yaml"

# ---------------------------------------------------------------------------
step "this script: shellcheck $(shellcheck --version | sed -n 's/^version: //p')"
# ---------------------------------------------------------------------------
shellcheck "$deploy/validate.sh"
say "ok   shellcheck: no findings"

printf '\nAll deploy/ checks passed in %ss.\n' "$SECONDS"
