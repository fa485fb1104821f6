package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	_ "modernc.org/sqlite" // pure-Go SQLite driver "sqlite"
)

// SQLite is the Store in one SQLite file in WAL mode: readers never wait for the writer, and a
// process killed mid-write leaves the last committed scan intact.
type SQLite struct {
	db *sql.DB
	// beforeCommit runs inside RecordScan's transaction just before it commits (crash tests).
	beforeCommit func()
}

// OpenSQLite opens (creating if needed) the store in file and applies pending migrations.
func OpenSQLite(ctx context.Context, file string) (*SQLite, error) {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	// Writers take the lock at BEGIN, so two writers queue on busy_timeout instead of deadlocking.
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+file+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", file, err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", file, err)
	}
	return &SQLite{db: db}, nil
}

// Checkpoint copies the write-ahead log into the database file and truncates the log, so the
// file alone holds everything (before a file-level backup, or to measure the store's size).
func (s *SQLite) Checkpoint(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// Close closes the database.
func (s *SQLite) Close() error { return s.db.Close() }

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// row is a stored finding as RecordScan changes it.
type row struct {
	Finding
}

const findingColumns = `id, target, key, check_id, severity, title, status, message, resource_id, resource_type,
	resource_name, resource_group, subscription, address, file, line, state, first_seen, last_seen, changed_at, reopens`

func scanFinding(scanner interface{ Scan(...any) error }) (Finding, error) {
	var f Finding
	var first, last, changed int64
	err := scanner.Scan(&f.ID, &f.Target, &f.Key, &f.CheckID, &f.Severity, &f.Title, &f.Status, &f.Message,
		&f.ResourceID, &f.ResourceType, &f.ResourceName, &f.ResourceGroup, &f.Subscription, &f.Address, &f.File,
		&f.Line, &f.State, &first, &last, &changed, &f.Reopens)
	f.FirstSeen, f.LastSeen, f.ChangedAt = fromMS(first), fromMS(last), fromMS(changed)
	return f, err
}

// RecordScan implements Store.
func (s *SQLite) RecordScan(ctx context.Context, scan Scan, observed []Observation) (Scan, []Change, error) {
	if scan.Target == "" || scan.StartedAt.IsZero() {
		return Scan{}, nil, errors.New("record scan: target and start time are required")
	}
	switch scan.Status {
	case Complete, Partial, Failed:
	default:
		return Scan{}, nil, fmt.Errorf("record scan: unknown status %q", scan.Status)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Scan{}, nil, fmt.Errorf("record scan: %w", err)
	}
	defer tx.Rollback()
	errorsJSON, _ := json.Marshal(nonNil(scan.Errors))
	blindJSON, _ := json.Marshal(nonNil(scan.BlindScopes))
	res, err := tx.ExecContext(ctx, `INSERT INTO scans (target, started_at, duration_ns, status, resources, errors, blind_scopes)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, scan.Target, ms(scan.StartedAt), int64(scan.Duration), scan.Status, scan.Resources, string(errorsJSON), string(blindJSON))
	if err != nil {
		return Scan{}, nil, fmt.Errorf("record scan: %w", err)
	}
	if scan.ID, err = res.LastInsertId(); err != nil {
		return Scan{}, nil, fmt.Errorf("record scan: %w", err)
	}
	var changes []Change
	if scan.Status != Failed {
		if changes, err = s.apply(ctx, tx, &scan, observed); err != nil {
			return Scan{}, nil, fmt.Errorf("record scan of %s: %w", scan.Target, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE scans SET failing = ?, new = ?, resolved = ?, reopened = ? WHERE id = ?`,
		scan.Failing, scan.New, scan.Resolved, scan.Reopened, scan.ID); err != nil {
		return Scan{}, nil, fmt.Errorf("record scan: %w", err)
	}
	if s.beforeCommit != nil {
		s.beforeCommit()
	}
	if err := tx.Commit(); err != nil {
		return Scan{}, nil, fmt.Errorf("record scan: %w", err)
	}
	return scan, changes, nil
}

// apply moves every finding of the scan's target through its lifecycle.
func (s *SQLite) apply(ctx context.Context, tx *sql.Tx, scan *Scan, observed []Observation) ([]Change, error) {
	at := scan.StartedAt.Add(scan.Duration)
	rows, err := tx.QueryContext(ctx, `SELECT `+findingColumns+` FROM findings WHERE target = ?`, scan.Target)
	if err != nil {
		return nil, err
	}
	known := map[string]*row{}
	for rows.Next() {
		f, err := scanFinding(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		known[f.Key] = &row{Finding: f}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sups, err := suppressions(ctx, tx, at)
	if err != nil {
		return nil, err
	}

	// One verdict per key; a failing one wins, so duplicates never flap.
	seen := map[string]*Observation{}
	var order []string
	for i := range observed {
		o := &observed[i]
		if prev, ok := seen[o.Key]; ok {
			if !prev.Failing() && o.Failing() {
				seen[o.Key] = o
			}
			continue
		}
		seen[o.Key] = o
		order = append(order, o.Key)
	}

	var changes []Change
	record := func(r *row, kind ChangeKind) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO events (finding_id, scan_id, kind, at, status, message) VALUES (?, ?, ?, ?, ?, ?)`,
			r.ID, scan.ID, kind, ms(at), r.Status, r.Message); err != nil {
			return err
		}
		f := r.Finding
		for _, sup := range sups {
			if sup.Covers(f.Observation, at) {
				sup := sup
				f.Suppression = &sup
				break
			}
		}
		changes = append(changes, Change{Kind: kind, ScanID: scan.ID, At: at, Finding: f})
		switch kind {
		case ChangeNew:
			scan.New++
		case ChangeResolved:
			scan.Resolved++
		case ChangeReopened:
			scan.Reopened++
		}
		return nil
	}

	for _, key := range order {
		o := seen[key]
		if o.Failing() {
			scan.Failing++
		}
		r := known[key]
		var prev State
		if r != nil {
			prev = r.State
		}
		next, change := Next(prev, o, false)
		switch {
		case change == ChangeNew:
			r = &row{Finding: Finding{Target: scan.Target, Observation: *o, State: next, FirstSeen: at, LastSeen: at, ChangedAt: at}}
			res, err := tx.ExecContext(ctx, `INSERT INTO findings (target, key, check_id, severity, title, status, message,
				resource_id, resource_type, resource_name, resource_group, subscription, address, file, line,
				state, first_seen, last_seen, changed_at, reopens) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0)`,
				r.Target, r.Key, o.CheckID, o.Severity, o.Title, o.Status, o.Message, o.ResourceID, o.ResourceType,
				o.ResourceName, o.ResourceGroup, o.Subscription, o.Address, o.File, o.Line, next, ms(at), ms(at), ms(at))
			if err != nil {
				return nil, err
			}
			if r.ID, err = res.LastInsertId(); err != nil {
				return nil, err
			}
			known[key] = r
		case r != nil && (o.Failing() || change != ""):
			r.Observation = *o
			if o.Failing() {
				r.LastSeen = at
			}
			if change != "" {
				r.State, r.ChangedAt = next, at
			}
			if change == ChangeReopened {
				r.Reopens++
			}
			if err := updateFinding(ctx, tx, &r.Finding); err != nil {
				return nil, err
			}
		default:
			continue
		}
		if change != "" {
			if err := record(r, change); err != nil {
				return nil, err
			}
		}
	}

	// Findings the scan did not report are resolved unless it was blind to them.
	var gone []string
	for key, r := range known {
		if _, ok := seen[key]; !ok && r.State.IsOpen() {
			gone = append(gone, key)
		}
	}
	sort.Strings(gone)
	for _, key := range gone {
		r := known[key]
		next, change := Next(r.State, nil, Blind(scan.BlindScopes, r.Observation))
		if change == "" {
			continue
		}
		r.State, r.ChangedAt = next, at
		r.Status = "absent"
		if err := updateFinding(ctx, tx, &r.Finding); err != nil {
			return nil, err
		}
		if err := record(r, change); err != nil {
			return nil, err
		}
	}
	return changes, nil
}

func updateFinding(ctx context.Context, tx *sql.Tx, f *Finding) error {
	_, err := tx.ExecContext(ctx, `UPDATE findings SET severity = ?, title = ?, status = ?, message = ?, resource_id = ?,
		resource_type = ?, resource_name = ?, resource_group = ?, subscription = ?, address = ?, file = ?, line = ?,
		state = ?, last_seen = ?, changed_at = ?, reopens = ? WHERE id = ?`,
		f.Severity, f.Title, f.Status, f.Message, f.ResourceID, f.ResourceType, f.ResourceName, f.ResourceGroup,
		f.Subscription, f.Address, f.File, f.Line, f.State, ms(f.LastSeen), ms(f.ChangedAt), f.Reopens, f.ID)
	return err
}

// Scans implements Store.
func (s *SQLite) Scans(ctx context.Context, target string, limit int) ([]Scan, error) {
	if limit <= 0 {
		limit = 100
	}
	q := `SELECT id, target, started_at, duration_ns, status, resources, errors, blind_scopes, failing, new, resolved, reopened FROM scans`
	var args []any
	if target != "" {
		q += ` WHERE target = ?`
		args = append(args, target)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list scans: %w", err)
	}
	defer rows.Close()
	var out []Scan
	for rows.Next() {
		var sc Scan
		var started, dur int64
		var errs, blind string
		if err := rows.Scan(&sc.ID, &sc.Target, &started, &dur, &sc.Status, &sc.Resources, &errs, &blind,
			&sc.Failing, &sc.New, &sc.Resolved, &sc.Reopened); err != nil {
			return nil, fmt.Errorf("list scans: %w", err)
		}
		sc.StartedAt, sc.Duration = fromMS(started), time.Duration(dur)
		_ = json.Unmarshal([]byte(errs), &sc.Errors)
		_ = json.Unmarshal([]byte(blind), &sc.BlindScopes)
		out = append(out, sc)
	}
	return out, rows.Err()
}

// Findings implements Store.
func (s *SQLite) Findings(ctx context.Context, f FindingFilter) ([]Finding, error) {
	var where []string
	var args []any
	if f.Target != "" {
		where, args = append(where, "target = ?"), append(args, f.Target)
	}
	if len(f.States) > 0 {
		marks := strings.TrimSuffix(strings.Repeat("?,", len(f.States)), ",")
		where = append(where, "state IN ("+marks+")")
		for _, st := range f.States {
			args = append(args, string(st))
		}
	}
	if f.CheckID != "" {
		where, args = append(where, "check_id = ?"), append(args, f.CheckID)
	}
	if f.Subscription != "" {
		where, args = append(where, "subscription = ? COLLATE NOCASE"), append(args, f.Subscription)
	}
	if f.ResourceID != "" {
		where = append(where, "(resource_id = ? COLLATE NOCASE OR address = ? OR file || '#' || address = ?)")
		args = append(args, f.ResourceID, f.ResourceID, f.ResourceID)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "changed_at >= ?"), append(args, ms(f.Since))
	}
	q := `SELECT ` + findingColumns + ` FROM findings`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY changed_at DESC, id DESC"
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list findings: %w", err)
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		fd, err := scanFinding(rows)
		if err != nil {
			return nil, fmt.Errorf("list findings: %w", err)
		}
		out = append(out, fd)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list findings: %w", err)
	}
	sups, err := suppressions(ctx, s.db, time.Now())
	if err != nil {
		return nil, err
	}
	for i := range out {
		for _, sup := range sups {
			if sup.Covers(out[i].Observation, time.Now()) {
				sup := sup
				out[i].Suppression = &sup
				break
			}
		}
	}
	return out, nil
}

// Changes implements Store.
func (s *SQLite) Changes(ctx context.Context, scanID int64) ([]Change, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT e.kind, e.at, `+prefixed("f.", findingColumns)+`
		FROM events e JOIN findings f ON f.id = e.finding_id WHERE e.scan_id = ? ORDER BY e.id`, scanID)
	if err != nil {
		return nil, fmt.Errorf("list changes of scan %d: %w", scanID, err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		var at int64
		var f Finding
		var first, last, changed int64
		if err := rows.Scan(&c.Kind, &at, &f.ID, &f.Target, &f.Key, &f.CheckID, &f.Severity, &f.Title, &f.Status, &f.Message,
			&f.ResourceID, &f.ResourceType, &f.ResourceName, &f.ResourceGroup, &f.Subscription, &f.Address, &f.File,
			&f.Line, &f.State, &first, &last, &changed, &f.Reopens); err != nil {
			return nil, fmt.Errorf("list changes of scan %d: %w", scanID, err)
		}
		f.FirstSeen, f.LastSeen, f.ChangedAt = fromMS(first), fromMS(last), fromMS(changed)
		c.ScanID, c.At, c.Finding = scanID, fromMS(at), f
		out = append(out, c)
	}
	return out, rows.Err()
}

func prefixed(prefix, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// History implements Store.
func (s *SQLite) History(ctx context.Context, resource string) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT e.kind, e.at, e.scan_id, f.target, f.key, f.check_id, e.status, e.message, f.id
		FROM events e JOIN findings f ON f.id = e.finding_id
		WHERE f.resource_id = ? COLLATE NOCASE OR f.address = ? OR f.file || '#' || f.address = ?
		ORDER BY e.at, e.id`, resource, resource, resource)
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", resource, err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at int64
		if err := rows.Scan(&e.Kind, &at, &e.ScanID, &e.Target, &e.Key, &e.CheckID, &e.Status, &e.Message, &e.FindingID); err != nil {
			return nil, fmt.Errorf("history of %s: %w", resource, err)
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Timeline implements Store.
func (s *SQLite) Timeline(ctx context.Context, since time.Time) ([]Day, error) {
	const day = int64(24 * time.Hour / time.Millisecond)
	rows, err := s.db.QueryContext(ctx, `SELECT at / ? AS d,
		SUM(CASE WHEN kind IN ('new', 'reopened') THEN 1 ELSE 0 END),
		SUM(CASE WHEN kind = 'resolved' THEN 1 ELSE 0 END)
		FROM events WHERE at >= ? GROUP BY d ORDER BY d`, day, ms(since))
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	defer rows.Close()
	var out []Day
	for rows.Next() {
		var d int64
		var dd Day
		if err := rows.Scan(&d, &dd.Opened, &dd.Resolved); err != nil {
			return nil, fmt.Errorf("timeline: %w", err)
		}
		dd.Day = fromMS(d * day)
		out = append(out, dd)
	}
	return out, rows.Err()
}

// Counts implements Store.
func (s *SQLite) Counts(ctx context.Context, states ...State) ([]Count, error) {
	q := `SELECT state, check_id, severity, subscription, COUNT(*) FROM findings`
	var args []any
	if len(states) > 0 {
		q += ` WHERE state IN (` + strings.TrimSuffix(strings.Repeat("?,", len(states)), ",") + `)`
		for _, st := range states {
			args = append(args, string(st))
		}
	}
	rows, err := s.db.QueryContext(ctx, q+` GROUP BY state, check_id, severity, subscription ORDER BY check_id, subscription, state`, args...)
	if err != nil {
		return nil, fmt.Errorf("count findings: %w", err)
	}
	defer rows.Close()
	var out []Count
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.State, &c.CheckID, &c.Severity, &c.Subscription, &c.N); err != nil {
			return nil, fmt.Errorf("count findings: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Prune implements Store.
func (s *SQLite) Prune(ctx context.Context, before time.Time) (scans, events int64, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("prune: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM events WHERE at < ?`, ms(before))
	if err != nil {
		return 0, 0, fmt.Errorf("prune events: %w", err)
	}
	events, _ = res.RowsAffected()
	res, err = tx.ExecContext(ctx, `DELETE FROM scans WHERE started_at < ?
		AND id NOT IN (SELECT MAX(id) FROM scans GROUP BY target)
		AND id NOT IN (SELECT scan_id FROM events)`, ms(before))
	if err != nil {
		return 0, 0, fmt.Errorf("prune scans: %w", err)
	}
	scans, _ = res.RowsAffected()
	if err := tx.Commit(); err != nil {
		return 0, 0, fmt.Errorf("prune: %w", err)
	}
	return scans, events, nil
}

// Suppress implements Store.
func (s *SQLite) Suppress(ctx context.Context, sup Suppression) (Suppression, error) {
	if sup.CheckID == "" || sup.Who == "" || sup.Why == "" {
		return Suppression{}, errors.New("suppress: check, who and why are required")
	}
	if sup.Created.IsZero() {
		sup.Created = time.Now()
	}
	var expires int64
	if !sup.Expires.IsZero() {
		expires = ms(sup.Expires)
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO suppressions (check_id, resource, who, why, created, expires) VALUES (?, ?, ?, ?, ?, ?)`,
		sup.CheckID, sup.Resource, sup.Who, sup.Why, ms(sup.Created), expires)
	if err != nil {
		return Suppression{}, fmt.Errorf("suppress: %w", err)
	}
	sup.ID, err = res.LastInsertId()
	return sup, err
}

// Suppressions implements Store.
func (s *SQLite) Suppressions(ctx context.Context, now time.Time) ([]Suppression, error) {
	return suppressions(ctx, s.db, now)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func suppressions(ctx context.Context, q querier, now time.Time) ([]Suppression, error) {
	query := `SELECT id, check_id, resource, who, why, created, expires FROM suppressions`
	var args []any
	if !now.IsZero() {
		query += ` WHERE expires = 0 OR expires > ?`
		args = append(args, ms(now))
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list suppressions: %w", err)
	}
	defer rows.Close()
	var out []Suppression
	for rows.Next() {
		var sup Suppression
		var created, expires int64
		if err := rows.Scan(&sup.ID, &sup.CheckID, &sup.Resource, &sup.Who, &sup.Why, &created, &expires); err != nil {
			return nil, fmt.Errorf("list suppressions: %w", err)
		}
		sup.Created = fromMS(created)
		if expires != 0 {
			sup.Expires = fromMS(expires)
		}
		out = append(out, sup)
	}
	return out, rows.Err()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
