package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// defaultMemoryLimit is the Go runtime's soft memory limit a server runs
// under unless told otherwise (--memory-limit, GOMEMLIMIT). Without one
// the heap grows to twice what is live before it is collected: each
// sign-in's argon2id hash (64 MiB, two at once, see internal/auth) left
// its memory for a later collection, and the server's resident memory
// peaked at 280–330 MB under the morning's load for a live heap of about
// 30 MB (bench/README.md, "Write transactions commit in groups"). The
// limit is soft: a heap that needs more grows past it, the collector
// working harder meanwhile.
const defaultMemoryLimit = 200 << 20

// memoryFlag adds --memory-limit and returns what applies it.
func memoryFlag(fs *flag.FlagSet) func() error {
	v := fs.String("memory-limit", "", "soft limit of the Go runtime's memory, such as 200MiB or 1GiB; off for none (default: GOMEMLIMIT when set, else 200MiB)")
	return func() error {
		if *v == "" && os.Getenv("GOMEMLIMIT") != "" {
			return nil // the runtime applied it
		}
		n, err := parseMemoryLimit(*v)
		if err != nil {
			return err
		}
		debug.SetMemoryLimit(n)
		return nil
	}
}

// parseMemoryLimit reads a size in bytes with an optional KiB, MiB or GiB
// suffix (as GOMEMLIMIT), "off" (no limit) or "" (the default).
func parseMemoryLimit(s string) (int64, error) {
	switch s {
	case "":
		return defaultMemoryLimit, nil
	case "off":
		return math.MaxInt64, nil
	}
	num, mul := s, int64(1)
	for suffix, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if strings.HasSuffix(s, suffix) {
			num, mul = strings.TrimSuffix(s, suffix), m
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/mul {
		return 0, fmt.Errorf("--memory-limit %q: give a size such as 200MiB or 1GiB, or off", s)
	}
	return n * mul, nil
}
