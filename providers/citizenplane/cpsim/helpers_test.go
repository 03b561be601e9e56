package cpsim

import "time"

// testNow is the fixed clock of every test: 1 July 2025, 10:00 in Paris.
var testNow = time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)

func clock() time.Time { return testNow }

const (
	testToken = "sandbox-token"
	testSeed  = 42
)
