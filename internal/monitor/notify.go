package monitor

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/store"
)

// NotificationSchema names the JSON the webhook and stdout channels send.
const NotificationSchema = "lensix.notification/v1"

// Notification is the JSON body of a webhook delivery and of a stdout line.
type Notification struct {
	Schema  string         `json:"schema"`
	SentAt  time.Time      `json:"sent_at"`
	Changes []ChangeRecord `json:"changes"`
}

// ChangeRecord is one finding's state change as notifications describe it.
type ChangeRecord struct {
	Kind        store.ChangeKind `json:"kind"`
	Target      string           `json:"target"`
	ScanID      int64            `json:"scan_id"`
	At          time.Time        `json:"at"`
	CheckID     string           `json:"check_id"`
	Severity    string           `json:"severity"`
	Title       string           `json:"title"`
	Message     string           `json:"message,omitempty"`
	State       store.State      `json:"state"`
	Resource    ResourceRecord   `json:"resource"`
	Remediation string           `json:"remediation,omitempty"`
}

// ResourceRecord names the resource of a change.
type ResourceRecord struct {
	ID            string `json:"id,omitempty"`
	Type          string `json:"type"`
	Name          string `json:"name"`
	ResourceGroup string `json:"resource_group,omitempty"`
	Subscription  string `json:"subscription,omitempty"`
	Address       string `json:"address,omitempty"`
	File          string `json:"file,omitempty"`
	Line          int    `json:"line,omitempty"`
}

// Remediation renders a check's remediation summary and CLI commands for a finding's resource.
func Remediation(f store.Finding) check.Remediation {
	c, ok := check.Lookup(f.CheckID)
	if !ok {
		return check.Remediation{}
	}
	target := check.TargetOf(&resource.Resource{Name: f.ResourceName, ResourceGroup: f.ResourceGroup, SubscriptionID: f.Subscription})
	rem, err := c.RenderFix(target)
	if err != nil {
		return check.Remediation{Summary: c.Remediation.Summary}
	}
	return rem
}

func recordOf(c store.Change) ChangeRecord {
	f := c.Finding
	rem := Remediation(f)
	return ChangeRecord{
		Kind: c.Kind, Target: f.Target, ScanID: c.ScanID, At: c.At.UTC(), CheckID: f.CheckID, Severity: f.Severity,
		Title: f.Title, Message: f.Message, State: f.State, Remediation: rem.Summary,
		Resource: ResourceRecord{ID: f.ResourceID, Type: f.ResourceType, Name: f.ResourceName, ResourceGroup: f.ResourceGroup,
			Subscription: f.Subscription, Address: f.Address, File: f.File, Line: f.Line},
	}
}

// Channel delivers notifications somewhere. Send is called from the channel's own goroutine and
// may block; it returns a *PermanentError when a retry cannot help.
type Channel interface {
	Name() string
	Send(ctx context.Context, changes []ChangeRecord) error
}

// PermanentError is a delivery failure that retrying will not fix (a 4xx other than 429).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// NotifierOptions tune delivery.
type NotifierOptions struct {
	// Digest, when positive, collects changes for this long and sends them as one message.
	Digest time.Duration
	// Attempts is how many times a delivery is tried (default 5); Backoff the first wait
	// between attempts (default 1s), doubled each time, with jitter.
	Attempts int
	Backoff  time.Duration
	// Queue is how many batches a channel may hold before new ones are dropped (default 256).
	Queue   int
	Logger  *slog.Logger
	Metrics *Metrics
}

// Notifier fans state changes out to channels. Each channel has its own queue and goroutine, so
// a slow or failing channel delays only itself and never the scans.
type Notifier struct {
	opts   NotifierOptions
	queues []*channelQueue

	mu   sync.Mutex
	sent map[string]store.ChangeKind // finding → last change notified, for deduplication
}

type channelQueue struct {
	ch    Channel
	in    chan []ChangeRecord
	done  chan struct{}
	batch []ChangeRecord
}

// NewNotifier starts one delivery goroutine per channel; Close stops them.
func NewNotifier(channels []Channel, opts NotifierOptions) *Notifier {
	if opts.Attempts <= 0 {
		opts.Attempts = 5
	}
	if opts.Backoff <= 0 {
		opts.Backoff = time.Second
	}
	if opts.Queue <= 0 {
		opts.Queue = 256
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	n := &Notifier{opts: opts, sent: map[string]store.ChangeKind{}}
	for _, c := range channels {
		q := &channelQueue{ch: c, in: make(chan []ChangeRecord, opts.Queue), done: make(chan struct{})}
		n.queues = append(n.queues, q)
		go n.deliver(q)
	}
	return n
}

// Notify queues a scan's changes for every channel without waiting. Changes covered by a
// suppression, and changes already notified for the same finding, are dropped.
func (n *Notifier) Notify(changes []store.Change) {
	var records []ChangeRecord
	n.mu.Lock()
	for _, c := range changes {
		if c.Finding.Suppression != nil {
			continue
		}
		id := c.Finding.Target + "\x00" + c.Finding.Key
		if n.sent[id] == c.Kind {
			continue
		}
		n.sent[id] = c.Kind
		records = append(records, recordOf(c))
	}
	n.mu.Unlock()
	if len(records) == 0 {
		return
	}
	for _, q := range n.queues {
		select {
		case q.in <- records:
		default:
			n.opts.Logger.Warn("notification queue full; changes dropped", "channel", q.ch.Name(), "changes", len(records))
			n.opts.Metrics.notificationDropped(q.ch.Name(), len(records))
		}
	}
}

// Close stops accepting changes, flushes pending digests and waits for deliveries in flight
// until ctx ends.
func (n *Notifier) Close(ctx context.Context) {
	for _, q := range n.queues {
		close(q.in)
	}
	for _, q := range n.queues {
		select {
		case <-q.done:
		case <-ctx.Done():
			return
		}
	}
}

func (n *Notifier) deliver(q *channelQueue) {
	defer close(q.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var tick <-chan time.Time
	if n.opts.Digest > 0 {
		t := time.NewTicker(n.opts.Digest)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case records, ok := <-q.in:
			if !ok {
				if len(q.batch) > 0 {
					n.send(ctx, q.ch, q.batch)
				}
				return
			}
			if n.opts.Digest <= 0 {
				for _, r := range records {
					n.send(ctx, q.ch, []ChangeRecord{r})
				}
				continue
			}
			q.batch = collapse(append(q.batch, records...))
		case <-tick:
			if len(q.batch) > 0 {
				n.send(ctx, q.ch, q.batch)
				q.batch = nil
			}
		}
	}
}

// collapse keeps each finding's latest change in a digest, in first-seen order.
func collapse(records []ChangeRecord) []ChangeRecord {
	index := map[string]int{}
	var out []ChangeRecord
	for _, r := range records {
		id := r.Target + "\x00" + r.CheckID + "\x00" + r.Resource.ID + "\x00" + r.Resource.File + "\x00" + r.Resource.Address
		if i, ok := index[id]; ok {
			out[i] = r
			continue
		}
		index[id] = len(out)
		out = append(out, r)
	}
	return out
}

// send delivers one message with retries and exponential backoff.
func (n *Notifier) send(ctx context.Context, ch Channel, records []ChangeRecord) {
	wait := n.opts.Backoff
	for attempt := 1; ; attempt++ {
		err := ch.Send(ctx, records)
		if err == nil {
			n.opts.Metrics.notificationSent(ch.Name(), "ok")
			return
		}
		var permanent *PermanentError
		if attempt >= n.opts.Attempts || errors.As(err, &permanent) {
			n.opts.Logger.Error("notification not delivered", "channel", ch.Name(), "attempts", attempt, "changes", len(records), "err", err)
			n.opts.Metrics.notificationSent(ch.Name(), "failed")
			return
		}
		n.opts.Logger.Warn("notification delivery failed; retrying", "channel", ch.Name(), "attempt", attempt, "err", err)
		time.Sleep(wait + rand.N(wait/2+1))
		wait *= 2
	}
}

// Sign returns the X-Lensix-Signature value for a webhook body sent at timestamp (Unix seconds):
// "sha256=" and the hex HMAC-SHA256 of "timestamp.body" keyed with the shared secret.
func Sign(secret []byte, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature checks a webhook delivery the way a receiver should: constant-time, and with
// the timestamp within tolerance of now so a captured delivery cannot be replayed later.
func VerifySignature(secret []byte, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) bool {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return false
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return false
	}
	return hmac.Equal([]byte(Sign(secret, timestamp, body)), []byte(signature))
}

// postJSON posts a JSON body and classifies the answer for retries.
func postJSON(ctx context.Context, client *http.Client, url string, body []byte, header http.Header) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return &PermanentError{err}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "lensix-monitor")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return fmt.Errorf("POST %s: %s", redactURL(url), resp.Status)
	default:
		return &PermanentError{fmt.Errorf("POST %s: %s", redactURL(url), resp.Status)}
	}
}

// redactURL keeps webhook URLs, which embed their secret in the path, out of logs.
func redactURL(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		if j := strings.IndexByte(u[i+3:], '/'); j >= 0 {
			return u[:i+3+j] + "/…"
		}
	}
	return u
}

// Webhook posts lensix.notification/v1 JSON, signed with HMAC-SHA256 when Secret is set.
type Webhook struct {
	URL    string
	Secret []byte
	Client *http.Client
	Now    func() time.Time
}

// Name implements Channel.
func (w *Webhook) Name() string { return "webhook" }

// Send implements Channel.
func (w *Webhook) Send(ctx context.Context, changes []ChangeRecord) error {
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	body, err := json.Marshal(Notification{Schema: NotificationSchema, SentAt: now().UTC(), Changes: changes})
	if err != nil {
		return &PermanentError{err}
	}
	header := http.Header{}
	if len(w.Secret) > 0 {
		ts := strconv.FormatInt(now().Unix(), 10)
		header.Set("X-Lensix-Timestamp", ts)
		header.Set("X-Lensix-Signature", Sign(w.Secret, ts, body))
	}
	return postJSON(ctx, clientOr(w.Client), w.URL, body, header)
}

func clientOr(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return &http.Client{Timeout: 30 * time.Second}
}

// headline says a change in one line of plain text.
func headline(r ChangeRecord) string {
	verb := map[store.ChangeKind]string{store.ChangeNew: "New failure", store.ChangeReopened: "Regression (reopened)", store.ChangeResolved: "Resolved"}[r.Kind]
	name := r.Resource.Name
	if r.Resource.ID != "" {
		name = r.Resource.ID
	} else if r.Resource.File != "" {
		name = fmt.Sprintf("%s (%s:%d)", r.Resource.Address, r.Resource.File, r.Resource.Line)
	}
	return fmt.Sprintf("%s [%s] %s: %s on %s", verb, r.Severity, r.CheckID, r.Title, name)
}

// slackEscape escapes the three characters Slack's mrkdwn treats as markup.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Slack posts to a Slack incoming webhook.
type Slack struct {
	URL    string
	Client *http.Client
}

// Name implements Channel.
func (s *Slack) Name() string { return "slack" }

// Send implements Channel.
func (s *Slack) Send(ctx context.Context, changes []ChangeRecord) error {
	var lines []string
	var blocks []map[string]any
	for _, r := range changes {
		text := slackEscape.Replace(headline(r))
		if r.Remediation != "" && r.Kind != store.ChangeResolved {
			text += "\n_Fix:_ " + slackEscape.Replace(r.Remediation)
		}
		lines = append(lines, slackEscape.Replace(headline(r)))
		blocks = append(blocks, map[string]any{"type": "section", "text": map[string]string{"type": "mrkdwn", "text": text}})
	}
	if len(blocks) > 50 { // Slack's limit per message
		blocks = append(blocks[:49], map[string]any{"type": "section", "text": map[string]string{"type": "mrkdwn", "text": fmt.Sprintf("…and %d more changes", len(changes)-49)}})
	}
	body, err := json.Marshal(map[string]any{"text": strings.Join(lines, "\n"), "blocks": blocks})
	if err != nil {
		return &PermanentError{err}
	}
	return postJSON(ctx, clientOr(s.Client), s.URL, body, nil)
}

// Teams posts an Adaptive Card message, the format Microsoft Teams incoming webhooks (Workflows
// and the older connectors) accept.
type Teams struct {
	URL    string
	Client *http.Client
}

// Name implements Channel.
func (t *Teams) Name() string { return "teams" }

// Send implements Channel.
func (t *Teams) Send(ctx context.Context, changes []ChangeRecord) error {
	body := []map[string]any{{"type": "TextBlock", "size": "Medium", "weight": "Bolder", "text": fmt.Sprintf("lensix: %d change(s)", len(changes)), "wrap": true}}
	for _, r := range changes {
		body = append(body, map[string]any{"type": "TextBlock", "text": headline(r), "wrap": true})
		if r.Remediation != "" && r.Kind != store.ChangeResolved {
			body = append(body, map[string]any{"type": "TextBlock", "text": "Fix: " + r.Remediation, "wrap": true, "isSubtle": true})
		}
	}
	msg := map[string]any{
		"type": "message",
		"attachments": []map[string]any{{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"content": map[string]any{
				"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
				"type":    "AdaptiveCard",
				"version": "1.4",
				"body":    body,
			},
		}},
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return &PermanentError{err}
	}
	return postJSON(ctx, clientOr(t.Client), t.URL, data, nil)
}

// Lines writes each notification as one JSON line, for log pipelines.
type Lines struct {
	W  io.Writer
	mu sync.Mutex
}

// Name implements Channel.
func (l *Lines) Name() string { return "stdout" }

// Send implements Channel.
func (l *Lines) Send(_ context.Context, changes []ChangeRecord) error {
	data, err := json.Marshal(Notification{Schema: NotificationSchema, SentAt: time.Now().UTC(), Changes: changes})
	if err != nil {
		return &PermanentError{err}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, err = l.W.Write(append(data, '\n'))
	return err
}
