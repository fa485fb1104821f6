package report

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// junitIn is what a JUnit consumer reads back.
type junitIn struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func readJUnit(t *testing.T, r *Report) junitIn {
	t.Helper()
	raw := writeString(t, "junit", r, Options{WorkDir: testWorkDir})
	var in junitIn
	if err := xml.Unmarshal([]byte(raw), &in); err != nil {
		t.Fatalf("JUnit output does not parse: %v\n%s", err, raw)
	}
	return in
}

func TestJUnitParsesBackWithCounts(t *testing.T) {
	in := readJUnit(t, fixtureReport())
	if in.Tests != 7 || in.Failures != 2 || in.Errors != 1 || in.Skipped != 3 {
		t.Errorf("totals tests=%d failures=%d errors=%d skipped=%d, want 7/2/1/3", in.Tests, in.Failures, in.Errors, in.Skipped)
	}
	if len(in.Suites) != 3 || in.Suites[0].Name != "apimgmt_nomanagedidentity" || in.Suites[1].Name != "apimgmt_publicnetworkaccess" || in.Suites[2].Name != junitErrorSuite {
		t.Fatalf("suites %+v", in.Suites)
	}
	cases := map[string]int{}
	suite := in.Suites[0]
	for i, c := range suite.Cases {
		cases[c.Name] = i
	}
	t.Run("a failure carries its message, severity and fix", func(t *testing.T) {
		c := suite.Cases[cases["azurerm_api_management.this"]]
		if c.Classname != "infra/main.tf" || c.Failure == nil || c.Failure.Type != "medium" {
			t.Fatalf("case %+v", c)
		}
		for _, want := range []string{"assumption: var.sku: default value used", "az apim update --name apim-prod", "location: infra/main.tf:12"} {
			if !strings.Contains(c.Failure.Text, want) {
				t.Errorf("failure body lacks %q:\n%s", want, c.Failure.Text)
			}
		}
	})
	t.Run("a pass is an empty test case", func(t *testing.T) {
		c := suite.Cases[cases["azurerm_api_management.ok"]]
		if c.Failure != nil || c.Skipped != nil || c.Error != nil {
			t.Errorf("case %+v", c)
		}
	})
	t.Run("unknown and suppressed are skipped with a message saying which", func(t *testing.T) {
		if m := suite.Cases[cases["apim"]].Skipped; m == nil || !strings.HasPrefix(m.Message, "unknown: identity.type") {
			t.Errorf("unknown: %+v", m)
		}
		if m := suite.Cases[cases["azurerm_api_management.legacy"]].Skipped; m == nil || !strings.HasPrefix(m.Message, "suppressed (inline: retired next quarter)") {
			t.Errorf("inline suppression: %+v", m)
		}
		if m := suite.Cases[cases[`module.edge.azurerm_api_management.this["west"]`]].Skipped; m == nil || !strings.Contains(m.Message, "expires 2027-01-31") {
			t.Errorf("config suppression: %+v", m)
		}
	})
	t.Run("a live resource is classed by its resource ID", func(t *testing.T) {
		c := suite.Cases[cases["apim-live"]]
		if !strings.HasPrefix(c.Classname, "/subscriptions/") || c.Failure == nil {
			t.Errorf("case %+v", c)
		}
	})
	t.Run("input errors are test cases with an error", func(t *testing.T) {
		c := in.Suites[2].Cases[0]
		if c.Name != "infra/broken.tf:3:7" || c.Error == nil || c.Error.Message != "Unclosed configuration block" {
			t.Errorf("case %+v", c)
		}
	})
}

func TestJUnitCarriesHostileNamesSafely(t *testing.T) {
	r := hostileReport()
	name := r.Findings[0].Resource.Name
	in := readJUnit(t, r)
	c := in.Suites[0].Cases[0]
	// encoding/xml replaces ESC, which XML cannot carry, with U+FFFD; everything else round-trips.
	want := "azurerm_api_management." + strings.ReplaceAll(name, "\x1b", "\uFFFD")
	if c.Name != want {
		t.Errorf("name round-tripped as %q, want %q", c.Name, want)
	}
	if c.Classname != "infra/evil <&>.tf" {
		t.Errorf("classname %q", c.Classname)
	}
	if c.Failure == nil || !strings.Contains(c.Failure.Text, `resource: azurerm_api_management.<script>&"|x|`) {
		t.Errorf("failure body lost the name: %+v", c.Failure)
	}
}

func TestJUnitBodiesSurviveCDATATerminators(t *testing.T) {
	r := hostileReport()
	r.Findings[0].Message = "value ]]> <![CDATA[ injected"
	in := readJUnit(t, r)
	if f := in.Suites[0].Cases[0].Failure; f == nil || !strings.Contains(f.Text, "message: value ]]> <![CDATA[ injected") {
		t.Errorf("failure body %+v", f)
	}
}

func TestJUnitStaysWellFormedWhereASecretIsMasked(t *testing.T) {
	rep := fixtureReport()
	rep.Secrets = []string{"rg-live"} // stands in classname attributes and in CDATA
	out := writeString(t, "junit", rep, Options{WorkDir: testWorkDir})
	if strings.Contains(out, "rg-live") {
		t.Fatalf("the secret is not masked:\n%s", out)
	}
	dec := xml.NewDecoder(strings.NewReader(out))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("the masked report is not well-formed XML: %v", err)
		}
	}
}
