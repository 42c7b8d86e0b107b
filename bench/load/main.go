// Command load drives a morning's mix of requests against a running
// `wanhu serve`, on loopback only, bounded in time and in count, and
// measures the same client against a bare net/http handler serving bodies
// of the same sizes in the same run (see bench/load.sh and
// bench/README.md, "Morning load").
//
//	load run -url http://127.0.0.1:18101 -pid PID [-clients 200] [-duration 15s] [-rates 50,100,200]
//	load accounts -db DSN            # the demo accounts and cityadmin, password demo-pass-2026
//	load bare -addr 127.0.0.1:0      # the bare handler alone (run spawns it)
//
// The run has three parts: the morning mix (60% visitors, 20% searches,
// 10% request steps, 10% dashboards) for -duration, reported per route;
// then, for each read route of the mix, the route alone at -clients for
// -duration, followed at once by the bare handler serving that route's
// median body size for as long: the route's share of the bare handler is
// its requests per second over the bare handler's. With -rates, the mix
// runs again as an open loop at each rate (paced.go).
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: load run|accounts|bare [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = run(os.Args[2:])
	case "accounts":
		err = accounts(os.Args[2:])
	case "bare":
		err = bare(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}
