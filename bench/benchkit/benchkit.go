// Package benchkit holds what the benchmark programs under bench/ share:
// a server process's memory and an API token, taken the way users take
// them.
package benchkit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// Mem is a process's resident set now and at its peak, in MB.
type Mem struct{ RSS, HWM float64 }

// Memory reads VmRSS and VmHWM of process pid from /proc.
func Memory(pid int) (Mem, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Mem{}, err
	}
	var m Mem
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			m.RSS = kb / 1024
		case "VmHWM:":
			m.HWM = kb / 1024
		}
	}
	return m, nil
}

// Token signs in to the API at base as username and returns the bearer
// token.
func Token(base, username, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var s struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || s.Token == "" {
		return "", fmt.Errorf("API login as %s: status %d, %v", username, resp.StatusCode, err)
	}
	return s.Token, nil
}

// Inline writes args into stmt in place of its "?" placeholders, as SQL
// literals, for a shell (sqlite3, psql) to run the statement a program
// ran. The statements of Wanhu hold no "?" in their own literals.
func Inline(stmt string, args []any) string {
	var b strings.Builder
	i := 0
	for _, r := range stmt {
		if r == '?' && i < len(args) {
			b.WriteString(Literal(args[i]))
			i++
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Literal writes a as an SQL literal.
func Literal(a any) string {
	switch v := a.(type) {
	case nil:
		return "NULL"
	case string:
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	case bool:
		if v {
			return "TRUE"
		}
		return "FALSE"
	case []int64: // PostgreSQL's array of a list's ids (household.idsIn)
		s := make([]string, len(v))
		for i, n := range v {
			s[i] = strconv.FormatInt(n, 10)
		}
		return "ARRAY[" + strings.Join(s, ",") + "]::bigint[]"
	default:
		return fmt.Sprint(v)
	}
}
