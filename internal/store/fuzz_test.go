package store

import (
	"strings"
	"testing"
)

// FuzzReadJSON: any input is either a clear error naming the file or observations that Diff
// accepts, never a panic.
func FuzzReadJSON(f *testing.F) {
	f.Add(`{"schema":"lensix.scan/v1","results":[{"check_id":"c","status":"fail","resource":{"type":"t","name":"n","address":"a"},"source":{"kind":"terraform","file":"main.tf","line":3}}],"errors":[{"file":"x.tf","message":"m"}]}`)
	f.Add(`{"schema":"lensix.scan/v1","results":[{"status":"fail"}]}`)
	f.Add(`{"version":"2.1.0"}`)
	f.Add(`[`)
	f.Fuzz(func(t *testing.T, src string) {
		obs, blind, err := ReadJSON("report.json", strings.NewReader(src))
		if err != nil {
			if !strings.Contains(err.Error(), "report.json") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		Diff(obs, obs, blind)
	})
}
