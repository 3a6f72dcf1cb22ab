package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The PostgreSQL deployment files (deploy/kubernetes/postgres,
// deploy/compose) parsed as plain YAML and held to the rules that make
// several replicas safe. deploy/validate.sh checks the same files with the
// apiserver's and compose's own code, but needs the network once; these
// run with every `go test`.

const deployDir = "../../deploy"

// readYAML decodes one file of deploy/ into v, refusing unknown fields of
// v's type only where v says so (plain structs ignore the rest).
func readYAML(t *testing.T, name string, v any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(deployDir, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

type kubeEnv struct {
	Name      string `yaml:"name"`
	Value     string `yaml:"value"`
	ValueFrom *struct {
		SecretKeyRef *struct {
			Name string `yaml:"name"`
			Key  string `yaml:"key"`
		} `yaml:"secretKeyRef"`
	} `yaml:"valueFrom"`
}

type kubeDeployment struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		Replicas *int `yaml:"replicas"`
		Strategy struct {
			Type          string `yaml:"type"`
			RollingUpdate *struct {
				MaxUnavailable any `yaml:"maxUnavailable"`
				MaxSurge       any `yaml:"maxSurge"`
			} `yaml:"rollingUpdate"`
		} `yaml:"strategy"`
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		Template struct {
			Metadata struct {
				Labels map[string]string `yaml:"labels"`
			} `yaml:"metadata"`
			Spec struct {
				TerminationGracePeriodSeconds *int `yaml:"terminationGracePeriodSeconds"`
				TopologySpreadConstraints     []struct {
					TopologyKey       string `yaml:"topologyKey"`
					WhenUnsatisfiable string `yaml:"whenUnsatisfiable"`
					LabelSelector     struct {
						MatchLabels map[string]string `yaml:"matchLabels"`
					} `yaml:"labelSelector"`
				} `yaml:"topologySpreadConstraints"`
				Containers []struct {
					Name    string    `yaml:"name"`
					Env     []kubeEnv `yaml:"env"`
					EnvFrom []struct {
						SecretRef *struct {
							Name string `yaml:"name"`
						} `yaml:"secretRef"`
					} `yaml:"envFrom"`
				} `yaml:"containers"`
				Volumes []struct {
					Name                  string `yaml:"name"`
					PersistentVolumeClaim any    `yaml:"persistentVolumeClaim"`
				} `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

func yamlInt(p *int) string {
	if p == nil {
		return "unset"
	}
	return fmt.Sprint(*p)
}

// subset: every label of sel is on the pod (a matchLabels selector).
func subset(sel, pod map[string]string) bool {
	if len(sel) == 0 {
		return false // an empty selector selects everything: never what is meant here
	}
	for k, v := range sel {
		if pod[k] != v {
			return false
		}
	}
	return true
}

// scaled reads an int-or-percent field of a Deployment or budget against n
// replicas, rounding up as Kubernetes does for maxSurge and a budget's
// maxUnavailable.
func scaled(t *testing.T, field string, v any, n int) int {
	t.Helper()
	switch v := v.(type) {
	case int:
		return v
	case string:
		var pct int
		if _, err := fmt.Sscanf(v, "%d%%", &pct); err != nil {
			t.Fatalf("%s: %q is neither a number nor a percentage", field, v)
		}
		return (pct*n + 99) / 100
	default:
		t.Fatalf("%s: %v (%T) is neither a number nor a percentage", field, v, v)
		return 0
	}
}

func TestDeployPostgresKubernetes(t *testing.T) {
	t.Parallel()
	var pg, bolt kubeDeployment
	readYAML(t, "kubernetes/postgres/deployment.yaml", &pg)
	readYAML(t, "kubernetes/deployment.yaml", &bolt)
	spec := pg.Spec
	pod := spec.Template.Spec
	podLabels := spec.Template.Metadata.Labels

	// Three replicas; with the surge of a rolling update still within
	// Slack's 10 Socket Mode connections per app.
	if spec.Replicas == nil || *spec.Replicas != 3 {
		t.Fatalf("replicas: %s, want 3", yamlInt(spec.Replicas))
	}
	replicas := *spec.Replicas
	ru := spec.Strategy.RollingUpdate
	if spec.Strategy.Type != "RollingUpdate" || ru == nil {
		t.Fatalf("strategy %q, want RollingUpdate with maxUnavailable 1 and maxSurge 1", spec.Strategy.Type)
	}
	surge := scaled(t, "maxSurge", ru.MaxSurge, replicas)
	if unavailable := scaled(t, "maxUnavailable", ru.MaxUnavailable, replicas); unavailable != 1 || surge != 1 {
		t.Errorf("rollingUpdate: maxUnavailable %v, maxSurge %v; want 1 and 1", ru.MaxUnavailable, ru.MaxSurge)
	}
	if replicas+surge > 10 {
		t.Errorf("replicas %d + maxSurge %d exceed Slack's 10 Socket Mode connections per app", replicas, surge)
	}
	if !subset(spec.Selector.MatchLabels, podLabels) {
		t.Errorf("selector %v does not select the pod template's labels %v", spec.Selector.MatchLabels, podLabels)
	}

	// No bbolt: no claim, no DB path; the URL from a Secret that has the key.
	for _, v := range pod.Volumes {
		if v.PersistentVolumeClaim != nil {
			t.Errorf("volume %s is a PersistentVolumeClaim; PostgreSQL mode keeps nothing on a volume", v.Name)
		}
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	var ref *kubeEnv
	for i, e := range pod.Containers[0].Env {
		switch e.Name {
		case "MICROCOACH_DATABASE_URL":
			ref = &pod.Containers[0].Env[i]
		case "MICROCOACH_DB_PATH":
			t.Errorf("MICROCOACH_DB_PATH is set; it is ignored with PostgreSQL and only misleads")
		}
	}
	if ref == nil || ref.Value != "" || ref.ValueFrom == nil || ref.ValueFrom.SecretKeyRef == nil {
		t.Fatalf("MICROCOACH_DATABASE_URL must come from a Secret (valueFrom.secretKeyRef), got %+v", ref)
	}
	var secret struct {
		Kind     string `yaml:"kind"`
		Metadata struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
		StringData map[string]string `yaml:"stringData"`
	}
	readYAML(t, "kubernetes/postgres/secret.example.yaml", &secret)
	key := ref.ValueFrom.SecretKeyRef
	if secret.Kind != "Secret" || secret.Metadata.Name != key.Name {
		t.Errorf("the Deployment reads Secret %q, the example is %s %q", key.Name, secret.Kind, secret.Metadata.Name)
	}
	example, ok := secret.StringData[key.Key]
	if !ok {
		t.Errorf("the example Secret has no key %q (it has %v)", key.Key, secret.StringData)
	}
	u, err := url.Parse(example)
	if err != nil || u.Scheme != "postgres" || u.Query().Get("sslmode") == "" {
		t.Errorf("the example URL %q should be postgres://…?sslmode=…", example)
	} else if pass, _ := u.User.Password(); !strings.Contains(pass, "PLACEHOLDER") {
		t.Errorf("the example URL's password %q is not an obvious placeholder", pass)
	}
	for _, ef := range pod.Containers[0].EnvFrom {
		if ef.SecretRef != nil && ef.SecretRef.Name != "microcoach-slack" {
			t.Errorf("envFrom Secret %q: the Slack tokens are in microcoach-slack", ef.SecretRef.Name)
		}
	}

	// Replicas on different nodes.
	spread := false
	for _, c := range pod.TopologySpreadConstraints {
		spread = spread || (c.TopologyKey == "kubernetes.io/hostname" && c.WhenUnsatisfiable == "DoNotSchedule" && subset(c.LabelSelector.MatchLabels, podLabels))
	}
	if !spread {
		t.Error("no topologySpreadConstraint on kubernetes.io/hostname (DoNotSchedule) selecting the pods: replicas could share a node")
	}

	// A budget for the same pods that lets a drain take one at a time.
	var pdb struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Spec       struct {
			MinAvailable   any `yaml:"minAvailable"`
			MaxUnavailable any `yaml:"maxUnavailable"`
			Selector       struct {
				MatchLabels map[string]string `yaml:"matchLabels"`
			} `yaml:"selector"`
		} `yaml:"spec"`
	}
	readYAML(t, "kubernetes/postgres/pdb.yaml", &pdb)
	if pdb.APIVersion != "policy/v1" || pdb.Kind != "PodDisruptionBudget" {
		t.Errorf("pdb.yaml is %s %s, want policy/v1 PodDisruptionBudget", pdb.APIVersion, pdb.Kind)
	}
	if !subset(pdb.Spec.Selector.MatchLabels, podLabels) {
		t.Errorf("the budget's selector %v does not select the Deployment's pods %v", pdb.Spec.Selector.MatchLabels, podLabels)
	}
	switch {
	case pdb.Spec.MaxUnavailable != nil && pdb.Spec.MinAvailable != nil:
		t.Error("the budget sets both minAvailable and maxUnavailable")
	case pdb.Spec.MaxUnavailable != nil:
		if n := scaled(t, "maxUnavailable", pdb.Spec.MaxUnavailable, replicas); n != 1 {
			t.Errorf("budget maxUnavailable %v, want 1", pdb.Spec.MaxUnavailable)
		}
	case pdb.Spec.MinAvailable != nil:
		if n := scaled(t, "minAvailable", pdb.Spec.MinAvailable, replicas); n != replicas-1 {
			t.Errorf("budget minAvailable %v, want %d of %d", pdb.Spec.MinAvailable, replicas-1, replicas)
		}
	default:
		t.Error("the budget sets neither minAvailable nor maxUnavailable")
	}

	// The kustomization deploys these and leaves the Secret out.
	var kust struct {
		Resources []string `yaml:"resources"`
	}
	readYAML(t, "kubernetes/postgres/kustomization.yaml", &kust)
	slices.Sort(kust.Resources)
	if want := []string{"deployment.yaml", "pdb.yaml", "service.yaml"}; !slices.Equal(kust.Resources, want) {
		t.Errorf("kustomization resources %v, want %v (never the Secret)", kust.Resources, want)
	}

	// The bbolt Deployment stays as it was: one replica, Recreate, a claim.
	if bolt.Spec.Replicas == nil || *bolt.Spec.Replicas != 1 || bolt.Spec.Strategy.Type != "Recreate" {
		t.Errorf("deploy/kubernetes/deployment.yaml must stay at one replica with Recreate (bbolt's file lock)")
	}
	if !reflect.DeepEqual(bolt.Spec.Template.Metadata.Labels, podLabels) || !reflect.DeepEqual(bolt.Spec.Selector, spec.Selector) || bolt.Metadata.Name != pg.Metadata.Name {
		t.Errorf("the two Deployments should share name, selector and labels, so that applying one replaces the other")
	}
}

// TestDeployPostgresKubernetesMatchesBbolt: what does not depend on the
// store (probes, security, resources, the drain's grace period) is the same
// in both Deployments, so that a fix to one cannot miss the other.
func TestDeployPostgresKubernetesMatchesBbolt(t *testing.T) {
	t.Parallel()
	type generic = map[string]any
	var pg, bolt generic
	readYAML(t, "kubernetes/postgres/deployment.yaml", &pg)
	readYAML(t, "kubernetes/deployment.yaml", &bolt)
	dig := func(m generic, path ...string) any {
		var v any = m
		for _, k := range path {
			mm, ok := v.(generic)
			if !ok {
				return nil
			}
			v = mm[k]
		}
		return v
	}
	container := func(m generic) generic {
		cs, _ := dig(m, "spec", "template", "spec", "containers").([]any)
		if len(cs) != 1 {
			t.Fatalf("want one container, got %d", len(cs))
		}
		return cs[0].(generic)
	}
	same := []string{"name", "image", "imagePullPolicy", "args", "envFrom", "ports", "securityContext",
		"startupProbe", "livenessProbe", "readinessProbe", "resources"}
	pc, bc := container(pg), container(bolt)
	for _, k := range same {
		if bc[k] == nil {
			t.Errorf("the bbolt Deployment's container has no %s: the list here is stale", k)
		}
		if !reflect.DeepEqual(pc[k], bc[k]) {
			t.Errorf("container %s differs between the bbolt and the PostgreSQL Deployment:\n bbolt:    %v\n postgres: %v", k, bc[k], pc[k])
		}
	}
	for _, k := range []string{"terminationGracePeriodSeconds", "securityContext", "automountServiceAccountToken", "enableServiceLinks"} {
		b, p := dig(bolt, "spec", "template", "spec", k), dig(pg, "spec", "template", "spec", k)
		if b == nil || !reflect.DeepEqual(b, p) {
			t.Errorf("pod %s differs: bbolt %v, postgres %v", k, b, p)
		}
	}
	if b, p := dig(bolt, "spec", "template", "metadata", "annotations"), dig(pg, "spec", "template", "metadata", "annotations"); !reflect.DeepEqual(b, p) {
		t.Errorf("pod annotations (Prometheus) differ: bbolt %v, postgres %v", b, p)
	}
	// Every variable but the store's is the same too.
	envOf := func(c generic) map[string]any {
		out := map[string]any{}
		for _, e := range c["env"].([]any) {
			e := e.(generic)
			out[e["name"].(string)] = e
		}
		delete(out, "MICROCOACH_DB_PATH")
		delete(out, "MICROCOACH_DATABASE_URL")
		return out
	}
	if b, p := envOf(bc), envOf(pc); !reflect.DeepEqual(b, p) {
		t.Errorf("env besides the store differs:\n bbolt:    %v\n postgres: %v", b, p)
	}
}
