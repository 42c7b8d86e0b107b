// Package cluster holds the test that runs several `wanhu serve` processes
// on one PostgreSQL database, sends load through all of them, kills one
// with SIGKILL and checks that nothing acknowledged was lost, nothing was
// done twice and every notification went out once (cluster_test.go). It
// has no code of its own.
package cluster
