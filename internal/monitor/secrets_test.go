package monitor

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lensix/lensix/internal/check"
)

func TestNotificationsCarryNoSecret(t *testing.T) {
	const secret = "S3cretViaVarDefault"
	tests := []struct {
		name     string
		identity string
		resName  string
	}{
		{"a sensitive variable in identity.type is redacted in the notification", "local.s", `"apim-prod"`},
		{"a sensitive variable in the service name is redacted in the notification", `"None"`, `"apim-${var.secret}"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := `variable "secret" {
  type      = string
  sensitive = true
  default   = "` + secret + `"
}
locals { s = var.secret }
resource "azurerm_api_management" "prod" {
  name                = ` + tt.resName + `
  location            = "westeurope"
  resource_group_name = "rg-apim"
  publisher_name      = "Contoso"
  publisher_email     = "apim@contoso.com"
  sku_name            = "Developer_1"
  identity {
    type = ` + tt.identity + `
  }
}
`
			if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			hook := newReceiver(t)
			notifier := NewNotifier([]Channel{&Webhook{URL: hook.URL, Secret: []byte("shared")}}, NotifierOptions{Backoff: time.Millisecond})
			defer notifier.Close(context.Background())
			m, err := New([]Target{{Name: "infra", Paths: []string{dir}, Schedule: Every(time.Hour)}},
				Options{Store: newStore(t), IaC: IaCScanner{Checks: check.All()}, Notifier: notifier, Metrics: NewMetrics(nil)})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := m.ScanNow(context.Background(), "infra"); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the notification", func() bool { b, _ := hook.received(); return len(b) >= 1 })
			bodies, _ := hook.received()
			for _, b := range bodies {
				if bytes.Contains(b, []byte(secret)) {
					t.Errorf("notification holds the secret: %s", b)
				}
				if !bytes.Contains(b, []byte(`\u003credacted\u003e`)) && !bytes.Contains(b, []byte("<redacted>")) {
					t.Errorf("notification does not show where the secret was: %s", b)
				}
			}
		})
	}
}
