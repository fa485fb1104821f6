package monitor

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/lensix/lensix/internal/checks" // remediation text comes from the registered checks
	"github.com/lensix/lensix/internal/store"
)

// receiver is a local webhook endpoint that records what it was sent.
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	bodies  [][]byte
	headers []http.Header
	fail    atomic.Int32 // answer 503 this many more times
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if r.fail.Add(-1) >= 0 {
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, body)
		r.headers = append(r.headers, req.Header.Clone())
		r.mu.Unlock()
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) received() ([][]byte, []http.Header) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.bodies...), append([]http.Header(nil), r.headers...)
}

// signedChanges returns the changes of every delivery so far, in order, failing the test for a
// delivery not signed with secret.
func (r *receiver) signedChanges(t *testing.T, secret []byte) []ChangeRecord {
	t.Helper()
	bodies, headers := r.received()
	var changes []ChangeRecord
	for i, b := range bodies {
		if !VerifySignature(secret, headers[i].Get("X-Lensix-Timestamp"), headers[i].Get("X-Lensix-Signature"), b, time.Now(), time.Minute) {
			t.Errorf("delivery %d is not signed with the shared secret", i)
		}
		var msg Notification
		json.Unmarshal(b, &msg)
		changes = append(changes, msg.Changes...)
	}
	return changes
}

// waitFor polls until cond holds or a few seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func change(kind store.ChangeKind, key string) store.Change {
	return store.Change{Kind: kind, ScanID: 1, At: time.Unix(1000, 0), Finding: store.Finding{Target: "infra", State: store.Open,
		Observation: store.Observation{Key: key, CheckID: "apimgmt_nomanagedidentity", Severity: "medium", Title: "API Management service has no managed identity",
			ResourceType: "Microsoft.ApiManagement/service", ResourceName: "apim-<b>&", ResourceGroup: "rg", Address: "azurerm_api_management." + key, File: "main.tf", Line: 3}}}
}

func TestWebhookIsSignedAndVerifiable(t *testing.T) {
	r := newReceiver(t)
	secret := []byte("s3cret")
	n := NewNotifier([]Channel{&Webhook{URL: r.URL, Secret: secret}}, NotifierOptions{Backoff: time.Millisecond})
	n.Notify([]store.Change{change(store.ChangeNew, "a")})
	n.Close(context.Background())

	bodies, headers := r.received()
	if len(bodies) != 1 {
		t.Fatalf("receiver got %d deliveries, want 1", len(bodies))
	}
	ts, sig := headers[0].Get("X-Lensix-Timestamp"), headers[0].Get("X-Lensix-Signature")
	if !VerifySignature(secret, ts, sig, bodies[0], time.Now(), time.Minute) {
		t.Errorf("signature %q over timestamp %q does not verify", sig, ts)
	}
	if VerifySignature([]byte("wrong"), ts, sig, bodies[0], time.Now(), time.Minute) {
		t.Error("signature verifies with the wrong secret")
	}
	if VerifySignature(secret, ts, sig, append(bodies[0], ' '), time.Now(), time.Minute) {
		t.Error("signature verifies over a changed body")
	}
	if VerifySignature(secret, ts, sig, bodies[0], time.Now().Add(time.Hour), time.Minute) {
		t.Error("an hour-old delivery verifies: replays are possible")
	}
	var msg Notification
	if err := json.Unmarshal(bodies[0], &msg); err != nil {
		t.Fatal(err)
	}
	if msg.Schema != NotificationSchema || len(msg.Changes) != 1 || msg.Changes[0].Kind != store.ChangeNew || msg.Changes[0].Resource.Name != "apim-<b>&" {
		t.Errorf("delivered %+v", msg)
	}
	if !strings.Contains(msg.Changes[0].Remediation, "managed identity") {
		t.Errorf("remediation %q does not come from the check", msg.Changes[0].Remediation)
	}
}

func TestDeliveryRetriesWithBackoffThenSucceeds(t *testing.T) {
	r := newReceiver(t)
	r.fail.Store(2)
	n := NewNotifier([]Channel{&Webhook{URL: r.URL}}, NotifierOptions{Backoff: time.Millisecond, Attempts: 3})
	n.Notify([]store.Change{change(store.ChangeNew, "a")})
	n.Close(context.Background())
	if bodies, _ := r.received(); len(bodies) != 1 {
		t.Errorf("got %d deliveries after two 503s, want 1", len(bodies))
	}
}

func TestNotificationsAreDeduplicatedPerFinding(t *testing.T) {
	var out bytes.Buffer
	n := NewNotifier([]Channel{&Lines{W: &out}}, NotifierOptions{})
	n.Notify([]store.Change{change(store.ChangeNew, "a")})
	n.Notify([]store.Change{change(store.ChangeNew, "a")}) // the same change again
	suppressed := change(store.ChangeNew, "b")
	suppressed.Finding.Suppression = &store.Suppression{Who: "ana", Why: "accepted"}
	n.Notify([]store.Change{suppressed})
	n.Notify([]store.Change{change(store.ChangeResolved, "a")})
	n.Close(context.Background())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"kind":"new"`) || !strings.Contains(lines[1], `"kind":"resolved"`) {
		t.Errorf("stdout lines = %q; want one new and one resolved", lines)
	}
}

func TestDigestSendsOneMessageWithEachFindingsLatestChange(t *testing.T) {
	r := newReceiver(t)
	n := NewNotifier([]Channel{&Webhook{URL: r.URL}}, NotifierOptions{Digest: time.Hour})
	n.Notify([]store.Change{change(store.ChangeNew, "a"), change(store.ChangeNew, "b")})
	n.Notify([]store.Change{change(store.ChangeResolved, "a")})
	n.Close(context.Background()) // flushes the digest
	bodies, _ := r.received()
	if len(bodies) != 1 {
		t.Fatalf("got %d deliveries, want one digest", len(bodies))
	}
	var msg Notification
	json.Unmarshal(bodies[0], &msg)
	var got []string
	for _, c := range msg.Changes {
		got = append(got, string(c.Kind)+":"+c.Resource.Address)
	}
	if s := strings.Join(got, " "); s != "resolved:azurerm_api_management.a new:azurerm_api_management.b" {
		t.Errorf("digest = %q", s)
	}
}

func TestSlackAndTeamsPayloads(t *testing.T) {
	slack, teams := newReceiver(t), newReceiver(t)
	n := NewNotifier([]Channel{&Slack{URL: slack.URL}, &Teams{URL: teams.URL}}, NotifierOptions{})
	c := change(store.ChangeReopened, "a")
	c.Finding.Address = "module.<b>&.apim"
	n.Notify([]store.Change{c})
	n.Close(context.Background())

	bodies, _ := slack.received()
	var s struct {
		Text   string
		Blocks []struct {
			Type string
			Text struct{ Type, Text string }
		}
	}
	if len(bodies) != 1 || json.Unmarshal(bodies[0], &s) != nil || len(s.Blocks) != 1 || s.Blocks[0].Text.Type != "mrkdwn" {
		t.Fatalf("slack got %s", bodies)
	}
	if !strings.Contains(s.Text, "Regression (reopened)") || !strings.Contains(s.Text, "module.&lt;b&gt;&amp;.apim (main.tf:3)") {
		t.Errorf("slack text %q: want the regression, with <, > and & escaped", s.Text)
	}
	if bytes.Contains(bodies[0], []byte("<b>")) {
		t.Errorf("slack payload carries unescaped markup: %s", bodies[0])
	}

	bodies, _ = teams.received()
	var m struct {
		Type        string
		Attachments []struct {
			ContentType string
			Content     struct {
				Type string
				Body []struct{ Text string }
			}
		}
	}
	if len(bodies) != 1 || json.Unmarshal(bodies[0], &m) != nil || m.Type != "message" || len(m.Attachments) != 1 ||
		m.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" || m.Attachments[0].Content.Type != "AdaptiveCard" {
		t.Fatalf("teams got %s", bodies)
	}
	if !strings.Contains(m.Attachments[0].Content.Body[1].Text, "Regression (reopened)") {
		t.Errorf("teams card body %+v", m.Attachments[0].Content.Body)
	}
}

// blockingChannel never returns until released, like a webhook that hangs.
type blockingChannel struct{ release chan struct{} }

func (b *blockingChannel) Name() string { return "stuck" }
func (b *blockingChannel) Send(ctx context.Context, _ []ChangeRecord) error {
	<-b.release
	return nil
}

func TestAStuckChannelNeverBlocksNotify(t *testing.T) {
	stuck := &blockingChannel{release: make(chan struct{})}
	var out bytes.Buffer
	lines := &Lines{W: &out}
	n := NewNotifier([]Channel{stuck, lines}, NotifierOptions{Queue: 2})
	done := make(chan struct{})
	go func() {
		for i := 0; i < 100; i++ {
			n.Notify([]store.Change{change(store.ChangeNew, "k"+string(rune('a'+i%26))+string(rune('a'+i/26)))})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Notify blocked behind a stuck channel")
	}
	close(stuck.release)
	n.Close(context.Background())
	lines.mu.Lock()
	defer lines.mu.Unlock()
	if got := strings.Count(out.String(), "\n"); got == 0 {
		t.Error("the healthy channel delivered nothing while the other was stuck")
	}
}

func TestDigestIsSentWhenItsIntervalEnds(t *testing.T) {
	r := newReceiver(t)
	n := NewNotifier([]Channel{&Webhook{URL: r.URL}}, NotifierOptions{Digest: 50 * time.Millisecond})
	defer n.Close(context.Background())
	n.Notify([]store.Change{change(store.ChangeNew, "a")})
	n.Notify([]store.Change{change(store.ChangeNew, "b")})
	waitFor(t, "the digest", func() bool { b, _ := r.received(); return len(b) == 1 })
	bodies, _ := r.received()
	var msg Notification
	json.Unmarshal(bodies[0], &msg)
	if len(msg.Changes) != 2 {
		t.Errorf("digest holds %d changes, want 2", len(msg.Changes))
	}
}
