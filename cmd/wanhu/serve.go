package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"wanhu/internal/app"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/gen"
	"wanhu/internal/notify"
	"wanhu/internal/open311"
	"wanhu/internal/request"
	"wanhu/internal/server"
	"wanhu/internal/setup"
	"wanhu/internal/store"
	"wanhu/internal/visit"
)

func runServe(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("serve")
	dsn := fs.String("db", "wanhu.db", "database: a SQLite file path or a postgres:// URL")
	idle := fs.Duration("session-idle", 30*time.Minute, "end web sessions idle for this long")
	trustProxy := fs.Bool("trust-proxy", false, "take the client address from X-Forwarded-For (only behind a proxy that sets it)")
	sf := addServerFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	run, err := sf.check()
	if err != nil {
		return err
	}
	if keyFileFor(*dsn, *sf.keyFile) == "" {
		return errors.New("no key file: give --key-file PATH (or WANHU_KEY_FILE) with the keys of ID and phone numbers; wanhu key new --key-file PATH creates one")
	}
	db, err := openSealedDB(ctx, *dsn, *sf.keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	firstRun, err := setup.Token(ctx, db)
	if err != nil {
		return err
	}
	return run.start(ctx, db, *idle, *trustProxy, out, func(url string) {
		fmt.Fprintf(out, "Wanhu is serving on %s\n", url)
		printFirstRun(out, cmp.Or(*sf.publicURL, url), firstRun)
	})
}

// printFirstRun prints, while the database has no administrator, where
// to set the community up: /setup on this machine, or the one-time link
// from anywhere.
func printFirstRun(out io.Writer, base, token string) {
	if token == "" {
		return
	}
	fmt.Fprintf(out, "首次设置 First-run set-up (no administrator yet): open %s/setup on this machine, or from elsewhere\n  %s/setup?token=%s\n", base, base, token)
}

// serverFlags are the flags serve and demo share: where to listen and be
// reached, the key file, the notifications, the escalation, the photo
// decoders, the anchor webhook, the log and the daily backup.
type serverFlags struct {
	addr, publicURL, keyFile *string
	senders                  func(db *store.DB, log *slog.Logger, publicURL string) ([]notify.Sender, error)
	escalation               func() (request.EscalationConfig, error)
	photos                   func() (*visit.PhotoSlots, error)
	anchor                   func() (*audit.AnchorSender, error)
	logger                   func() *slog.Logger
	backups                  func() (*backupConfig, error)
	metricsToken             func() (string, error)
	lifecycle                func() (lifecycle, error)
	pprof                    func(ctx context.Context, log *slog.Logger) (stop func(), err error)
	memoryLimit              func() error
}

func addServerFlags(fs *flag.FlagSet) *serverFlags {
	return &serverFlags{
		addr:      fs.String("addr", "127.0.0.1:8080", "address to listen on"),
		publicURL: publicURLFlag(fs), keyFile: keyFileFlag(fs), senders: senderFlags(fs), escalation: escalationFlags(fs),
		photos: photoFlag(fs), anchor: anchorFlags(fs), logger: logFlags(fs),
		backups: backupFlags(fs), metricsToken: metricsFlag(fs), lifecycle: lifecycleFlags(fs), pprof: pprofFlags(fs),
		memoryLimit: memoryFlag(fs),
	}
}

// running is a server as its flags configure it.
type running struct {
	f      *serverFlags
	esc    request.EscalationConfig
	photos *visit.PhotoSlots
	anchor *audit.AnchorSender
	log    *slog.Logger
	backup *backupConfig
	life   lifecycle
	// metricsToken guards /metrics; empty: no metrics.
	metricsToken string
}

// check reads the flags' values, refusing a bad one before anything
// starts.
func (f *serverFlags) check() (*running, error) {
	r := &running{f: f}
	var err error
	if r.esc, err = f.escalation(); err != nil {
		return nil, err
	}
	if r.photos, err = f.photos(); err != nil {
		return nil, err
	}
	if r.anchor, err = f.anchor(); err != nil {
		return nil, err
	}
	if r.backup, err = f.backups(); err != nil {
		return nil, err
	}
	if r.metricsToken, err = f.metricsToken(); err != nil {
		return nil, err
	}
	if r.life, err = f.lifecycle(); err != nil {
		return nil, err
	}
	if err := f.memoryLimit(); err != nil {
		return nil, err
	}
	r.log = f.logger()
	return r, nil
}

// start serves on db until ctx ends, with the notification senders, the
// daily anchor of the audit log, the daily backup and the daily jobs (see
// serve). Without an SMS provider it says, in the log and on out, that
// texts to residents are only logged. Once ctx ends, the process exits
// within the shutdown grace, finished or not.
func (r *running) start(ctx context.Context, db *store.DB, idle time.Duration, trustProxy bool, out io.Writer, ready func(url string)) error {
	defer watchShutdown(ctx, r.life.grace, r.log)()
	senders, err := r.f.senders(db, r.log, *r.f.publicURL)
	if err != nil {
		return err
	}
	if smsLogsOnly(senders) {
		r.log.Warn("SMS: no provider configured (--tencent-sms-secret-id): texts to residents are only written to this log, not sent")
		fmt.Fprintln(out, smsLoggedOnlyNotice)
	}
	anchorSenders, stopAnchors, err := startAnchors(ctx, db, r.anchor, r.log)
	if err != nil {
		return err
	}
	defer stopAnchors()
	defer startBackups(ctx, db, r.backup, r.log)()
	stopPprof, err := r.f.pprof(ctx, r.log)
	if err != nil {
		return err
	}
	defer stopPprof()
	defer startDaily(ctx, db, r.life, r.log)()
	return r.serve(ctx, db, append(senders, anchorSenders...), idle, trustProxy, ready)
}

// smsLoggedOnlyNotice is what the console says when no SMS provider is
// configured.
const smsLoggedOnlyNotice = "短信未配置服务商：发给居民的短信只写入日志，不会发送（配置腾讯云短信：--tencent-sms-*）。\nSMS: no provider configured: texts to residents are only logged, not sent (see --tencent-sms-*)."

// escalationFlags adds the flags of the escalation of requests and
// returns the configuration they give.
func escalationFlags(fs *flag.FlagSet) func() (request.EscalationConfig, error) {
	urgent := fs.Duration("warn-urgent-before", 4*time.Hour, "warn the handler of an urgent request this long before its deadline")
	general := fs.Duration("warn-general-at", 9*time.Hour, "warn the handler of a general request at this time of its due day (China time; 9h is 09:00)")
	secretary := fs.Duration("tell-secretary-after", 8*time.Hour, "tell the community secretary once a request is overdue by this long (the grid leader hears at once)")
	return func() (request.EscalationConfig, error) {
		for _, f := range []struct {
			name string
			d    time.Duration
			max  time.Duration
		}{{"warn-urgent-before", *urgent, 24 * time.Hour}, {"warn-general-at", *general, 24 * time.Hour}, {"tell-secretary-after", *secretary, 7 * 24 * time.Hour}} {
			if f.d <= 0 || f.d >= f.max {
				return request.EscalationConfig{}, fmt.Errorf("--%s %s: give a duration above 0 and below %s", f.name, f.d, f.max)
			}
		}
		return request.EscalationConfig{UrgentWarning: *urgent, GeneralWarning: *general, SecretaryAfter: *secretary}, nil
	}
}

// serve runs the HTTP server, the notification senders and the escalation
// of overdue requests (r.esc) on db until ctx ends, then shuts down
// gracefully: the background loops stop at once, the requests in flight
// get most of the grace to finish (see drainTime), and those still
// running then are cut off. r.photos limit the photos decoded at once.
// With a metrics token, /metrics serves Prometheus to that bearer token.
// ready is called with the URL once the port is open.
func (r *running) serve(ctx context.Context, db *store.DB, senders []notify.Sender, idle time.Duration, trustProxy bool, ready func(url string)) error {
	esc, addr, publicURL, log, grace := r.esc, *r.f.addr, *r.f.publicURL, r.log, r.life.grace
	if publicURL != "" {
		if u, err := url.Parse(publicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--public-url %q: give an http(s) address such as https://wanhu.example.org", publicURL)
		}
	}
	jt, err := readJobTiming()
	if err != nil {
		return err
	}
	d := server.NewDeps(db, log)
	d.PublicURL = publicURL
	d.Photos = r.photos
	d.Auth.IdleTimeout = idle
	d.Auth.TrustProxy = trustProxy
	d.Metrics = server.NewMetrics(r.metricsToken, db, d.Imports)
	d.Metrics.JobLastRun(dailyRuns(db, log))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           app.Handler(d),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	sending, stopSending := context.WithCancel(ctx)
	sent := make(chan struct{})
	go func() {
		notify.Run(sending, db, senders, notify.Options{Log: log, Interval: jt.outboxPoll, Lease: jt.outboxLease})
		close(sent)
	}()
	escalated := make(chan struct{})
	go func() {
		esc.Log = log
		esc.Ran = d.Metrics.JobRan("request_escalation")
		request.RunEscalations(sending, db, cmp.Or(jt.escalateEvery, time.Minute), esc)
		close(escalated)
	}()
	defer func() { stopSending(); <-sent; <-escalated }()
	defer d.Imports.Start(ctx)() // the household import jobs of the web page and the API
	log.Info("serving", "addr", ln.Addr().String(), "db", string(db.Dialect()))
	ready("http://" + ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing the requests in flight", "grace", grace.String())
	sctx, cancel := context.WithTimeout(context.Background(), drainTime(grace))
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("shutting down: requests still running at the end of the grace were cut off", "err", err)
		srv.Close()
	}
	return nil
}

// drainTime is how much of the shutdown grace the requests in flight get:
// all but a quarter of it (at most 5 s), kept for stopping the rest.
func drainTime(grace time.Duration) time.Duration {
	return grace - min(grace/4, 5*time.Second)
}

func runDemo(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("demo")
	dsn := fs.String("db", "wanhu-demo.db", "demo database: a SQLite file path (created if absent) or a postgres:// URL")
	password := fs.String("admin-password", "", "password for the demo account admin (default: a new random one at every start)")
	households := fs.Int("households", 4470, "households to generate when the database is new")
	seed := fs.Int64("seed", 1, "seed of the generated data")
	sf := addServerFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	run, err := sf.check()
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM households`).Scan(&n); err != nil {
		return err
	}
	if err := demoKeys(db, *dsn, *sf.keyFile, n > 0, out); err != nil {
		return err
	}
	if err := sealLeftovers(ctx, db); err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintf(out, "Creating the demo community in %s …\n", store.Redact(*dsn))
		sum, err := gen.Generate(ctx, db, gen.Options{Households: *households, Seed: *seed, Progress: progress(out), Stage: stage(out)})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\nMade %d households, %d people, %d key persons, %d special-difficulty households in %d grids.\n",
			sum.Households, sum.Persons, sum.KeyPersons, sum.SpecialDifficulty, sum.Grids)
		fmt.Fprintf(out, "This week (%s): %d visit plans of %d households, %d of them visited so far.\n",
			sum.Week.Week, sum.Week.Plans, sum.Week.Planned, sum.Week.Visits)
		if err := gen.DemoRounds(ctx, db, calendar.Today()); err != nil {
			return err
		}
		if err := gen.DemoBenefits(ctx, db, calendar.Today()); err != nil {
			return err
		}
	}
	pw := *password
	if pw == "" {
		pw = randomPassword()
	}
	fmt.Fprintln(out, "Setting the password of the demo accounts …")
	accounts, err := gen.DemoAccounts(ctx, db, pw)
	if err != nil {
		return err
	}
	if err := open311.EnsureDemoKey(ctx, db); err != nil {
		return err
	}
	return run.start(ctx, db, 30*time.Minute, false, out, func(url string) {
		fmt.Fprintf(out, "\nWanhu demo (东兴社区) is running.\n  Open:     %s\n  API:      %s/api/v1 (POST /api/v1/auth/login)\n  Open311:  %s/open311/v2/discovery.json (API key %s)\n\n  Accounts (password for all: %s)\n", url, url, url, open311.DemoKey, pw)
		for _, a := range accounts {
			fmt.Fprintf(out, "    %-9s %-12s %s\n", a.Username, a.Role, a.Reach)
		}
		fmt.Fprintln(out, "  Two-step sign-in is not required in the demo (elsewhere it is, by default, for admin and grid_leader: Settings → 两步验证要求).")
		fmt.Fprintln(out, "\nPress Ctrl+C to stop.")
	})
}

// publicURLFlag adds --public-url: the address residents reach the server
// at, which the QR codes of printed contact cards link to.
func publicURLFlag(fs *flag.FlagSet) *string {
	return fs.String("public-url", "", "address residents reach the server at, for the links on printed contact cards (default: the address of each request)")
}

// photoFlag adds --photo-decoders: how many photos the server decodes at
// once, across all requests (the memory they take is at most this many
// times 48 MB). Others wait up to visit.PhotoWait, then get 503.
func photoFlag(fs *flag.FlagSet) func() (*visit.PhotoSlots, error) {
	n := fs.Int("photo-decoders", visit.DefaultPhotoDecoders, "photos decoded at once across all requests, each taking up to 48 MB while it is decoded; others wait 10s, then get 503 with Retry-After")
	return func() (*visit.PhotoSlots, error) {
		if *n < 1 || *n > 64 {
			return nil, fmt.Errorf("--photo-decoders %d: give a number from 1 to 64", *n)
		}
		return visit.NewPhotoSlots(*n, visit.PhotoWait), nil
	}
}

func randomPassword() string {
	const letters = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 14)
	rand.Read(b)
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return string(b)
}

// stage prints a line as a step of the generation after the households
// begins, below the households' progress line.
// Each line but the last ends with the time its step took.
func stage(out io.Writer) func(what string) {
	var last time.Time
	return func(what string) {
		if !last.IsZero() {
			fmt.Fprintf(out, " %s", time.Since(last).Round(100*time.Millisecond))
		}
		last = time.Now()
		fmt.Fprintf(out, "\n  %s …", what)
	}
}

// progress prints a progress line that rewrites itself.
func progress(out io.Writer) func(done, total int) {
	start := time.Now()
	return func(done, total int) {
		fmt.Fprintf(out, "\r  %d / %d households (%d%%) %s", done, total, done*100/max(total, 1), time.Since(start).Round(time.Second))
	}
}
