/**
 * @module Runtime store in SQLite (better-sqlite3, WAL) under DATA_DIR: retraining jobs, uploaded
 * data sets, user feedback, opt-outs and the audit trail. Several processes may open the same
 * file: WAL lets readers run beside one writer and `busy_timeout` makes a writer wait its turn.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { getConfig } from '../core/config.ts';
import type { ModelName, SentimentModelName } from '../core/contracts.ts';
import { NunchiError } from '../core/errors.ts';
import { migrate } from './schema.ts';
import type {
  AuditEntry,
  AuditRecord,
  DatasetRecord,
  FeedbackEntry,
  Job,
  JobRequest,
  JobUpdate,
  PendingPromotion,
} from './types.ts';

export * from './types.ts';

/** File name of the database inside the data directory. */
export const DATABASE_FILE = 'nunchi.db';
/** How long a write waits for another process's write lock before failing, in milliseconds. */
const BUSY_TIMEOUT_MS = 5000;

export interface Store {
  recordFeedback(entry: FeedbackEntry): { id: number };
  /** Feedback of one model as training examples (1 positive, 0 negative), oldest first. Rows
   * from opted-out users or guilds are left out. */
  listFeedback(modelName: SentimentModelName): { text: string; label: 0 | 1; createdAt: string }[];
  setOptOut(scope: 'user' | 'guild', id: string, optedOut: boolean): void;
  isOptedOut(scope: 'user' | 'guild', id: string): boolean;
  audit(entry: AuditEntry): void;
  listAudit(limit?: number): AuditRecord[];

  createJob(job: { id: string; model: ModelName; actor: string; request: JobRequest }): Job;
  getJob(id: string): Job | undefined;
  /** Jobs newest first. */
  listJobs(limit?: number): Job[];
  updateJob(id: string, update: JobUpdate): Job;
  /** The queued or running job of `model`, if any. */
  activeJob(model: ModelName): Job | undefined;
  /**
   * Marks every queued or running job as interrupted, for use at startup after a crash, and
   * returns them with the promotion each left unconfirmed.
   */
  interruptUnfinishedJobs(): { job: Job; pendingPromotion?: PendingPromotion }[];

  saveDataset(record: DatasetRecord): DatasetRecord;
  getDataset(id: string): DatasetRecord | undefined;
  findDatasetBySha256(sha256: string): DatasetRecord | undefined;
  listDatasets(): DatasetRecord[];

  /** Path of the database file. */
  readonly file: string;
  close(): void;
}

type Row = Record<string, unknown>;

const parseJson = <T>(value: unknown): T | undefined =>
  typeof value === 'string' ? (JSON.parse(value) as T) : undefined;

function jobFromRow(row: Row): Job {
  const job: Job = {
    id: row.id as string,
    model: row.model as ModelName,
    state: row.state as Job['state'],
    actor: row.actor as string,
    request: parseJson<JobRequest>(row.request) ?? {},
    createdAt: row.created_at as string,
  };
  if (row.started_at) job.startedAt = row.started_at as string;
  if (row.finished_at) job.finishedAt = row.finished_at as string;
  if (row.progress) job.progress = parseJson(row.progress);
  if (row.result) job.result = parseJson(row.result);
  if (row.error) job.error = row.error as string;
  return job;
}

function datasetFromRow(row: Row): DatasetRecord {
  return {
    id: row.id as string,
    sha256: row.sha256 as string,
    format: row.format as DatasetRecord['format'],
    path: row.path as string,
    bytes: row.bytes as number,
    totalRows: row.total_rows as number,
    acceptedRows: row.accepted_rows as number,
    skippedLines: parseJson<number[]>(row.skipped_lines) ?? [],
    actor: row.actor as string,
    createdAt: row.created_at as string,
  };
}

const JOB_COLUMNS: Record<keyof JobUpdate, string> = {
  state: 'state',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  progress: 'progress',
  result: 'result',
  error: 'error',
  pendingPromotion: 'pending_promotion',
};

/** Retry-After value, in seconds, sent when a write found the database locked. */
const LOCKED_RETRY_AFTER_SECONDS = 5;

/**
 * Turns a SQLite error into STORAGE_FAILED: a lock held past the busy timeout becomes a retryable
 * error (HTTP 503 with Retry-After), anything else (disk full, read-only, I/O) a plain one.
 */
function storageError(error: unknown, file: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error;
  const message = (error as Error).message;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new NunchiError(
      'STORAGE_FAILED',
      `The SQLite store is locked by another process for longer than ${BUSY_TIMEOUT_MS / 1000} s; retry in a few seconds`,
      { file, sqliteCode: code, retryAfterSeconds: LOCKED_RETRY_AFTER_SECONDS },
      { cause: error },
    );
  }
  return new NunchiError(
    'STORAGE_FAILED',
    `The SQLite store failed: ${message} (${code}). Check free disk space and the permissions of DATA_DIR.`,
    { file, sqliteCode: code },
    { cause: error },
  );
}

/** Wraps every method of `store` so SQLite errors leave it as STORAGE_FAILED. */
function guardStore(store: Store): Store {
  const guarded = { ...store } as Record<string, unknown>;
  for (const [key, value] of Object.entries(store)) {
    if (typeof value !== 'function') continue;
    guarded[key] = (...args: unknown[]) => {
      try {
        return (value as (...inner: unknown[]) => unknown)(...args);
      } catch (error) {
        throw storageError(error, store.file);
      }
    };
  }
  return guarded as unknown as Store;
}

function openDatabase(file: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    db = new Database(file);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (error) {
    db?.close();
    throw new NunchiError(
      'STORAGE_FAILED',
      `Cannot open the SQLite store at ${file}: ${(error as Error).message}. Check that DATA_DIR is writable.`,
      { file },
      { cause: error },
    );
  }
}

/**
 * Opens (and creates or upgrades) the store in `dir`, by default the configured DATA_DIR. Open one
 * per process and close it at shutdown.
 *
 * @throws NunchiError STORAGE_FAILED when the directory or database cannot be opened.
 */
export function openStore(dir: string = getConfig().dataDir): Store {
  const file = path.join(dir, DATABASE_FILE);
  const db = openDatabase(file);
  const now = () => new Date().toISOString();

  const getJob = (id: string): Job | undefined => {
    const row = db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
    return row ? jobFromRow(row) : undefined;
  };
  const getDataset = (id: string): DatasetRecord | undefined => {
    const row = db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as Row | undefined;
    return row ? datasetFromRow(row) : undefined;
  };

  return guardStore({
    file,

    recordFeedback(entry) {
      const info = db
        .prepare(
          `INSERT INTO feedback (text, predicted_label, correct_label, model_name, model_version,
             source, user_id, guild_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          entry.text,
          entry.predictedLabel,
          entry.correctLabel,
          entry.modelName,
          entry.modelVersion,
          entry.source,
          entry.userId ?? null,
          entry.guildId ?? null,
          now(),
        );
      return { id: Number(info.lastInsertRowid) };
    },

    listFeedback(modelName) {
      const rows = db
        .prepare(
          `SELECT text, correct_label, created_at FROM feedback f
           WHERE model_name = ?
             AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.scope = 'user' AND o.id = f.user_id)
             AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.scope = 'guild' AND o.id = f.guild_id)
           ORDER BY id`,
        )
        .all(modelName) as Row[];
      return rows.map((row) => ({
        text: row.text as string,
        label: row.correct_label === 'positive' ? 1 : 0,
        createdAt: row.created_at as string,
      }));
    },

    setOptOut(scope, id, optedOut) {
      if (optedOut) {
        db.prepare('INSERT OR IGNORE INTO opt_outs (scope, id, created_at) VALUES (?, ?, ?)').run(
          scope,
          id,
          now(),
        );
      } else {
        db.prepare('DELETE FROM opt_outs WHERE scope = ? AND id = ?').run(scope, id);
      }
    },

    isOptedOut(scope, id) {
      return (
        db.prepare('SELECT 1 FROM opt_outs WHERE scope = ? AND id = ?').get(scope, id) !== undefined
      );
    },

    audit(entry) {
      db.prepare(
        'INSERT INTO audit (at, actor, action, target, outcome, details) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(
        now(),
        entry.actor,
        entry.action,
        entry.target ?? null,
        entry.outcome,
        entry.details === undefined ? null : JSON.stringify(entry.details),
      );
    },

    listAudit(limit = 100) {
      const rows = db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit) as Row[];
      return rows.map((row) => {
        const record: AuditRecord = {
          id: row.id as number,
          at: row.at as string,
          actor: row.actor as string,
          action: row.action as string,
          outcome: row.outcome as string,
        };
        if (row.target !== null) record.target = row.target as string;
        if (row.details !== null) record.details = parseJson(row.details);
        return record;
      });
    },

    createJob({ id, model, actor, request }) {
      db.prepare(
        `INSERT INTO jobs (id, model, state, actor, request, created_at)
         VALUES (?, ?, 'queued', ?, ?, ?)`,
      ).run(id, model, actor, JSON.stringify(request), now());
      return getJob(id) as Job;
    },

    getJob,

    listJobs(limit = 100) {
      const rows = db
        .prepare('SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?')
        .all(limit) as Row[];
      return rows.map(jobFromRow);
    },

    updateJob(id, update) {
      const sets: string[] = [];
      const values: unknown[] = [];
      for (const [key, value] of Object.entries(update) as [keyof JobUpdate, unknown][]) {
        if (value === undefined) continue;
        sets.push(`${JOB_COLUMNS[key]} = ?`);
        values.push(value === null || typeof value === 'string' ? value : JSON.stringify(value));
      }
      if (sets.length > 0) {
        db.prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
      }
      const job = getJob(id);
      if (!job) throw new NunchiError('NOT_FOUND', `No job with id "${id}"`, { id });
      return job;
    },

    activeJob(model) {
      const row = db
        .prepare(
          "SELECT * FROM jobs WHERE model = ? AND state IN ('queued', 'running') ORDER BY created_at LIMIT 1",
        )
        .get(model) as Row | undefined;
      return row ? jobFromRow(row) : undefined;
    },

    interruptUnfinishedJobs() {
      return db
        .transaction(() => {
          const rows = db
            .prepare("SELECT * FROM jobs WHERE state IN ('queued', 'running')")
            .all() as Row[];
          db.prepare(
            `UPDATE jobs SET state = 'interrupted', finished_at = ?,
               error = 'The service stopped before this job finished; start a new retrain.'
             WHERE state IN ('queued', 'running')`,
          ).run(now());
          return rows.map((row) => ({
            job: getJob(row.id as string) as Job,
            pendingPromotion: parseJson<PendingPromotion>(row.pending_promotion),
          }));
        })
        .immediate();
    },

    saveDataset(record) {
      db.prepare(
        `INSERT INTO datasets (id, sha256, format, path, bytes, total_rows, accepted_rows,
           skipped_lines, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        record.id,
        record.sha256,
        record.format,
        record.path,
        record.bytes,
        record.totalRows,
        record.acceptedRows,
        JSON.stringify(record.skippedLines),
        record.actor,
        record.createdAt,
      );
      return record;
    },

    getDataset,

    findDatasetBySha256(sha256) {
      const row = db.prepare('SELECT * FROM datasets WHERE sha256 = ?').get(sha256) as
        Row | undefined;
      return row ? datasetFromRow(row) : undefined;
    },

    listDatasets() {
      return (db.prepare('SELECT * FROM datasets ORDER BY created_at DESC').all() as Row[]).map(
        datasetFromRow,
      );
    },

    close() {
      if (db.open) db.close();
    },
  });
}
