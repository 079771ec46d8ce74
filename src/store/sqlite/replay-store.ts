/**
 * @module store/sqlite/replay-store
 * Bulk replays on SQLite: the replays table, the filter's queries, and each batch of new jobs
 * committed with the replay's progress in one group-committed write. Statements whose text
 * depends on the filter are prepared per call (a replay runs a few batches a second).
 *
 * @example
 *   return { ...coreMethods, ...createReplayMethods(write, read) };
 */
import type BetterSqlite3 from 'better-sqlite3';
import {
  CANDIDATE_COLUMNS,
  MATCHED_COLUMNS,
  REPLAY_JOB_COUNTS,
  dialect,
  filterSql,
  toMatchedJob,
  toReplay,
} from '../replay-rows.js';
import type { MatchedRow, ReplayRow } from '../replay-rows.js';
import type { JobStatus, ReplayCandidate, ReplayFilter, ReplayStore } from '../types.js';

type Write = <T>(operation: string, op: () => T) => Promise<T>;
type Read = (operation: string) => { db: BetterSqlite3.Database };

/** The filter's WHERE clause and its parameters. */
function where(filter: ReplayFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  return { sql: filterSql(filter, dialect('sqlite', params)), params };
}

const INSERT_REPLAY_JOB = `
  INSERT INTO jobs (id, workflow, status, attempt, trigger, rerun_of, created_at,
    concurrency_key, concurrency_limit, version, replay_id)
  VALUES (?, ?, 'queued', 0, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (replay_id, rerun_of) WHERE replay_id IS NOT NULL DO NOTHING`;

export function createReplayMethods(write: Write, read: Read): ReplayStore {
  const db = (operation: string) => read(operation).db;

  function replayRow(d: BetterSqlite3.Database, id: string): ReplayRow | undefined {
    return d.prepare<[string], ReplayRow>('SELECT * FROM replays WHERE id = ?').get(id);
  }

  function withCounts(d: BetterSqlite3.Database, row: ReplayRow) {
    const counts = d
      .prepare<[string], { status: JobStatus; n: number }>(REPLAY_JOB_COUNTS('?'))
      .all(row.id);
    return toReplay(row, counts);
  }

  return {
    async matchJobs(filter, sample) {
      const d = db('matchJobs');
      const w = where(filter);
      const count = d
        .prepare<unknown[], number>(`SELECT count(*) FROM jobs j WHERE ${w.sql}`)
        .pluck()
        .get(...w.params);
      const rows = d
        .prepare<unknown[], MatchedRow>(
          `SELECT ${MATCHED_COLUMNS} FROM jobs j WHERE ${w.sql} ORDER BY j.seq DESC LIMIT ?`,
        )
        .all(...w.params, sample);
      return { count: count ?? 0, sample: rows.map(toMatchedJob) };
    },

    async createReplay(replay) {
      const d = db('createReplay');
      const w = where(replay.filter);
      await write('createReplay', () => {
        const maxSeq =
          d.prepare<[], number>('SELECT coalesce(max(seq), 0) FROM jobs').pluck().get() ?? 0;
        const matched =
          d
            .prepare<unknown[], number>(`SELECT count(*) FROM jobs j WHERE ${w.sql} AND j.seq <= ?`)
            .pluck()
            .get(...w.params, maxSeq) ?? 0;
        d.prepare(
          `INSERT INTO replays (id, filter, version, rate, status, max_seq, matched, created_at)
           VALUES (?, ?, ?, ?, 'running', ?, ?, ?)`,
        ).run(
          replay.id,
          JSON.stringify(replay.filter),
          replay.version,
          replay.rate,
          maxSeq,
          matched,
          Date.now(),
        );
      });
      return withCounts(d, replayRow(d, replay.id) as ReplayRow);
    },

    async getReplay(id) {
      const d = db('getReplay');
      const row = replayRow(d, id);
      return row === undefined ? null : withCounts(d, row);
    },

    async listReplays(limit) {
      const d = db('listReplays');
      return d
        .prepare<[number], ReplayRow>(
          'SELECT * FROM replays ORDER BY created_at DESC, id DESC LIMIT ?',
        )
        .all(limit)
        .map((row) => withCounts(d, row));
    },

    async runningReplays() {
      return db('runningReplays')
        .prepare<[], string>(
          "SELECT id FROM replays WHERE status = 'running' ORDER BY created_at, id",
        )
        .pluck()
        .all();
    },

    async replayCandidates(id, limit) {
      const d = db('replayCandidates');
      const row = replayRow(d, id);
      if (row === undefined || row.status !== 'running') return [];
      const w = where(JSON.parse(row.filter) as ReplayFilter);
      const rows = d
        .prepare<unknown[], Omit<ReplayCandidate, 'trigger'> & { trigger: string }>(
          `SELECT ${CANDIDATE_COLUMNS} FROM jobs j
           WHERE ${w.sql} AND j.seq > ? AND j.seq <= ? AND j.finished_at <= ?
           ORDER BY j.seq LIMIT ?`,
        )
        .all(...w.params, row.after_seq, row.max_seq, row.created_at, limit);
      return rows.map((r) => ({
        ...r,
        trigger: JSON.parse(r.trigger) as ReplayCandidate['trigger'],
      }));
    },

    async commitReplayBatch(batch) {
      const d = db('commitReplayBatch');
      const triggers = batch.jobs.map((j) => JSON.stringify(j.trigger));
      return write('commitReplayBatch', () => {
        const row = replayRow(d, batch.replay);
        if (row === undefined || row.status !== 'running') return null;
        const insert = d.prepare(INSERT_REPLAY_JOB);
        const now = Date.now();
        const inserted: string[] = [];
        batch.jobs.forEach((job, i) => {
          const { changes } = insert.run(
            job.id,
            job.workflow,
            triggers[i],
            job.original,
            now,
            job.concurrency?.key ?? null,
            job.concurrency?.limit ?? null,
            job.version ?? null,
            batch.replay,
          );
          if (changes > 0) inserted.push(job.id);
        });
        d.prepare(
          `UPDATE replays SET after_seq = max(after_seq, ?), created = created + ?,
             skipped = skipped + ? WHERE id = ?`,
        ).run(batch.afterSeq, inserted.length, batch.skipped, batch.replay);
        return inserted;
      });
    },

    async finishReplay(id, status, error) {
      const d = db('finishReplay');
      return write(
        'finishReplay',
        () =>
          d
            .prepare(
              `UPDATE replays SET status = ?, error = ?, finished_at = ?,
                 skipped = CASE WHEN ? = 'done' THEN max(skipped, matched - created) ELSE skipped END
               WHERE id = ? AND status = 'running'`,
            )
            .run(status, error, Date.now(), status, id).changes > 0,
      );
    },

    async cancelReplay(id) {
      const d = db('cancelReplay');
      await write('cancelReplay', () =>
        d
          .prepare(
            "UPDATE replays SET status = 'cancelled', finished_at = ? WHERE id = ? AND status = 'running'",
          )
          .run(Date.now(), id),
      );
      const row = replayRow(d, id);
      return row === undefined ? null : withCounts(d, row);
    },
  };
}
