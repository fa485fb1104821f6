// Package store keeps the history of lensix scans: every scan of every target, and every
// finding's lifecycle — open when first seen failing, resolved when it passes or is gone, reopened
// when it fails again (drift) — with suppressions recorded by people. Store is the interface the
// monitor and the CLI use; SQLite (one file, WAL) is the default implementation, and the
// interface leaves room for PostgreSQL.
package store

import (
	"context"
	"path"
	"strings"
	"time"
)

// State is where a finding stands in its lifecycle.
type State string

// Finding states.
const (
	Open     State = "open"     // failing since it was first seen
	Resolved State = "resolved" // passing or gone since it last failed
	Reopened State = "reopened" // failing again after it was resolved: drift
)

// IsOpen reports whether the finding currently fails.
func (s State) IsOpen() bool { return s == Open || s == Reopened }

// ChangeKind names a state change, the only thing notifications are about.
type ChangeKind string

// Change kinds.
const (
	ChangeNew      ChangeKind = "new"      // a failure seen for the first time
	ChangeResolved ChangeKind = "resolved" // an open failure now passes or is gone
	ChangeReopened ChangeKind = "reopened" // a resolved failure is back
)

// ScanStatus says how much of its target a scan saw.
type ScanStatus string

// Scan statuses.
const (
	Complete ScanStatus = "complete" // every input was read
	Partial  ScanStatus = "partial"  // some inputs could not be read; see Scan.BlindScopes
	Failed   ScanStatus = "failed"   // the scan produced no results; nothing is resolved
)

// AllScopes in Scan.BlindScopes says the scan cannot vouch for any finding's absence.
const AllScopes = "*"

// Scan is one run over one target.
type Scan struct {
	ID        int64         `json:"id"`
	Target    string        `json:"target"`
	StartedAt time.Time     `json:"started_at"`
	Duration  time.Duration `json:"duration_ns"`
	Status    ScanStatus    `json:"status"`
	Resources int           `json:"resources"`
	// Errors are the scan's error messages (unreadable files, failed subscriptions).
	Errors []string `json:"errors,omitempty"`
	// BlindScopes are the files, folders or subscriptions the scan could not read (AllScopes:
	// any). A finding in a blind scope that the scan did not report is left as it was.
	BlindScopes []string `json:"blind_scopes,omitempty"`
	// Failing is how many findings failed in the scan; New, Resolved and Reopened count its changes.
	Failing  int `json:"failing"`
	New      int `json:"new"`
	Resolved int `json:"resolved"`
	Reopened int `json:"reopened"`
}

// Observation is one check's verdict on one resource in one scan, as the store keeps it.
type Observation struct {
	Key           string `json:"key"`
	CheckID       string `json:"check_id"`
	Severity      string `json:"severity"`
	Title         string `json:"title"`
	Status        string `json:"status"` // pass, fail, unknown or suppressed
	Message       string `json:"message,omitempty"`
	ResourceID    string `json:"resource_id,omitempty"`
	ResourceType  string `json:"resource_type"`
	ResourceName  string `json:"resource_name"`
	ResourceGroup string `json:"resource_group,omitempty"`
	Subscription  string `json:"subscription,omitempty"`
	Address       string `json:"address,omitempty"`
	File          string `json:"file,omitempty"`
	Line          int    `json:"line,omitempty"`
}

// Failing reports whether the observation opens (or keeps open) a finding. Unknown and suppressed
// verdicts neither open nor resolve: the check could not tell, or a person decided.
func (o Observation) Failing() bool { return o.Status == "fail" }

// Passing reports whether the observation resolves an open finding.
func (o Observation) Passing() bool { return o.Status == "pass" }

// Key is a finding's identity across scans: the check and the resource, named by its ARM ID for
// live resources (case-insensitively, as ARM compares them) and by file and address for IaC.
func Key(checkID string, live bool, resourceID, file, address, resourceType, name string) string {
	switch {
	case live && resourceID != "":
		return checkID + " " + strings.ToLower(resourceID)
	case address != "":
		return checkID + " " + file + "#" + address
	case resourceID != "":
		return checkID + " " + file + "#" + strings.ToLower(resourceID)
	default:
		return checkID + " " + file + "#" + resourceType + "/" + name
	}
}

// Finding is a finding's current state and its last observation.
type Finding struct {
	ID     int64  `json:"id"`
	Target string `json:"target"`
	Observation
	State     State     `json:"state"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	ChangedAt time.Time `json:"changed_at"`
	Reopens   int       `json:"reopens"`
	// Suppression is set when a person's suppression in the store covers the finding.
	Suppression *Suppression `json:"suppression,omitempty"`
}

// Change is one finding's state change in one scan.
type Change struct {
	Kind    ChangeKind `json:"kind"`
	ScanID  int64      `json:"scan_id"`
	At      time.Time  `json:"at"`
	Finding Finding    `json:"finding"`
}

// Event is a stored state change, for a finding's or a resource's history.
type Event struct {
	Kind      ChangeKind `json:"kind"`
	At        time.Time  `json:"at"`
	ScanID    int64      `json:"scan_id"`
	Target    string     `json:"target"`
	Key       string     `json:"key"`
	CheckID   string     `json:"check_id"`
	Status    string     `json:"status"`
	Message   string     `json:"message,omitempty"`
	FindingID int64      `json:"finding_id"`
}

// Suppression is a person's decision that a finding does not need fixing, for a while or for good.
type Suppression struct {
	ID      int64  `json:"id"`
	CheckID string `json:"check_id"` // "*" for every check
	// Resource is a glob over the finding's resource ID, address and name; "" or "*" for all.
	Resource string    `json:"resource"`
	Who      string    `json:"who"`
	Why      string    `json:"why"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires,omitzero"` // zero: never
}

// Covers reports whether s applies to o at time now.
func (s Suppression) Covers(o Observation, now time.Time) bool {
	if !s.Expires.IsZero() && !now.Before(s.Expires) {
		return false
	}
	if s.CheckID != "*" && !strings.EqualFold(s.CheckID, o.CheckID) {
		return false
	}
	if s.Resource == "" || s.Resource == "*" {
		return true
	}
	for _, candidate := range []string{o.ResourceID, o.Address, o.ResourceName} {
		if candidate == "" {
			continue
		}
		if ok, _ := path.Match(strings.ToLower(s.Resource), strings.ToLower(candidate)); ok || strings.EqualFold(s.Resource, candidate) {
			return true
		}
	}
	return false
}

// FindingFilter selects findings; zero fields match everything.
type FindingFilter struct {
	Target       string
	States       []State
	CheckID      string
	Subscription string
	ResourceID   string
	// Since keeps findings whose state changed at or after it.
	Since time.Time
	Limit int
}

// Store is the history of scans and findings.
type Store interface {
	// RecordScan stores a finished scan and what it observed, in one transaction, and returns
	// the scan as stored (with its ID and counts) and the state changes it caused. A failed scan
	// changes no finding; a partial one resolves nothing in its blind scopes.
	RecordScan(ctx context.Context, scan Scan, observed []Observation) (Scan, []Change, error)
	// Scans lists scans, newest first; target "" means every target.
	Scans(ctx context.Context, target string, limit int) ([]Scan, error)
	// Findings lists findings, most recently changed first.
	Findings(ctx context.Context, f FindingFilter) ([]Finding, error)
	// Changes lists the state changes a scan caused.
	Changes(ctx context.Context, scanID int64) ([]Change, error)
	// History lists the events of the findings on one resource (ARM ID, address or
	// file#address), oldest first.
	History(ctx context.Context, resource string) ([]Event, error)
	// Timeline counts opened (new and reopened) and resolved findings per UTC day since a time.
	Timeline(ctx context.Context, since time.Time) ([]Day, error)
	// Counts counts findings in the given states (all when empty) by state, check, severity
	// and subscription.
	Counts(ctx context.Context, states ...State) ([]Count, error)
	// Suppress records a suppression; Suppressions lists those active at now (all if now is zero).
	Suppress(ctx context.Context, s Suppression) (Suppression, error)
	Suppressions(ctx context.Context, now time.Time) ([]Suppression, error)
	// Prune deletes events and scans from before a time, keeping each target's latest scan and
	// every finding's current state, and reports how many scans and events went.
	Prune(ctx context.Context, before time.Time) (scans, events int64, err error)
	Close() error
}

// Count is how many findings share a state, check, severity and subscription.
type Count struct {
	State        State  `json:"state"`
	CheckID      string `json:"check_id"`
	Severity     string `json:"severity"`
	Subscription string `json:"subscription"`
	N            int    `json:"n"`
}

// Day is one day of the timeline.
type Day struct {
	Day      time.Time `json:"day"`
	Opened   int       `json:"opened"`
	Resolved int       `json:"resolved"`
}

// Next decides what one scan does to a finding: prev is its state ("" when it never failed),
// o its observation (nil when the scan did not report it), blind whether the scan could not see
// it. It returns the new state and the change, if any.
func Next(prev State, o *Observation, blind bool) (State, ChangeKind) {
	switch {
	case o != nil && o.Failing():
		switch prev {
		case "":
			return Open, ChangeNew
		case Resolved:
			return Reopened, ChangeReopened
		}
		return prev, ""
	case o != nil && o.Passing(), o == nil && !blind:
		if prev.IsOpen() {
			return Resolved, ChangeResolved
		}
	}
	return prev, ""
}

// Blind reports whether a scan whose blind scopes are scopes could not see o: o's file, a folder
// holding it (a Terraform module fails as a whole), its subscription, or an ARM scope holding it
// (/subscriptions/ID).
func Blind(scopes []string, o Observation) bool {
	for _, s := range scopes {
		switch {
		case s == AllScopes:
			return true
		case s == "":
		case o.File != "" && (o.File == s || path.Dir(o.File) == path.Dir(s) || strings.HasPrefix(o.File, strings.TrimSuffix(s, "/")+"/")):
			return true
		case o.Subscription != "" && strings.EqualFold(o.Subscription, s):
			return true
		case o.ResourceID != "" && strings.HasPrefix(strings.ToLower(o.ResourceID)+"/", strings.ToLower(strings.TrimSuffix(s, "/"))+"/"):
			return true
		}
	}
	return false
}
