package api

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestOperationIDs: every operation of openapi.json has an operationId,
// camelCase and unique, which clients generated from the document name
// their methods by.
func TestOperationIDs(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	camel := regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)
	seen := map[string]string{}
	n := 0
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
			default:
				continue // parameters, summary… of the path
			}
			n++
			var op struct {
				OperationID string `json:"operationId"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			at := strings.ToUpper(method) + " " + path
			switch {
			case op.OperationID == "":
				t.Errorf("%s has no operationId", at)
			case !camel.MatchString(op.OperationID):
				t.Errorf("%s: operationId %q is not camelCase", at, op.OperationID)
			case seen[op.OperationID] != "":
				t.Errorf("%s: operationId %q is %s's too", at, op.OperationID, seen[op.OperationID])
			}
			seen[op.OperationID] = at
		}
	}
	if n < 100 {
		t.Errorf("%d operations in openapi.json: the test reads the document wrong", n)
	}
}

// TestOpenAPILint runs Redocly CLI's lint on openapi.json with
// redocly.yaml (its recommended rules) and fails on any error or warning
// not listed, with its reason, in .redocly.lint-ignore.yaml. WANHU_REDOCLY
// is the redocly executable (.ci/run installs @redocly/cli with npm into a
// cache and sets it); without it the test skips, as the CLI needs Node.js
// and a download.
func TestOpenAPILint(t *testing.T) {
	redocly := os.Getenv("WANHU_REDOCLY")
	if redocly == "" {
		t.Skip("WANHU_REDOCLY is not set: set it to a redocly executable (npm install @redocly/cli; .ci/run does) to lint openapi.json")
	}
	cmd := exec.Command(redocly, "lint", "openapi.json", "--config", "redocly.yaml", "--format", "json")
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var out struct {
		Totals struct {
			Errors, Warnings, Ignored int
		} `json:"totals"`
		Version  string `json:"version"`
		Problems []struct {
			RuleID   string `json:"ruleId"`
			Severity string `json:"severity"`
			Message  string `json:"message"`
			Location []struct {
				Pointer string `json:"pointer"`
			} `json:"location"`
		} `json:"problems"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("%s lint: %v (%v)\nstdout: %.2000s\nstderr: %.2000s", redocly, runErr, err, stdout.String(), stderr.String())
	}
	t.Logf("Redocly CLI %s: %d errors, %d warnings, %d ignored", out.Version, out.Totals.Errors, out.Totals.Warnings, out.Totals.Ignored)
	for _, p := range out.Problems {
		where := ""
		if len(p.Location) > 0 {
			where = p.Location[0].Pointer
		}
		t.Errorf("%s %s at %s: %s", p.Severity, p.RuleID, where, p.Message)
	}
	if out.Totals.Errors+out.Totals.Warnings != 0 || runErr != nil {
		t.Errorf("redocly lint: %d errors, %d warnings (%v)", out.Totals.Errors, out.Totals.Warnings, runErr)
	}
}
