package bicep

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestZZSmoke(t *testing.T) {
	files := os.Getenv("BICEP_SMOKE")
	if files == "" {
		t.Skip()
	}
	var params []string
	if p := os.Getenv("BICEP_PARAMS"); p != "" {
		params = strings.Split(p, ";")
	}
	rs, diags := Load(strings.Split(files, ","), Options{Params: params})
	for _, d := range diags {
		t.Log("DIAG", d.Error())
	}
	for _, r := range rs {
		b, _ := json.Marshal(r.Body["identity"])
		t.Logf("%s %s %s %v identity=%s", r.Provenance.Address, r.Type, r.Name, r.Assumptions, string(b))
	}
}
