package main

import (
	"flag"
	"os"
	"runtime"
	"strconv"
	"testing"
)

// minParallel is how many parallel tests run at once unless -parallel is
// given. The end-to-end tests spend their time waiting on the emulator,
// timers and child processes rather than on the CPU, so the default
// (GOMAXPROCS, 2 on a small CI machine) leaves the machine mostly idle.
// Under the race detector every test runs several times slower and the
// timed waits get tight, so fewer run at once (raceParallel, race_test.go).
const minParallel = 8

func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		n := minParallel
		if raceEnabled {
			n = raceParallel
		}
		flag.Set("test.parallel", strconv.Itoa(max(n, runtime.GOMAXPROCS(0))))
	}
	os.Exit(m.Run())
}
