/**
 * @module store/postgres/migrations
 * The schema as numbered SQL migrations, applied in order, each in its own transaction, with
 * the applied versions kept in `hookflow_migrations`. Append a migration; never edit a
 * published one.
 *
 * Several processes may start at once on one database: each takes a session advisory lock
 * (keyed on the schema) around the whole run, so one applies the migrations and the others
 * then find them applied.
 *
 * The tables mirror SQLite's (sqlite/migrations.ts): timestamps are epoch milliseconds
 * (bigint), so rows convert the same way and the listing cursor is the same `seq`. Payloads
 * (a job's trigger with its rawBody, steps' input and output, replies) are text, kept exactly
 * as written: jsonb would refuse a "\u0000" in a string that SQLite stores, and reorders keys.
 * Internal JSON that is worth querying (connector trigger state and specs, poll state) is jsonb.
 *
 * @example
 *   await migrate(pool, 'public'); // brings the schema up to MIGRATIONS.at(-1).version
 */
import type pg from 'pg';
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
        seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id          text   NOT NULL UNIQUE,
        workflow    text   NOT NULL,
        status      text   NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
        attempt     integer NOT NULL DEFAULT 0,
        rerun_of    text,
        trigger     text   NOT NULL,
        reply       text,
        error       text,
        owner       text,
        lease_until bigint,
        created_at  bigint NOT NULL,
        started_at  bigint,
        finished_at bigint
      );
      CREATE INDEX jobs_by_workflow ON jobs (workflow, seq);
      CREATE INDEX jobs_by_status ON jobs (status, seq);
      -- What claims walk, oldest first: only unfinished jobs, a small part of the table.
      CREATE INDEX jobs_claimable ON jobs (seq) WHERE status IN ('queued', 'running');

      CREATE TABLE steps (
        job_id      text    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        seq         integer NOT NULL,
        id          text    NOT NULL,
        type        text    NOT NULL,
        status      text    NOT NULL,
        input       text,
        output      text,
        error       text,
        attempts    integer NOT NULL,
        started_at  bigint  NOT NULL,
        duration_ms bigint  NOT NULL,
        PRIMARY KEY (job_id, seq)
      );

      CREATE TABLE dedupe (
        workflow   text   NOT NULL,
        key        text   NOT NULL,
        job_id     text   NOT NULL,
        answer     text,
        expires_at bigint NOT NULL,
        PRIMARY KEY (workflow, key)
      );
      CREATE INDEX dedupe_by_expiry ON dedupe (expires_at);

      CREATE TABLE meta (
        key   text NOT NULL PRIMARY KEY,
        value text NOT NULL
      );

      CREATE TABLE connections (
        name       text    NOT NULL PRIMARY KEY,
        document   text    NOT NULL,
        sealed     boolean NOT NULL,
        updated_at bigint  NOT NULL
      );
      CREATE TABLE connection_tokens (
        name       text   NOT NULL PRIMARY KEY,
        tokens     text   NOT NULL,
        updated_at bigint NOT NULL
      );
      CREATE TABLE oauth_states (
        state      text   NOT NULL PRIMARY KEY,
        connection text   NOT NULL,
        data       text   NOT NULL,
        expires_at bigint NOT NULL
      );

      CREATE TABLE trigger_lifecycle (
        id              text    NOT NULL PRIMARY KEY,
        workflow        text    NOT NULL,
        fingerprint     text    NOT NULL,
        spec            jsonb   NOT NULL,
        status          text    NOT NULL CHECK (status IN ('pending', 'ready', 'failed', 'retiring')),
        state           jsonb,
        attempts        integer NOT NULL,
        last_error      text,
        next_attempt_at bigint,
        updated_at      bigint  NOT NULL
      );

      CREATE TABLE trigger_state (
        workflow        text    NOT NULL PRIMARY KEY,
        state           jsonb,
        polled          boolean NOT NULL DEFAULT false,
        since_at        bigint,
        last_tick_at    bigint,
        last_run_at     bigint,
        last_success_at bigint,
        last_error      text
      );
      CREATE TABLE poll_seen (
        workflow   text   NOT NULL,
        item_id    text   NOT NULL,
        version    text,
        expires_at bigint NOT NULL,
        PRIMARY KEY (workflow, item_id)
      );
      CREATE INDEX poll_seen_by_expiry ON poll_seen (expires_at);

      CREATE TABLE api_workflows (
        name       text   NOT NULL PRIMARY KEY,
        text       text   NOT NULL,
        format     text   NOT NULL CHECK (format IN ('yaml', 'json')),
        updated_at bigint NOT NULL
      );
      CREATE TABLE workflow_overrides (
        name       text    NOT NULL PRIMARY KEY,
        enabled    boolean NOT NULL,
        hash       text    NOT NULL,
        updated_at bigint  NOT NULL
      );
    `,
  },
  {
    // The W3C trace context a job's spans continue (JSON of the propagator's fields), so a
    // claim by another process, a retry or a resume stays in the same trace. NULL: no tracing.
    version: 2,
    sql: `ALTER TABLE jobs ADD COLUMN trace_context text;`,
  },
  {
    // The workflow's concurrency key and limit as they were when the job was created (NULL:
    // no limit); the index finds a key's queued and running jobs for the claim's count.
    // rate_windows: rate limit counters, UNLOGGED (no WAL: a crash only forgives a window).
    version: 3,
    sql: `
      ALTER TABLE jobs ADD COLUMN concurrency_key text;
      ALTER TABLE jobs ADD COLUMN concurrency_limit integer;
      CREATE INDEX jobs_by_concurrency ON jobs (workflow, concurrency_key, status, seq)
        WHERE concurrency_key IS NOT NULL AND status IN ('queued', 'running');
      CREATE UNLOGGED TABLE rate_windows (
        workflow   text    NOT NULL,
        key        text    NOT NULL,
        window_end bigint  NOT NULL,
        hits       integer NOT NULL,
        PRIMARY KEY (workflow, key, window_end)
      );
    `,
  },
  {
    // Versions and error workflows, as on SQLite (sqlite/migrations.ts, version 9).
    version: 4,
    sql: `
      ALTER TABLE jobs ADD COLUMN version text;
      ALTER TABLE jobs ADD COLUMN failure_of text;
      CREATE UNIQUE INDEX jobs_by_failure_of ON jobs (failure_of) WHERE failure_of IS NOT NULL;
      CREATE INDEX jobs_by_version ON jobs (workflow, version, seq);
      CREATE TABLE workflow_versions (
        workflow   text   NOT NULL,
        version    text   NOT NULL,
        file       text   NOT NULL,
        text       text   NOT NULL,
        created_at bigint NOT NULL,
        PRIMARY KEY (workflow, version)
      );
    `,
  },
  {
    // Bulk replays, as on SQLite (sqlite/migrations.ts, version 10).
    version: 5,
    sql: `
      ALTER TABLE jobs ADD COLUMN replay_id text;
      CREATE UNIQUE INDEX jobs_by_replay ON jobs (replay_id, rerun_of) WHERE replay_id IS NOT NULL;
      CREATE INDEX jobs_replayed ON jobs (rerun_of) WHERE replay_id IS NOT NULL;
      CREATE TABLE replays (
        id          text    NOT NULL PRIMARY KEY,
        filter      text    NOT NULL,
        version     text    NOT NULL CHECK (version IN ('original', 'current')),
        rate        integer NOT NULL,
        status      text    NOT NULL CHECK (status IN ('running', 'done', 'cancelled', 'failed')),
        max_seq     bigint  NOT NULL,
        after_seq   bigint  NOT NULL DEFAULT 0,
        matched     integer NOT NULL,
        created     integer NOT NULL DEFAULT 0,
        skipped     integer NOT NULL DEFAULT 0,
        error       text,
        created_at  bigint  NOT NULL,
        finished_at bigint
      );
      CREATE INDEX replays_by_status ON replays (status, created_at);
    `,
  },
  {
    // Debounce, as on SQLite (sqlite/migrations.ts, version 11).
    version: 6,
    sql: `
      ALTER TABLE jobs ADD COLUMN run_after bigint;
      ALTER TABLE jobs ADD COLUMN debounce_key text;
      ALTER TABLE jobs ADD COLUMN debounce_count integer;
      ALTER TABLE jobs ADD COLUMN debounce_deadline bigint;
      ALTER TABLE jobs ADD COLUMN debounce_last_at bigint;
      CREATE UNIQUE INDEX jobs_debouncing ON jobs (workflow, debounce_key)
        WHERE debounce_key IS NOT NULL AND status = 'queued';
    `,
  },
  {
    // Search by payload and failure streaks of triggers, as on SQLite (sqlite/migrations.ts,
    // version 10).
    version: 7,
    sql: `
      CREATE TABLE job_search (
        workflow text   NOT NULL,
        path     text   NOT NULL,
        term     text   NOT NULL,
        seq      bigint NOT NULL REFERENCES jobs (seq) ON DELETE CASCADE,
        PRIMARY KEY (workflow, path, term, seq)
      );
      CREATE INDEX job_search_by_seq ON job_search (seq);
      CREATE TABLE search_paths (
        workflow  text   NOT NULL,
        path      text   NOT NULL,
        since_seq bigint NOT NULL,
        PRIMARY KEY (workflow, path)
      );
      ALTER TABLE trigger_state ADD COLUMN failures integer NOT NULL DEFAULT 0;
    `,
  },
  {
    // Connection throttles (store/postgres/throttle-store.ts): request slots and pauses,
    // UNLOGGED (a crash only forgives). steps.waited_ms: time a step waited for them.
    version: 8,
    sql: `
      CREATE UNLOGGED TABLE connection_slots (
        connection text    NOT NULL,
        slot       integer NOT NULL,
        used_at    bigint  NOT NULL,
        PRIMARY KEY (connection, slot)
      );
      CREATE INDEX connection_slots_by_use ON connection_slots (connection, used_at);
      CREATE UNLOGGED TABLE connection_pauses (
        connection   text   NOT NULL PRIMARY KEY,
        paused_until bigint NOT NULL
      );
      ALTER TABLE steps ADD COLUMN waited_ms bigint NOT NULL DEFAULT 0;
    `,
  },
  {
    // Claims walk jobs_by_status (status, seq) for 'queued' (statements.ts CLAIM_QUEUED);
    // the partial index of queued and running jobs only cost two index entries per job.
    version: 9,
    sql: `DROP INDEX jobs_claimable;`,
  },
];

/**
 * Creates `schema` when missing and applies every migration it lacks, under an advisory lock
 * so that processes starting together apply each migration once.
 */
export async function migrate(
  pool: pg.Pool,
  schema: string,
  migrations = MIGRATIONS,
): Promise<void> {
  const latest = migrations.at(-1)?.version ?? 0;
  const client = await pool.connect();
  const lockKey = `hookflow_migrations:${schema}`;
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS hookflow_migrations (
           version    integer PRIMARY KEY,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const { rows } = await client.query<{ version: number | null }>(
        'SELECT max(version) AS version FROM hookflow_migrations',
      );
      const current = rows[0]?.version ?? 0;
      if (current > latest) {
        throw new StoreError(
          'store_schema_too_new',
          `schema '${schema}' has version ${current} but this Hookflow knows versions up to ${latest}; run a newer Hookflow, or point it at another schema`,
          { schema, version: current, latest },
        );
      }
      for (const migration of migrations) {
        if (migration.version <= current) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO hookflow_migrations (version) VALUES ($1)', [
            migration.version,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
    }
  } finally {
    client.release();
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
