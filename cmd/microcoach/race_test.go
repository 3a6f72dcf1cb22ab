//go:build race

package main

const raceEnabled = true

// raceParallel is minParallel under the race detector.
const raceParallel = 4
