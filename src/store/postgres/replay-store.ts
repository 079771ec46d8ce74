/**
 * @module store/postgres/replay-store
 * Bulk replays on PostgreSQL: the replays table, the filter's queries, and each batch of new
 * jobs committed with the replay's progress in one transaction. The batch first locks the
 * replay's row (`UPDATE … WHERE status = 'running'`), so a cancel and a batch never interleave:
 * the batch either commits before the cancel or finds the replay cancelled and writes nothing.
 * The commit notifies the workers of the new jobs.
 *
 * @example
 *   return { ...coreMethods, ...createReplayMethods(db) };
 */
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
import type { PgAccess } from './pool.js';

const NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/** $1 ids, $2 workflows, $3 triggers, $4 originals, $5 keys, $6 limits, $7 versions, $8 replay. */
const INSERT_REPLAY_JOBS = `
  INSERT INTO jobs (id, workflow, status, attempt, trigger, rerun_of, created_at,
    concurrency_key, concurrency_limit, version, replay_id)
  SELECT id, workflow, 'queued', 0, trigger, rerun_of, ${NOW_MS}, concurrency_key,
    concurrency_limit, version, $8
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::integer[], $7::text[])
    AS j (id, workflow, trigger, rerun_of, concurrency_key, concurrency_limit, version)
  ON CONFLICT (replay_id, rerun_of) WHERE replay_id IS NOT NULL DO NOTHING
  RETURNING id`;

export function createReplayMethods(db: PgAccess): ReplayStore {
  async function withCounts(operation: string, row: ReplayRow) {
    const { rows } = await db.query<{ status: JobStatus; n: number }>(
      operation,
      REPLAY_JOB_COUNTS('$1'),
      [row.id],
    );
    return toReplay(row, rows);
  }

  async function replayRow(operation: string, id: string): Promise<ReplayRow | undefined> {
    const { rows } = await db.query<ReplayRow>(operation, 'SELECT * FROM replays WHERE id = $1', [
      id,
    ]);
    return rows[0];
  }

  return {
    async matchJobs(filter, sample) {
      const params: unknown[] = [];
      const w = filterSql(filter, dialect('postgres', params));
      const count = await db.query<{ n: number }>(
        'matchJobs',
        `SELECT count(*)::bigint AS n FROM jobs j WHERE ${w}`,
        params,
      );
      const rows = await db.query<MatchedRow>(
        'matchJobs',
        `SELECT ${MATCHED_COLUMNS} FROM jobs j WHERE ${w} ORDER BY j.seq DESC
         LIMIT $${params.length + 1}`,
        [...params, sample],
      );
      return { count: count.rows[0]?.n ?? 0, sample: rows.rows.map(toMatchedJob) };
    },

    async createReplay(replay) {
      const params: unknown[] = [
        replay.id,
        JSON.stringify(replay.filter),
        replay.version,
        replay.rate,
      ];
      const w = filterSql(replay.filter, dialect('postgres', params));
      // One statement: the bound and the count see the same snapshot.
      const { rows } = await db.query<ReplayRow>(
        'createReplay',
        `WITH bound AS (SELECT coalesce(max(seq), 0) AS max_seq FROM jobs)
         INSERT INTO replays (id, filter, version, rate, status, max_seq, matched, created_at)
         SELECT $1, $2, $3, $4, 'running', bound.max_seq,
           (SELECT count(*) FROM jobs j WHERE ${w} AND j.seq <= bound.max_seq), ${NOW_MS}
         FROM bound
         RETURNING *`,
        params,
      );
      return withCounts('createReplay', rows[0] as ReplayRow);
    },

    async getReplay(id) {
      const row = await replayRow('getReplay', id);
      return row === undefined ? null : withCounts('getReplay', row);
    },

    async listReplays(limit) {
      const { rows } = await db.query<ReplayRow>(
        'listReplays',
        'SELECT * FROM replays ORDER BY created_at DESC, id DESC LIMIT $1',
        [limit],
      );
      return Promise.all(rows.map((row) => withCounts('listReplays', row)));
    },

    async runningReplays() {
      const { rows } = await db.query<{ id: string }>(
        'runningReplays',
        "SELECT id FROM replays WHERE status = 'running' ORDER BY created_at, id",
      );
      return rows.map((r) => r.id);
    },

    async replayCandidates(id, limit) {
      const row = await replayRow('replayCandidates', id);
      if (row === undefined || row.status !== 'running') return [];
      const params: unknown[] = [];
      const w = filterSql(JSON.parse(row.filter) as ReplayFilter, dialect('postgres', params));
      const n = params.length;
      const { rows } = await db.query<Omit<ReplayCandidate, 'trigger'> & { trigger: string }>(
        'replayCandidates',
        `SELECT ${CANDIDATE_COLUMNS} FROM jobs j
         WHERE ${w} AND j.seq > $${n + 1} AND j.seq <= $${n + 2} AND j.finished_at <= $${n + 3}
         ORDER BY j.seq LIMIT $${n + 4}`,
        [...params, row.after_seq, row.max_seq, row.created_at, limit],
      );
      return rows.map((r) => ({
        ...r,
        trigger: JSON.parse(r.trigger) as ReplayCandidate['trigger'],
      }));
    },

    async commitReplayBatch(batch) {
      const { jobs } = batch;
      const inserted = await db.transaction('commitReplayBatch', async (client) => {
        const held = await client.query(
          "UPDATE replays SET after_seq = greatest(after_seq, $2) WHERE id = $1 AND status = 'running'",
          [batch.replay, batch.afterSeq],
        );
        if (held.rowCount === 0) return null;
        const { rows } = await client.query<{ id: string }>(INSERT_REPLAY_JOBS, [
          jobs.map((j) => j.id),
          jobs.map((j) => j.workflow),
          jobs.map((j) => JSON.stringify(j.trigger)),
          jobs.map((j) => j.original),
          jobs.map((j) => j.concurrency?.key ?? null),
          jobs.map((j) => j.concurrency?.limit ?? null),
          jobs.map((j) => j.version ?? null),
          batch.replay,
        ]);
        const inserted = rows.map((r) => r.id);
        await client.query(
          'UPDATE replays SET created = created + $2, skipped = skipped + $3 WHERE id = $1',
          [batch.replay, inserted.length, batch.skipped],
        );
        return inserted;
      });
      if (inserted && inserted.length > 0) db.wakeWorkers();
      return inserted;
    },

    async finishReplay(id, status, error) {
      const { rowCount } = await db.query(
        'finishReplay',
        `UPDATE replays SET status = $2, error = $3, finished_at = ${NOW_MS},
           skipped = CASE WHEN $2 = 'done' THEN greatest(skipped, matched - created) ELSE skipped END
         WHERE id = $1 AND status = 'running'`,
        [id, status, error],
      );
      return (rowCount ?? 0) > 0;
    },

    async cancelReplay(id) {
      await db.query(
        'cancelReplay',
        `UPDATE replays SET status = 'cancelled', finished_at = ${NOW_MS}
         WHERE id = $1 AND status = 'running'`,
        [id],
      );
      const row = await replayRow('cancelReplay', id);
      return row === undefined ? null : withCounts('cancelReplay', row);
    },
  };
}
