/**
 * @module store/sqlite/migrations
 * The schema as numbered SQL migrations, applied in order, each in its own transaction, with
 * the version kept in `PRAGMA user_version`. Append a migration; never edit a published one.
 *
 * Timestamps are epoch milliseconds (INTEGER); JSON values are TEXT. `jobs.seq` is the rowid:
 * it orders jobs (newest first) and is the listing cursor; AUTOINCREMENT keeps it from being
 * reused after old jobs are deleted, so a cursor never skips or repeats a job.
 *
 * Only steps reference jobs by a foreign key (cascading on delete through their primary key).
 * `jobs.rerun_of` and `dedupe.job_id` are plain ids: unindexed foreign keys would make every
 * deleted job scan both tables, and a rerun or a dedupe answer may outlive the job it names.
 *
 * @example
 *   migrate(db); // brings any database up to MIGRATIONS.at(-1).version
 */
import type BetterSqlite3 from 'better-sqlite3';
import { StoreError } from '../errors.js';

export interface Migration {
  version: number;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE jobs (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        id          TEXT    NOT NULL UNIQUE,
        workflow    TEXT    NOT NULL,
        status      TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
        attempt     INTEGER NOT NULL DEFAULT 0,
        rerun_of    TEXT,
        trigger     TEXT    NOT NULL,
        reply       TEXT,
        error       TEXT,
        created_at  INTEGER NOT NULL,
        started_at  INTEGER,
        finished_at INTEGER
      ) STRICT;
      -- Listing newest first walks these backwards; jobs_by_status also finds the unfinished
      -- jobs at start-up. Every index costs each ingest, so there is no third one.
      CREATE INDEX jobs_by_workflow ON jobs (workflow, seq);
      CREATE INDEX jobs_by_status ON jobs (status, seq);

      CREATE TABLE steps (
        job_id      TEXT    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        seq         INTEGER NOT NULL,
        id          TEXT    NOT NULL,
        type        TEXT    NOT NULL,
        status      TEXT    NOT NULL,
        input       TEXT,
        output      TEXT,
        error       TEXT,
        attempts    INTEGER NOT NULL,
        started_at  INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        PRIMARY KEY (job_id, seq)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE dedupe (
        workflow   TEXT    NOT NULL,
        key        TEXT    NOT NULL,
        job_id     TEXT    NOT NULL,
        answer     TEXT,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (workflow, key)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX dedupe_by_expiry ON dedupe (expires_at);

      CREATE TABLE meta (
        key   TEXT NOT NULL PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    // Connections (§5): documents pushed through the API, OAuth2 tokens, pending authorizations.
    // Secrets in them are sealed (AES-256-GCM) before they get here.
    version: 2,
    sql: `
      CREATE TABLE connections (
        name       TEXT    NOT NULL PRIMARY KEY,
        document   TEXT    NOT NULL,
        sealed     INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE connection_tokens (
        name       TEXT    NOT NULL PRIMARY KEY,
        tokens     TEXT    NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE oauth_states (
        state      TEXT    NOT NULL PRIMARY KEY,
        connection TEXT    NOT NULL,
        data       TEXT    NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    // Connector trigger lifecycle (init/destroy per workflow version); see triggers/lifecycle.
    version: 3,
    sql: `
      CREATE TABLE trigger_lifecycle (
        id              TEXT    NOT NULL PRIMARY KEY,
        workflow        TEXT    NOT NULL,
        fingerprint     TEXT    NOT NULL,
        spec            TEXT    NOT NULL,
        status          TEXT    NOT NULL CHECK (status IN ('pending', 'ready', 'failed', 'retiring')),
        state           TEXT,
        attempts        INTEGER NOT NULL,
        last_error      TEXT,
        next_attempt_at INTEGER,
        updated_at      INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    // Poll and schedule triggers. trigger_state: one row per workflow (state handed from poll
    // to poll, the newest claimed schedule tick, the status). poll_seen: the items a poll has
    // seen, each until `expires_at` (its window after the last poll it appeared in).
    version: 4,
    sql: `
      CREATE TABLE trigger_state (
        workflow        TEXT    NOT NULL PRIMARY KEY,
        state           TEXT,
        polled          INTEGER NOT NULL DEFAULT 0,
        since_at        INTEGER,
        last_tick_at    INTEGER,
        last_run_at     INTEGER,
        last_success_at INTEGER,
        last_error      TEXT
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE poll_seen (
        workflow   TEXT    NOT NULL,
        item_id    TEXT    NOT NULL,
        version    TEXT,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (workflow, item_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX poll_seen_by_expiry ON poll_seen (expires_at);
    `,
  },
  {
    // Workflows pushed over the API, kept as their text (re-read at every start, so `${env:}`
    // references resolve against the environment of the running process), and the
    // enable/disable toggles made over the API, for file and API workflows alike.
    version: 5,
    sql: `
      CREATE TABLE api_workflows (
        name       TEXT    NOT NULL PRIMARY KEY,
        text       TEXT    NOT NULL,
        format     TEXT    NOT NULL CHECK (format IN ('yaml', 'json')),
        updated_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE workflow_overrides (
        name       TEXT    NOT NULL PRIMARY KEY,
        enabled    INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        hash       TEXT    NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    // Claims with an owner and a lease (epoch ms): a running job whose lease passed may be
    // claimed again. NULL for jobs claimed before leases existed: claimable.
    version: 6,
    sql: `
      ALTER TABLE jobs ADD COLUMN owner TEXT;
      ALTER TABLE jobs ADD COLUMN lease_until INTEGER;
    `,
  },
  {
    // The W3C trace context a job's spans continue (JSON of the propagator's fields), so a
    // resume or retry stays in the same trace. NULL: created with tracing off.
    version: 7,
    sql: `ALTER TABLE jobs ADD COLUMN trace_context TEXT;`,
  },
  {
    // The workflow's concurrency key and limit as they were when the job was created (NULL:
    // no limit). The index finds a key's queued and running jobs for the claim's count.
    version: 8,
    sql: `
      ALTER TABLE jobs ADD COLUMN concurrency_key TEXT;
      ALTER TABLE jobs ADD COLUMN concurrency_limit INTEGER;
      CREATE INDEX jobs_by_concurrency ON jobs (workflow, concurrency_key, status, seq)
        WHERE concurrency_key IS NOT NULL AND status IN ('queued', 'running');
    `,
  },
  {
    // Versions: each job names the version (content hash) of its workflow's text, and the
    // text is kept once per version, so a rerun can run the steps a job first ran with.
    // failure_of: the failed job an error workflow's job reports on; unique, so a failure is
    // reported once, and a job that reports one never reports its own.
    // auto_vacuum: pruned jobs give their pages back (PRAGMA incremental_vacuum). A new file
    // gets it before its first table; an existing one switches at its next VACUUM.
    version: 9,
    sql: `
      ALTER TABLE jobs ADD COLUMN version TEXT;
      ALTER TABLE jobs ADD COLUMN failure_of TEXT;
      CREATE UNIQUE INDEX jobs_by_failure_of ON jobs (failure_of) WHERE failure_of IS NOT NULL;
      CREATE INDEX jobs_by_version ON jobs (workflow, version, seq);
      CREATE TABLE workflow_versions (
        workflow   TEXT    NOT NULL,
        version    TEXT    NOT NULL,
        file       TEXT    NOT NULL,
        text       TEXT    NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (workflow, version)
      ) STRICT, WITHOUT ROWID;
      PRAGMA auto_vacuum = INCREMENTAL;
    `,
  },
  {
    // Bulk replays: the replay's filter, progress (after_seq, the last matched job it passed;
    // max_seq, the newest job when it was created) and counters. A replay's new job names its
    // replay; the unique index on (replay_id, rerun_of) allows one new job per original and
    // replay, and counts a replay's jobs by status; jobs_replayed finds whether a job was
    // replayed (both only hold replays' jobs, so ingest pays nothing for them).
    version: 10,
    sql: `
      ALTER TABLE jobs ADD COLUMN replay_id TEXT;
      CREATE UNIQUE INDEX jobs_by_replay ON jobs (replay_id, rerun_of) WHERE replay_id IS NOT NULL;
      CREATE INDEX jobs_replayed ON jobs (rerun_of) WHERE replay_id IS NOT NULL;
      CREATE TABLE replays (
        id          TEXT    NOT NULL PRIMARY KEY,
        filter      TEXT    NOT NULL,
        version     TEXT    NOT NULL CHECK (version IN ('original', 'current')),
        rate        INTEGER NOT NULL,
        status      TEXT    NOT NULL CHECK (status IN ('running', 'done', 'cancelled', 'failed')),
        max_seq     INTEGER NOT NULL,
        after_seq   INTEGER NOT NULL DEFAULT 0,
        matched     INTEGER NOT NULL,
        created     INTEGER NOT NULL DEFAULT 0,
        skipped     INTEGER NOT NULL DEFAULT 0,
        error       TEXT,
        created_at  INTEGER NOT NULL,
        finished_at INTEGER
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX replays_by_status ON replays (status, created_at);
    `,
  },
  {
    // Debounce: run_after holds a queued job back until then (epoch ms; NULL: at once). A
    // pending debounced job carries its key until claimed; the unique index keeps one pending
    // job per (workflow, key), the row the burst's later events update. debounce_count: the
    // events it stands for; debounce_deadline: the latest run_after may move to (max_wait);
    // debounce_last_at: when the burst's last event was stored (its first: created_at).
    version: 11,
    sql: `
      ALTER TABLE jobs ADD COLUMN run_after INTEGER;
      ALTER TABLE jobs ADD COLUMN debounce_key TEXT;
      ALTER TABLE jobs ADD COLUMN debounce_count INTEGER;
      ALTER TABLE jobs ADD COLUMN debounce_deadline INTEGER;
      ALTER TABLE jobs ADD COLUMN debounce_last_at INTEGER;
      CREATE UNIQUE INDEX jobs_debouncing ON jobs (workflow, debounce_key)
        WHERE debounce_key IS NOT NULL AND status = 'queued';
    `,
  },
  {
    // Search by payload: the values at the paths a workflow declares in `search:`, written with
    // each job (search/match-trigger.ts encodes them as typed terms). Ordered for a match's
    // lookup, newest first; deleted with their job through the index on seq.
    version: 12,
    sql: `
      CREATE TABLE job_search (
        workflow TEXT    NOT NULL,
        path     TEXT    NOT NULL,
        term     TEXT    NOT NULL,
        seq      INTEGER NOT NULL REFERENCES jobs (seq) ON DELETE CASCADE,
        PRIMARY KEY (workflow, path, term, seq)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX job_search_by_seq ON job_search (seq);
      -- The first seq indexed since each path was declared: older jobs are found by scanning.
      CREATE TABLE search_paths (
        workflow  TEXT    NOT NULL,
        path      TEXT    NOT NULL,
        since_seq INTEGER NOT NULL,
        PRIMARY KEY (workflow, path)
      ) STRICT, WITHOUT ROWID;

      -- Consecutive failed runs of a poll or schedule (0 after a success): the error workflow
      -- runs when the count reaches its threshold, so once per streak.
      ALTER TABLE trigger_state ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    // The time a step waited for its connection's throttle (slots and pauses).
    version: 13,
    sql: `ALTER TABLE steps ADD COLUMN waited_ms INTEGER NOT NULL DEFAULT 0;`,
  },
];

/**
 * Applies every migration newer than the database's `user_version`. Each one re-reads the
 * version under the write lock, so two processes starting on one file don't apply it twice.
 */
export function migrate(db: BetterSqlite3.Database, migrations = MIGRATIONS): void {
  const latest = migrations.at(-1)?.version ?? 0;
  const current = userVersion(db);
  if (current > latest) {
    throw new StoreError(
      'store_schema_too_new',
      `database ${db.name} has schema version ${current} but this Hookflow knows versions up to ${latest}; run a newer Hookflow, or point --data at another directory`,
      { file: db.name, version: current, latest },
    );
  }
  const apply = db.transaction((migration: Migration) => {
    if (userVersion(db) >= migration.version) return;
    db.exec(migration.sql);
    db.pragma(`user_version = ${migration.version}`);
  });
  for (const migration of migrations) {
    if (migration.version > current) apply.immediate(migration);
  }
}

function userVersion(db: BetterSqlite3.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}
