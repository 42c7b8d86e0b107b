package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/notify"
)

// AnchorKind and AnchorChannel are the kind and the outbox channel of the
// daily anchors sent to the anchor webhook.
const (
	AnchorKind    = "audit.anchor"
	AnchorChannel = "audit.anchor"
)

// AnchorSender posts anchors to URL, the body the anchor's JSON exactly
// as `wanhu audit anchor` writes it, so a receiver can keep it as the file
// `wanhu audit verify --anchor` reads. It signs like notify.WebhookSender:
// X-Wanhu-Signature is "sha256=" and the hex HMAC-SHA256 with Secret of
// "<X-Wanhu-Timestamp>.<body>" (notify.Sign); X-Wanhu-Event is
// "audit.anchor". A 2xx answer means sent. As a notify.Sender it delivers
// the anchors AnchorDay puts in the outbox, with its retries.
type AnchorSender struct {
	URL, Secret string
	Now         func() time.Time // time.Now when nil
}

// anchorClient posts anchors; its timeout stays far below the outbox's
// lease.
var anchorClient = &http.Client{Timeout: 15 * time.Second}

// Channel is AnchorChannel.
func (s AnchorSender) Channel() string { return AnchorChannel }

// Send posts the anchor of an outbox message.
func (s AnchorSender) Send(ctx context.Context, d notify.Delivery) error {
	a, err := ReadAnchor(bytes.NewReader(d.Payload))
	if err != nil {
		return err
	}
	return s.post(ctx, a, strconv.FormatInt(d.ID, 10))
}

// SendAnchor posts a now, without the outbox.
func (s AnchorSender) SendAnchor(ctx context.Context, a Anchor) error { return s.post(ctx, a, "") }

func (s AnchorSender) post(ctx context.Context, a Anchor, delivery string) error {
	body, err := json.Marshal(a)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return errors.New("anchor webhook: bad address")
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	ts := strconv.FormatInt(now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("X-Wanhu-Event", AnchorKind)
	req.Header.Set("X-Wanhu-Timestamp", ts)
	req.Header.Set("X-Wanhu-Signature", "sha256="+notify.Sign(s.Secret, ts, body))
	if delivery != "" {
		req.Header.Set("X-Wanhu-Delivery", delivery)
	}
	resp, err := anchorClient.Do(req)
	if err != nil {
		// The address may carry a key in its query: never repeat it.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("anchor webhook: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("anchor webhook: HTTP %d", resp.StatusCode)
	}
	return nil
}

// AnchorOptions tune StartAnchors; zero values take the defaults.
type AnchorOptions struct {
	// Send puts each daily anchor into the outbox for the anchor webhook
	// (give notify.Run an AnchorSender).
	Send bool
	// Interval is how often the loop looks whether today's anchor is
	// taken (10 min).
	Interval time.Duration
	// Tick, for tests, wakes the loop instead of a ticker of Interval; the
	// day of each tick is the day anchored.
	Tick <-chan time.Time
	Log  *slog.Logger
}

// StartAnchors takes today's anchor of the log (keying the log first if an
// older Wanhu chained it), then in the background the anchor of each China
// day, within Interval after midnight, until ctx ends or stop is called;
// call stop before closing the database. Several servers may run it on one
// database: the anchor of a day is taken once (AnchorDay). Each anchor also
// goes to the log, which often lives on another machine.
func StartAnchors(ctx context.Context, l *Log, opts AnchorOptions) (stop func(), err error) {
	if opts.Interval <= 0 {
		opts.Interval = 10 * time.Minute
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if err := anchorDay(ctx, l, l.now(), opts); err != nil {
		return nil, err
	}
	tick := opts.Tick
	var ticker *time.Ticker
	if tick == nil {
		ticker = time.NewTicker(opts.Interval)
		tick = ticker.C
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tick:
				if err := anchorDay(ctx, l, now, opts); err != nil && ctx.Err() == nil {
					opts.Log.Error("audit: anchoring the log", "err", err)
				}
			}
		}
	}()
	return func() {
		cancel()
		<-done
		if ticker != nil {
			ticker.Stop()
		}
	}, nil
}

// anchorDay takes the anchor of the China day of now, unless taken, and
// logs it.
func anchorDay(ctx context.Context, l *Log, now time.Time, opts AnchorOptions) error {
	day := now.In(calendar.China).Format(time.DateOnly)
	a, made, err := l.AnchorDay(ctx, day, opts.Send)
	if err != nil {
		return fmt.Errorf("audit: anchor of %s: %w", day, err)
	}
	if made {
		opts.Log.Info("audit: anchored the log", "day", day, "id", a.ID, "hash", a.Hash, "count", a.Count,
			"at", a.At.Format(time.RFC3339), "sent", opts.Send)
	}
	return nil
}
