/**
 * @module store/sqlite/trigger-store
 * The Store methods of poll and schedule triggers and of connector trigger lifecycle records
 * on SQLite, written with the store's own
 * `write` (group commit) and read helpers, and spread into the store object.
 *
 * A poll's items are classified inside its write: the seen-state read and the jobs inserted
 * run in the same transaction, so two servers polling at once still start one job per item.
 *
 * @example
 *   return { ...coreMethods, ...createTriggerMethods(write, read) };
 */
import type {
  PollResult,
  ScheduleJob,
  TriggerLifecycleRecord,
  TriggerState,
  TriggerStore,
} from '../types.js';
import { jsonOrNull, toTriggerLifecycle } from './rows.js';
import type { TriggerLifecycleRow } from './rows.js';
import type { Statements } from './statements.js';
import type { TriggerStateRow } from './trigger-statements.js';

type Write = <T>(operation: string, op: (sql: Statements) => T) => Promise<T>;
type Read = (operation: string) => Statements;

/** A remembered item's window is written again only when this much of it has passed. */
const MAX_REFRESH_SLACK_MS = 86_400_000;

export function createTriggerMethods(write: Write, read: Read): TriggerStore {
  return {
    async listTriggerLifecycles() {
      return read('listTriggerLifecycles').listTriggerLifecycles.all().map(toTriggerLifecycle);
    },

    async saveTriggerLifecycle(record: TriggerLifecycleRecord) {
      const row: TriggerLifecycleRow = {
        id: record.id,
        workflow: record.workflow,
        fingerprint: record.fingerprint,
        spec: JSON.stringify(record.spec),
        status: record.status,
        state: jsonOrNull(record.state),
        attempts: record.attempts,
        last_error: record.lastError,
        next_attempt_at: record.nextAttemptAt,
        updated_at: record.updatedAt,
      };
      return write('saveTriggerLifecycle', (sql) => {
        sql.saveTriggerLifecycle.run(row);
      });
    },

    async deleteTriggerLifecycle(id: string) {
      return write('deleteTriggerLifecycle', (sql) => {
        sql.deleteTriggerLifecycle.run(id);
      });
    },
    async getTriggerState(workflow) {
      const row = read('getTriggerState').triggers.getState.get(workflow);
      return row === undefined ? null : toTriggerState(row);
    },

    async recordPoll(poll: PollResult) {
      const stateJson = poll.state === undefined ? null : JSON.stringify(poll.state);
      const expiresAt = poll.startedAt + poll.seenWindowMs;
      // Rows whose window still reaches past this are not rewritten on every poll.
      const refreshBefore =
        expiresAt - Math.min(Math.floor(poll.seenWindowMs / 10), MAX_REFRESH_SLACK_MS);
      return write('recordPoll', (sql) => {
        const t = sql.triggers;
        const first = (t.getState.get(poll.workflow)?.polled ?? 0) === 0;
        const jobIds: string[] = [];
        for (const item of poll.items) {
          const seen = t.findSeen.get(poll.workflow, item.id);
          const known = seen !== undefined && seen.expires_at > poll.startedAt;
          const changed = known && seen.version !== item.version;
          if ((!known && !(first && item.baseline)) || changed) {
            sql.insertJob.run({
              id: item.job.id,
              workflow: poll.workflow,
              trigger: JSON.stringify(item.job.trigger),
              rerunOf: null,
              createdAt: poll.finishedAt,
              traceContext: null,
              concurrencyKey: item.job.concurrency?.key ?? null,
              concurrencyLimit: item.job.concurrency?.limit ?? null,
              version: poll.version ?? null,
              failureOf: null,
            });
            jobIds.push(item.job.id);
          }
          if (!known || changed || seen.expires_at < refreshBefore) {
            t.upsertSeen.run(poll.workflow, item.id, item.version, expiresAt);
          }
        }
        t.savePollSuccess.run({
          workflow: poll.workflow,
          state: stateJson,
          sinceAt: poll.startedAt,
          runAt: poll.startedAt,
          successAt: poll.finishedAt,
        });
        return jobIds;
      });
    },

    async recordTriggerFailure(workflow, atMs, error, alert) {
      const trigger = alert && JSON.stringify(alert.job.trigger);
      return write('recordTriggerFailure', (sql) => {
        const failures = sql.triggers.saveFailure.get(workflow, atMs, error);
        if (alert === undefined || failures !== alert.after) return false;
        sql.insertJob.run({
          id: alert.job.id,
          workflow: alert.job.workflow,
          trigger: trigger as string,
          rerunOf: null,
          createdAt: Date.now(),
          traceContext: null,
          concurrencyKey: null,
          concurrencyLimit: null,
          version: alert.job.version,
          failureOf: null,
        });
        return true;
      });
    },

    async claimTick(workflow, tickAt, job: ScheduleJob) {
      const trigger = JSON.stringify(job.trigger);
      return write('claimTick', (sql) => {
        const nowMs = Date.now();
        if (sql.triggers.claimTick.run({ workflow, tickAt, nowMs }).changes === 0) return false;
        sql.insertJob.run({
          id: job.id,
          workflow,
          trigger,
          rerunOf: null,
          createdAt: nowMs,
          traceContext: null,
          concurrencyKey: job.concurrency?.key ?? null,
          concurrencyLimit: job.concurrency?.limit ?? null,
          version: job.version ?? null,
          failureOf: null,
        });
        return true;
      });
    },

    async resetSchedule(workflow) {
      return write('resetSchedule', (sql) => {
        sql.triggers.resetSchedule.run(workflow);
      });
    },

    async purgeSeenItems(nowMs) {
      return write('purgeSeenItems', (sql) => sql.triggers.purgeSeen.run(nowMs).changes);
    },
  };
}

export function toTriggerState(row: TriggerStateRow): TriggerState {
  return {
    state: row.state === null ? null : (JSON.parse(row.state) as unknown),
    polled: row.polled === 1,
    sinceAt: row.since_at,
    lastTickAt: row.last_tick_at,
    lastRunAt: row.last_run_at,
    lastSuccessAt: row.last_success_at,
    lastError: row.last_error,
  };
}
