/**
 * @module SQLite schema of the runtime store, applied in numbered steps tracked by
 * `PRAGMA user_version`, so an existing database is upgraded in place.
 */
import type Database from 'better-sqlite3';

const MIGRATIONS: string[] = [
  `
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    state TEXT NOT NULL,
    actor TEXT NOT NULL,
    request TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    progress TEXT,
    result TEXT,
    error TEXT,
    pending_promotion TEXT
  );
  CREATE INDEX jobs_by_model_state ON jobs (model, state);
  CREATE TABLE datasets (
    id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    format TEXT NOT NULL,
    path TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    total_rows INTEGER NOT NULL,
    accepted_rows INTEGER NOT NULL,
    skipped_lines TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    text TEXT NOT NULL,
    predicted_label TEXT NOT NULL,
    correct_label TEXT NOT NULL,
    model_name TEXT NOT NULL,
    model_version TEXT NOT NULL,
    source TEXT NOT NULL,
    user_id TEXT,
    guild_id TEXT,
    created_at TEXT NOT NULL
  );
  CREATE INDEX feedback_by_model ON feedback (model_name);
  CREATE TABLE opt_outs (
    scope TEXT NOT NULL,
    id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (scope, id)
  );
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    outcome TEXT NOT NULL,
    details TEXT
  );
  `,
];

/**
 * Applies every migration newer than the database's `user_version` in one write transaction. The
 * version is read inside the transaction, so two processes opening a new file at once apply each
 * step only once.
 */
export function migrate(db: Database.Database): void {
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    for (let step = current; step < MIGRATIONS.length; step += 1) db.exec(MIGRATIONS[step]);
    if (current < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
