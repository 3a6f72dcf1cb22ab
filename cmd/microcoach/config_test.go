package main

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestDefaultConfigIsTheEnvironmentDefaults: DefaultConfig is exactly what
// loadConfig reads when no variable is set, so a Config literal built on
// it runs serve as an unconfigured process would.
func TestDefaultConfigIsTheEnvironmentDefaults(t *testing.T) {
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, envPrefix+"_") || strings.HasPrefix(k, "SLACK_") {
			t.Setenv(k, "") // restored after the test
			os.Unsetenv(k)
		}
	}
	got, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if want := DefaultConfig(); !reflect.DeepEqual(got, want) {
		t.Errorf("loadConfig with an empty environment:\n%+v\nDefaultConfig:\n%+v", got, want)
	}
}
