package main

import (
	"flag"
	"fmt"
)

// metricsFlag adds --metrics-token: the bearer token Prometheus sends to
// scrape /metrics. Without one, /metrics is not served (404).
func metricsFlag(fs *flag.FlagSet) func() (string, error) {
	token := fs.String("metrics-token", "", "serve Prometheus metrics at /metrics to requests with \"Authorization: Bearer TOKEN\" (at least 16 characters; empty: no /metrics)")
	return func() (string, error) {
		if *token != "" && len(*token) < 16 {
			return "", fmt.Errorf("--metrics-token: give at least 16 characters (e.g. openssl rand -hex 24), or none to serve no metrics")
		}
		return *token, nil
	}
}
