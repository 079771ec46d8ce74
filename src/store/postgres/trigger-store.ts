/**
 * @module store/postgres/trigger-store
 * The Store methods of poll and schedule triggers and of connector trigger lifecycle records
 * on PostgreSQL.
 *
 * A poll is recorded in ONE transaction under an advisory lock on its workflow: the seen
 * items read, the jobs inserted (and notified), the items remembered and the state saved
 * commit together, and two processes recording polls of one workflow at once take turns, so
 * each item starts one job.
 *
 * @example
 *   return { ...coreMethods, ...createTriggerMethods(db) };
 */
import type { PollResult, TriggerState, TriggerStore } from '../types.js';
import type { PgAccess } from './pool.js';
import { jsonb, toTriggerLifecycle } from './rows.js';
import type { TriggerLifecycleRow } from './rows.js';
import { INSERT_FAILURE_JOB } from './statements.js';
import {
  CLAIM_TICK,
  DELETE_LIFECYCLE,
  FIND_SEEN,
  GET_STATE,
  INSERT_JOBS,
  LIST_LIFECYCLES,
  LOCK_POLL,
  PURGE_SEEN,
  RESET_SCHEDULE,
  SAVE_FAILURE,
  SAVE_LIFECYCLE,
  SAVE_POLL_SUCCESS,
  UPSERT_SEEN,
} from './trigger-statements.js';
import type { TriggerStateRow } from './trigger-statements.js';

/** A remembered item's window is written again only when this much of it has passed. */
const MAX_REFRESH_SLACK_MS = 86_400_000;

export function createTriggerMethods(db: PgAccess): TriggerStore {
  return {
    async getTriggerState(workflow) {
      const { rows } = await db.query<TriggerStateRow>('getTriggerState', GET_STATE, [workflow]);
      return rows[0] === undefined ? null : toTriggerState(rows[0]);
    },

    async recordPoll(poll: PollResult) {
      const expiresAt = poll.startedAt + poll.seenWindowMs;
      const refreshBefore =
        expiresAt - Math.min(Math.floor(poll.seenWindowMs / 10), MAX_REFRESH_SLACK_MS);
      const created = await db.transaction('recordPoll', async (client) => {
        await client.query(LOCK_POLL, [poll.workflow]);
        const state = await client.query<{ polled: boolean }>(GET_STATE, [poll.workflow]);
        const first = !(state.rows[0]?.polled ?? false);
        const seenRows = await client.query<{
          item_id: string;
          version: string | null;
          expires_at: number;
        }>(FIND_SEEN, [poll.workflow, poll.items.map((i) => i.id)]);
        const seenById = new Map(seenRows.rows.map((r) => [r.item_id, r]));
        const jobs: PollResult['items'][number]['job'][] = [];
        const remember = new Map<string, string | null>();
        for (const item of poll.items) {
          const seen = seenById.get(item.id);
          const known = seen !== undefined && seen.expires_at > poll.startedAt;
          const changed = known && seen.version !== item.version;
          if ((!known && !(first && item.baseline)) || changed) jobs.push(item.job);
          if (!known || changed || seen.expires_at < refreshBefore) {
            remember.set(item.id, item.version);
          }
          // An item listed twice in one poll counts once, as it does on SQLite.
          seenById.set(item.id, { item_id: item.id, version: item.version, expires_at: expiresAt });
        }
        if (jobs.length > 0) {
          await client.query(INSERT_JOBS, [
            jobs.map((j) => j.id),
            jobs.map(() => poll.workflow),
            jobs.map((j) => JSON.stringify(j.trigger)),
            jobs.map(() => null),
            jobs.map(() => poll.finishedAt),
            jobs.map(() => null),
            jobs.map((j) => j.concurrency?.key ?? null),
            jobs.map((j) => j.concurrency?.limit ?? null),
            jobs.map(() => poll.version ?? null),
            jobs.map(() => null),
          ]);
        }
        if (remember.size > 0) {
          await client.query(UPSERT_SEEN, [
            poll.workflow,
            [...remember.keys()],
            [...remember.values()],
            expiresAt,
          ]);
        }
        await client.query(SAVE_POLL_SUCCESS, [
          poll.workflow,
          poll.state === undefined ? null : JSON.stringify(poll.state),
          poll.startedAt,
          poll.startedAt,
          poll.finishedAt,
        ]);
        return jobs.map((j) => j.id);
      });
      if (created.length > 0) db.wakeWorkers();
      return created;
    },

    async recordTriggerFailure(workflow, atMs, error, alert) {
      const raised = await db.transaction('recordTriggerFailure', async (client) => {
        // The row lock of the upsert orders processes: each sees its own count.
        const { rows } = await client.query<{ failures: number }>(SAVE_FAILURE, [
          workflow,
          atMs,
          error,
        ]);
        if (alert === undefined || rows[0]?.failures !== alert.after) return { raised: false };
        const inserted = await client.query(INSERT_FAILURE_JOB, [
          alert.job.id,
          alert.job.workflow,
          JSON.stringify(alert.job.trigger),
          alert.job.version,
          null,
        ]);
        return { raised: true, queued: (inserted.rowCount ?? 0) > 0 };
      });
      // After the commit: a worker woken earlier would not see the job yet.
      if (raised.queued) db.wakeWorkers();
      return raised.raised;
    },

    async claimTick(workflow, tickAt, job) {
      const { rowCount } = await db.query('claimTick', CLAIM_TICK, [
        workflow,
        tickAt,
        Date.now(),
        job.id,
        JSON.stringify(job.trigger),
        job.version ?? null,
        job.concurrency?.key ?? null,
        job.concurrency?.limit ?? null,
      ]);
      if ((rowCount ?? 0) === 0) return false;
      db.wakeWorkers();
      return true;
    },

    async resetSchedule(workflow) {
      await db.query('resetSchedule', RESET_SCHEDULE, [workflow]);
    },

    async purgeSeenItems(nowMs) {
      return (await db.query('purgeSeenItems', PURGE_SEEN, [nowMs])).rowCount ?? 0;
    },

    async listTriggerLifecycles() {
      const { rows } = await db.query<TriggerLifecycleRow>(
        'listTriggerLifecycles',
        LIST_LIFECYCLES,
      );
      return rows.map(toTriggerLifecycle);
    },

    async saveTriggerLifecycle(r) {
      await db.query('saveTriggerLifecycle', SAVE_LIFECYCLE, [
        r.id,
        r.workflow,
        r.fingerprint,
        jsonb(r.spec),
        r.status,
        jsonb(r.state),
        r.attempts,
        r.lastError,
        r.nextAttemptAt,
        r.updatedAt,
      ]);
    },

    async deleteTriggerLifecycle(id) {
      await db.query('deleteTriggerLifecycle', DELETE_LIFECYCLE, [id]);
    },
  };
}

export function toTriggerState(row: TriggerStateRow): TriggerState {
  return {
    state: row.state,
    polled: row.polled,
    sinceAt: row.since_at,
    lastTickAt: row.last_tick_at,
    lastRunAt: row.last_run_at,
    lastSuccessAt: row.last_success_at,
    lastError: row.last_error,
  };
}
