package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
)

// SARIF 2.1.0 as GitHub code scanning ingests it (docs: "SARIF support for code scanning"; the
// GH10xx ingestion rules of the SARIF multitool): every result location needs a physical location
// with a relative (or file:) artifact URI and a region with startLine, rules need
// shortDescription, fullDescription and help.text, and a file holds at most 20 runs and 25,000
// results per run. Passes are omitted: code scanning expects problems only.

const (
	sarifSchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	srcRoot        = "%SRCROOT%"
	// fingerprintKey names lensix's partial fingerprint; bump the version if its inputs change.
	fingerprintKey = "lensix/v1"
	// liveURIPrefix roots the relative artifact URI given to live resources, which have no file:
	// GitHub rejects a whole SARIF file when one result has only a logical location.
	liveURIPrefix = "azure"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                   `json:"tool"`
	Invocations        []sarifInvocation           `json:"invocations"`
	OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds,omitempty"`
	Results            []sarifResult               `json:"results"`
	ColumnKind         string                      `json:"columnKind"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name"`
	ShortDescription     sarifText          `json:"shortDescription"`
	FullDescription      sarifText          `json:"fullDescription"`
	Help                 sarifText          `json:"help"`
	HelpURI              string             `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	Properties           sarifRuleProps     `json:"properties"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags             []string `json:"tags"`
	Precision        string   `json:"precision"`
	SecuritySeverity string   `json:"security-severity"`
	ResourceTypes    []string `json:"resourceTypes,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          *sarifResultProps  `json:"properties,omitempty"`
}

type sarifResultProps struct {
	Status      check.Status      `json:"lensixStatus"`
	Evidence    map[string]string `json:"evidence,omitempty"`
	Assumptions []string          `json:"assumptions,omitempty"`
	Notes       []string          `json:"notes,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           *sarifRegion     `json:"region,omitempty"`
}

type sarifArtifactLoc struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
}

type sarifLogical struct {
	Name               string `json:"name,omitempty"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification,omitempty"`
}

// writeSARIF writes one SARIF 2.1.0 run: a rule per check that ran, a result per failing,
// unknown or suppressed finding, and input errors as tool execution notifications.
func writeSARIF(w io.Writer, r *Report, opts Options) error {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           "lensix",
			Version:        r.Version,
			InformationURI: projectURL,
			Rules:          []sarifRule{},
		}},
		// Input errors are error-level notifications, not a failed execution: GitHub code scanning
		// rejects the whole upload of an unsuccessful one (github/codeql-action#1393, #1732).
		Invocations: []sarifInvocation{{ExecutionSuccessful: true}},
		Results:     []sarifResult{},
		// hcl and our parsers count columns in characters.
		ColumnKind: "unicodeCodePoints",
	}
	if base := dirURI(opts.sourceRoot()); base != "" {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLoc{srcRoot: {URI: base}}
	}
	ruleIndex := map[string]int{}
	for _, c := range sortedChecks(r) {
		rule, err := sarifRuleOf(c)
		if err != nil {
			return err
		}
		ruleIndex[c.ID] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, rule)
	}
	for _, f := range sortedFindings(r) {
		if verdict(f) == check.Pass {
			continue
		}
		run.Results = append(run.Results, sarifResultOf(f, ruleIndex[f.Check.ID], opts))
	}
	for _, d := range r.Errors {
		run.Invocations[0].ToolExecutionNotifications = append(run.Invocations[0].ToolExecutionNotifications, sarifNotificationOf(d, opts))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: sarifSchemaURI, Version: "2.1.0", Runs: []sarifRun{run}})
}

func sarifRuleOf(c *check.Check) (sarifRule, error) {
	// Rules are not about one resource: templates show the placeholders a reader fills in.
	rem, err := c.Fix(&resource.Resource{})
	if err != nil {
		return sarifRule{}, fmt.Errorf("check %s: render remediation: %w", c.ID, err)
	}
	// Policy definitions have a description and nothing else: empty sections are left out.
	var paras []string
	if c.Rationale != "" {
		paras = append(paras, c.Rationale)
	}
	if summary := fixSummary(c, rem); summary != "" {
		paras = append(paras, "How to fix: "+summary)
	}
	if rem.CLI != "" {
		paras = append(paras, "Azure CLI:\n"+rem.CLI)
	}
	text := strings.Join(paras, "\n\n")
	var md strings.Builder
	md.WriteString(c.Description + "\n")
	if c.Rationale != "" {
		fmt.Fprintf(&md, "\n**Why it matters.** %s\n", c.Rationale)
	}
	if rem.Summary != "" {
		fmt.Fprintf(&md, "\n**How to fix.** %s\n", rem.Summary)
	}
	for _, block := range []struct{ title, lang, body string }{
		{"Azure CLI", "sh", rem.CLI}, {"Terraform", "hcl", rem.Terraform}, {"Bicep", "bicep", rem.Bicep}, {"ARM template", "json", rem.ARM},
	} {
		if block.body != "" {
			fence := codeFence(block.body)
			fmt.Fprintf(&md, "\n**%s**\n\n%s%s\n%s\n%s\n", block.title, fence, block.lang, block.body, fence)
		}
	}
	if len(c.References) > 0 {
		md.WriteString("\n**References**\n\n")
		for _, ref := range c.References {
			fmt.Fprintf(&md, "- %s\n", ref)
		}
	}
	return sarifRule{
		ID:                   c.ID,
		Name:                 c.Title,
		ShortDescription:     sarifText{Text: c.Title},
		FullDescription:      sarifText{Text: c.Description},
		Help:                 sarifText{Text: text, Markdown: md.String()},
		HelpURI:              helpURL(c),
		DefaultConfiguration: sarifConfiguration{Level: sarifLevel(c.Severity)},
		Properties: sarifRuleProps{
			// "security" makes GitHub treat the rule as a security rule, ranked by security-severity.
			Tags:             []string{"security", "azure", "iac", "misconfiguration"},
			Precision:        "very-high",
			SecuritySeverity: securitySeverity(c.Severity),
			ResourceTypes:    c.ResourceTypes,
		},
	}, nil
}

// sarifLevel maps a severity to the level GitHub shows: error for high and critical.
func sarifLevel(s check.Severity) string {
	if s >= check.High {
		return "error"
	}
	return "warning"
}

// securitySeverity is the CVSS-like score GitHub buckets into critical (>= 9.0), high (7.0-8.9),
// medium (4.0-6.9) and low (0.1-3.9).
func securitySeverity(s check.Severity) string {
	switch s {
	case check.Critical:
		return "9.5"
	case check.High:
		return "8.0"
	case check.Medium:
		return "5.5"
	default:
		return "2.0"
	}
}

func sarifResultOf(f check.Finding, ruleIndex int, opts Options) sarifResult {
	res := sarifResult{
		RuleID:              f.Check.ID,
		RuleIndex:           ruleIndex,
		Level:               sarifLevel(f.Check.Severity),
		Message:             sarifText{Text: sarifMessage(f)},
		Locations:           []sarifLocation{sarifLocationOf(f.Resource, opts)},
		PartialFingerprints: map[string]string{fingerprintKey: fingerprint(f, opts)},
		Properties: &sarifResultProps{
			Status:      f.Status,
			Evidence:    evidenceOf(f),
			Assumptions: assumptionTexts(f),
			Notes:       f.Notes,
		},
	}
	if verdict(f) == check.Unknown {
		// Not a confirmed problem: shown, but never at the level of a failure.
		res.Level = "note"
	}
	if f.Status == check.Suppressed {
		res.Suppressions = []sarifSuppression{sarifSuppressionOf(f.Suppression)}
	}
	return res
}

// sarifSuppressionOf maps lensix's suppression kinds to SARIF's: inline comments live in the
// source (inSource); config rules and anything else live outside it (external).
func sarifSuppressionOf(s *check.Suppression) sarifSuppression {
	out := sarifSuppression{Kind: "external", Status: "accepted"}
	if s == nil {
		return out
	}
	if s.Kind == "inline" {
		out.Kind = "inSource"
	}
	out.Justification = s.Reason
	if s.Expires != "" {
		out.Justification = strings.TrimSpace(s.Reason + " (expires " + s.Expires + ")")
	}
	return out
}

// sarifMessage is the finding's message, with the unknown reasons and assumptions it rests on;
// the first sentence is what GitHub shows when space is short.
func sarifMessage(f check.Finding) string {
	msg := strings.TrimSuffix(f.Message, ".") + "."
	if verdict(f) == check.Unknown && !messageExplainsUnknown(f) {
		msg += " Unknown because " + unknownText(f) + "."
	}
	if as := assumptionTexts(f); len(as) > 0 {
		msg += " Assumed: " + strings.Join(as, "; ") + "."
	}
	return msg
}

func sarifLocationOf(r *resource.Resource, opts Options) sarifLocation {
	rng := r.Provenance.Range
	if rng.Filename != "" && !isLive(r) {
		loc := sarifLocation{PhysicalLocation: &sarifPhysical{
			ArtifactLocation: artifactOf(rng.Filename, opts),
			Region:           regionOf(rng),
		}}
		if r.Provenance.Address != "" {
			loc.LogicalLocations = []sarifLogical{{Name: r.Name, FullyQualifiedName: r.Provenance.Address, Kind: "resource"}}
		}
		return loc
	}
	// A live resource has no file. Its ARM ID is the logical location; the physical location is a
	// relative path made from the ID, which is what lets GitHub accept and group the alert.
	fqn := r.ID
	if fqn == "" {
		fqn = displayName(r)
	}
	return sarifLocation{
		PhysicalLocation: &sarifPhysical{
			ArtifactLocation: sarifArtifactLoc{URI: liveURI(r)},
			Region:           &sarifRegion{StartLine: 1},
		},
		LogicalLocations: []sarifLogical{{Name: r.Name, FullyQualifiedName: fqn, Kind: "resource"}},
	}
}

// liveURI makes a relative URI for a live resource from its ARM ID, e.g.
// azure/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim.
func liveURI(r *resource.Resource) string {
	id := r.ID
	if id == "" {
		id = r.Type + "/" + displayName(r)
	}
	segments := []string{liveURIPrefix}
	for _, s := range strings.Split(id, "/") {
		if s != "" {
			segments = append(segments, url.PathEscape(s))
		}
	}
	return strings.Join(segments, "/")
}

// artifactOf locates a file for SARIF: a relative path is relative to %SRCROOT% (the work
// directory); a file outside it keeps an absolute file: URI.
func artifactOf(file string, opts Options) sarifArtifactLoc {
	rel := sourcePath(file, opts)
	if native := filepath.FromSlash(rel); filepath.IsAbs(native) {
		return sarifArtifactLoc{URI: fileURI(native)}
	}
	return sarifArtifactLoc{URI: (&url.URL{Path: rel}).String(), URIBaseID: srcRoot}
}

func (o Options) sourceRoot() string {
	if o.SourceRoot != "" {
		return o.SourceRoot
	}
	return o.WorkDir
}

// sourcePath is a file's path relative to the source root: findings name files relative to the
// working directory, which may be a folder below it.
func sourcePath(file string, opts Options) string {
	native := filepath.FromSlash(file)
	if file != "" && !filepath.IsAbs(native) && opts.WorkDir != "" {
		native = filepath.Join(opts.WorkDir, native)
	}
	return relPath(filepath.ToSlash(native), opts.sourceRoot())
}

func regionOf(rng resource.Range) *sarifRegion {
	if rng.Start.Line < 1 {
		// GitHub needs a startLine; a file-level finding points at the top of the file.
		return &sarifRegion{StartLine: 1}
	}
	reg := &sarifRegion{StartLine: rng.Start.Line}
	if rng.Start.Column >= 1 {
		reg.StartColumn = rng.Start.Column
	}
	if rng.End.Line >= rng.Start.Line {
		reg.EndLine = rng.End.Line
	}
	return reg
}

// fingerprint identifies a finding across scans from the check, the resource's identity and its
// file — never its line, so a finding keeps its alert when code above it moves.
func fingerprint(f check.Finding, opts Options) string {
	file := ""
	if !isLive(f.Resource) {
		file = sourcePath(f.Resource.Provenance.Range.Filename, opts)
	}
	sum := sha256.Sum256([]byte(f.Check.ID + "\x00" + identity(f.Resource) + "\x00" + file))
	return hex.EncodeToString(sum[:])
}

func sarifNotificationOf(d diag.Diagnostic, opts Options) sarifNotification {
	level := "error"
	if d.Severity == diag.Warning {
		level = "warning"
	}
	msg := d.Summary
	if d.Detail != "" {
		msg += ": " + d.Detail
	}
	n := sarifNotification{Level: level, Message: sarifText{Text: msg}}
	if d.Range.Filename != "" {
		n.Locations = []sarifLocation{{PhysicalLocation: &sarifPhysical{
			ArtifactLocation: artifactOf(d.Range.Filename, opts),
			Region:           regionOf(d.Range),
		}}}
	}
	return n
}

// dirURI is the file: URI of a directory, ending in a slash as SARIF requires of base URIs.
func dirURI(dir string) string {
	if dir == "" {
		return ""
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	u := fileURI(abs)
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// fileURI turns an absolute native path into a file: URI (file:///C:/x on Windows).
func fileURI(abs string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// codeFence returns a backtick fence longer than any backtick run in body, so the block cannot be
// closed early by its contents.
func codeFence(body string) string {
	longest, run := 0, 0
	for _, c := range body {
		if c == '`' {
			run++
			if run > longest {
				longest = run
			}
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}
