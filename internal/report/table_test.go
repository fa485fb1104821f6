package report

import (
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/diag"
)

func TestTableColor(t *testing.T) {
	plain := writeString(t, "table", fixtureReport(), Options{WorkDir: testWorkDir})
	colored := writeString(t, "table", fixtureReport(), Options{WorkDir: testWorkDir, Color: true})
	if strings.Contains(plain, "\x1b") {
		t.Error("plain table contains escape sequences")
	}
	if !strings.Contains(colored, ansiBold+ansiRed+"FAIL") {
		t.Error("colored table does not paint failures red")
	}
	if stripANSI(colored) != plain {
		t.Errorf("colored table says something the plain one does not:\n%s", firstDifference(plain, stripANSI(colored)))
	}
}

// stripANSI removes the SGR sequences the table writes.
func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && s[j] != 'm' {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func TestTableContents(t *testing.T) {
	out := writeString(t, "table", fixtureReport(), Options{WorkDir: testWorkDir})
	for _, want := range []string{
		"assumed: var.sku: default value used",
		"az apim update --name apim-prod --resource-group rg-prod --set identity.type=SystemAssigned",
		"identityType (parameter identityType has no value)",
		"suppressed: inline: retired next quarter (the check said fail)",
		"suppressed: config, expires 2027-01-31: edge gateways use certificates",
		"infra/broken.tf:3:7: error: Unclosed configuration block",
		"Summary: 6 resources, 2 failed, 1 unknown, 2 suppressed, 1 passed, 1 input error, 0 warnings\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q", want)
		}
	}
	// Only failures show a fix: suppressed and unknown findings do not ask for action now.
	if n := strings.Count(out, "fix: "); n != 2 {
		t.Errorf("%d fixes shown, want 2 (one per failure)", n)
	}
}

func TestTableGrouping(t *testing.T) {
	byStatus := writeString(t, "table", fixtureReport(), Options{WorkDir: testWorkDir, GroupBy: GroupByStatus})
	order := []string{"FAIL (2)", "UNKNOWN (1)", "SUPPRESSED (2)", "PASS (1)"}
	last := -1
	for _, h := range order {
		i := strings.Index(byStatus, h+"\n")
		if i < 0 || i < last {
			t.Fatalf("group %q missing or out of order in\n%s", h, byStatus)
		}
		last = i
	}
	byFile := writeString(t, "table", fixtureReport(), Options{WorkDir: testWorkDir})
	for _, h := range []string{"infra/main.tf\n", "infra/apim.bicep\n", "modules/edge/main.tf\n", "Azure subscription 00000000-0000-0000-0000-000000000001\n"} {
		if !strings.Contains(byFile, h) {
			t.Errorf("group %q missing", h)
		}
	}
	if err := Write(&strings.Builder{}, "table", fixtureReport(), Options{GroupBy: "severity"}); err == nil {
		t.Error("an unknown grouping should be an error")
	}
}

func TestTableStripsControlCharactersFromInput(t *testing.T) {
	out := writeString(t, "table", hostileReport(), Options{WorkDir: testWorkDir})
	if strings.Contains(out, "\x1b") {
		t.Errorf("hostile name reached the terminal with its escape sequence: %q", out)
	}
}

func TestTableOfNothing(t *testing.T) {
	out := writeString(t, "table", &Report{}, Options{})
	if !strings.Contains(out, "No resources matched a check.") || !strings.Contains(out, "Summary: 0 resources") {
		t.Errorf("empty table:\n%s", out)
	}
}

func TestInputProblemsAreHeadedByTheWorstOfThem(t *testing.T) {
	warning := diag.Diagnostic{Severity: diag.Warning, Summary: "The deployment would fail here"}
	failure := diag.Diagnostic{Severity: diag.Error, Summary: "Invalid JSON"}
	tests := []struct {
		name   string
		errors diag.Diagnostics
		want   map[string]string // format → heading
		absent string
	}{
		{"warnings alone are headed as warnings, not as missing results", diag.Diagnostics{warning},
			map[string]string{"table": "\nWarnings\n", "markdown": "### Warnings"}, "may be missing"},
		{"an error among warnings says results may be missing", diag.Diagnostics{warning, failure},
			map[string]string{"table": "Input errors (results for these inputs may be missing)", "markdown": "### Input errors"}, "### Warnings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for format, heading := range tt.want {
				out := writeString(t, format, &Report{Errors: tt.errors}, Options{})
				if !strings.Contains(out, heading) || strings.Contains(out, tt.absent) {
					t.Errorf("%s: want %q and no %q in:\n%s", format, heading, tt.absent, out)
				}
			}
		})
	}
}

func TestFirstCommands(t *testing.T) {
	cases := []struct {
		name string
		cli  string
		want []string
		more bool
	}{
		{"one command after a comment", "# Enable it\naz apim update --name a", []string{"az apim update --name a"}, false},
		{"later paragraphs are further steps", "# Fix\naz a\n\n# Then\nx=$(az b)\naz c \\\n  --flag", []string{"az a"}, true},
		{"a continued command stays whole", "az role assignment create \\\n  --role r", []string{"az role assignment create \\", "  --role r"}, false},
		{"a paragraph of comments only is skipped", "# only words\n\naz a", []string{"az a"}, false},
		{"no commands at all", "", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, more := firstCommands(tc.cli)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") || more != tc.more {
				t.Errorf("firstCommands = %q, %v; want %q, %v", got, more, tc.want, tc.more)
			}
		})
	}
}
