package monitor

import (
	"context"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// chromium finds a headless-capable Chromium; CI installs Debian's `chromium` package.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium on PATH (apt-get install -y chromium); skipping the browser test")
	return ""
}

// TestDashboardInHeadlessChromium renders the dashboard in a real browser against a server on
// 127.0.0.1 and reads back the DOM the browser built: the findings table and the chart are
// there, and a resource named <script>alert(1)</script> is text, not an element.
func TestDashboardInHeadlessChromium(t *testing.T) {
	browser := chromium(t)
	h, err := NewServer(ServerOptions{Store: seed(t)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h) // listens on 127.0.0.1
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	dump := func(url string) string {
		cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
			"--no-first-run", "--user-data-dir="+t.TempDir(), "--dump-dom", url)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s --dump-dom %s: %v", browser, url, err)
		}
		return string(out)
	}

	dom := dump(srv.URL + "/")
	for _, want := range []string{`<table id="findings">`, `<svg id="timeline"`, `<rect class="opened"`, "apim-prod", "reopened",
		"az apim update --name apim-prod --resource-group rg"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered dashboard lacks %q", want)
		}
	}
	if !strings.Contains(dom, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the resource name <script>alert(1)</script> is not shown as text")
	}
	if strings.Contains(dom, "<script>alert(1)</script>") || strings.Contains(dom, "<script") {
		t.Error("the rendered page contains a script element")
	}

	page := dump(srv.URL + "/resource?id=" + strings.ReplaceAll(apimID, "/", "%2F"))
	if !strings.Contains(page, `<table id="history">`) || strings.Count(page, `class="state-reopened"`) < 1 {
		t.Errorf("the resource page does not show the history:\n%s", page)
	}
}
