package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations are the store's schema, versioned in the binary: migration i brings the schema to
// version i+1. Append only; never edit one that has shipped.
var migrations = []string{
	`CREATE TABLE scans (
		id           INTEGER PRIMARY KEY,
		target       TEXT    NOT NULL,
		started_at   INTEGER NOT NULL, -- Unix milliseconds, UTC
		duration_ns  INTEGER NOT NULL,
		status       TEXT    NOT NULL CHECK (status IN ('complete', 'partial', 'failed')),
		resources    INTEGER NOT NULL,
		errors       TEXT    NOT NULL, -- JSON array of messages
		blind_scopes TEXT    NOT NULL, -- JSON array of files, folders or subscriptions
		failing      INTEGER NOT NULL DEFAULT 0,
		new          INTEGER NOT NULL DEFAULT 0,
		resolved     INTEGER NOT NULL DEFAULT 0,
		reopened     INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX scans_by_target ON scans (target, id);
	CREATE TABLE findings (
		id             INTEGER PRIMARY KEY,
		target         TEXT    NOT NULL,
		key            TEXT    NOT NULL,
		check_id       TEXT    NOT NULL,
		severity       TEXT    NOT NULL,
		title          TEXT    NOT NULL,
		status         TEXT    NOT NULL,
		message        TEXT    NOT NULL,
		resource_id    TEXT    NOT NULL,
		resource_type  TEXT    NOT NULL,
		resource_name  TEXT    NOT NULL,
		resource_group TEXT    NOT NULL,
		subscription   TEXT    NOT NULL,
		address        TEXT    NOT NULL,
		file           TEXT    NOT NULL,
		line           INTEGER NOT NULL,
		state          TEXT    NOT NULL CHECK (state IN ('open', 'resolved', 'reopened')),
		first_seen     INTEGER NOT NULL,
		last_seen      INTEGER NOT NULL,
		changed_at     INTEGER NOT NULL,
		reopens        INTEGER NOT NULL,
		UNIQUE (target, key)
	);
	CREATE INDEX findings_by_state ON findings (state, changed_at);
	CREATE INDEX findings_by_resource ON findings (resource_id COLLATE NOCASE);
	CREATE TABLE events (
		id         INTEGER PRIMARY KEY,
		finding_id INTEGER NOT NULL REFERENCES findings (id),
		scan_id    INTEGER NOT NULL REFERENCES scans (id),
		kind       TEXT    NOT NULL CHECK (kind IN ('new', 'resolved', 'reopened')),
		at         INTEGER NOT NULL,
		status     TEXT    NOT NULL,
		message    TEXT    NOT NULL
	);
	CREATE INDEX events_by_finding ON events (finding_id);
	CREATE INDEX events_by_scan ON events (scan_id);
	CREATE INDEX events_by_time ON events (at);
	CREATE TABLE suppressions (
		id       INTEGER PRIMARY KEY,
		check_id TEXT    NOT NULL,
		resource TEXT    NOT NULL,
		who      TEXT    NOT NULL,
		why      TEXT    NOT NULL,
		created  INTEGER NOT NULL,
		expires  INTEGER NOT NULL -- 0: never
	);`,
}

// migrate applies the migrations the database has not seen, each in its own transaction.
func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for {
		done, err := migrateOne(ctx, db)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the next migration, reading the version inside the write transaction so two
// processes opening one new store do not both apply it.
func migrateOne(ctx context.Context, db *sql.DB) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	switch {
	case current > len(migrations):
		return false, fmt.Errorf("store schema is version %d, newer than this lensix knows (%d); upgrade lensix", current, len(migrations))
	case current == len(migrations):
		return true, nil
	}
	v := current + 1
	if _, err := tx.ExecContext(ctx, migrations[v-1]); err != nil {
		return false, fmt.Errorf("migrate to version %d: %w", v, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, v, time.Now().UnixMilli()); err != nil {
		return false, fmt.Errorf("migrate to version %d: %w", v, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrate to version %d: %w", v, err)
	}
	return false, nil
}
