/**
 * @module triggers/runtime
 * Runs the time-driven triggers of the enabled workflows: `poll` (any {@link PollSource}) and
 * `schedule`. It follows the registry (a change stops the old trigger and starts the new one;
 * disabling or removing a workflow stops its ticks) and keeps each trigger's status.
 *
 * When a poll first runs: at once if it never succeeded, else one interval after the last
 * run (`every`, counted across restarts) or at the next cron time. A schedule fires at its
 * fire times only; at start-up, a schedule that missed fire times while Hookflow was down
 * runs ONE job for the newest of them (docs/triggers.md, "catch-up").
 *
 * @example
 *   const triggers = createTriggerRuntime({ store, intake, registry, log, env: {} });
 *   await triggers.start();
 *   triggers.status('orders');   // { lastRunAt, lastSuccessAt, lastError, nextRunAt }
 *   await triggers.stop();
 */
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { errorMessage } from '../errors.js';
import type { Intake } from '../queue/index.js';
import type { WorkflowChange, WorkflowRegistry } from '../registry/index.js';
import type { ConnectionResolver } from '../steps/index.js';
import type { Store, TriggerFailureAlert, TriggerState } from '../store/index.js';
import { triggerFailureJobFor } from '../engine/index.js';
import type { Timing, Workflow } from '../workflow/index.js';
import { noTimedTrigger } from './errors.js';
import { httpPollSource } from './http-poll-source.js';
import type { PollOptions, PollSource } from './poll-source.js';
import { pollOnce } from './run-poll.js';
import { claimScheduleTick } from './run-schedule.js';
import { RunLock, Ticker } from './ticker.js';
import { fireTimes, pollDue } from './timing.js';

export interface TriggerRuntimeDeps {
  store: Store;
  /** Where polls and schedule ticks commit their jobs. */
  intake: Intake;
  registry: WorkflowRegistry;
  log: Logger;
  /** Variables visible as `env` to a poll's request. */
  env?: Record<string, string>;
  connections?: ConnectionResolver;
  dispatcher?: Dispatcher;
  /**
   * A trigger failing `after` times in a row runs its error workflow (`on_failure`, else
   * `defaultOnFailure`) once per streak. Absent: failures only update the status.
   */
  failureAlerts?: { after: number; defaultOnFailure: string | null };
}

/** A trigger's status in the API. ISO times, null when it has not happened. */
export interface TriggerStatus {
  lastRunAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  nextRunAt: string | null;
}

export interface TriggerRuntime {
  /** Starts the triggers of the enabled workflows. */
  start(): Promise<void>;
  /** Stops every trigger and waits for the runs in progress. */
  stop(): Promise<void>;
  /** The status of a poll or schedule workflow (disabled ones too); undefined for others. */
  status(name: string): TriggerStatus | undefined;
  /** Runs a workflow's trigger now (joining a run in progress), e.g. for "poll now". */
  runNow(name: string): Promise<void>;
  /**
   * Polls `source` for workflow `name` (a connector's polling trigger) until `remove(name)`: the
   * caller removes it when the workflow is disabled, changed or deleted.
   */
  addPoll(name: string, source: PollSource, opts: PollOptions): Promise<void>;
  /** Stops the trigger of `name`, if it has one. */
  remove(name: string): void;
}

interface Status {
  lastRunAt: number | null;
  lastSuccessAt: number | null;
  lastError: string | null;
}

type TriggerKind = 'poll' | 'schedule';

const PURGE_EVERY_MS = 3_600_000;
/** A poll that failed and was recorded as such. */
const FAILED = Symbol('failed');

export function createTriggerRuntime(deps: TriggerRuntimeDeps): TriggerRuntime {
  const { store, intake, log } = deps;
  const lock = new RunLock();
  const tickers = new Map<string, Ticker>();
  /** Workflows whose poll was added from outside (a connector): they remove it themselves. */
  const external = new Set<string>();
  const statuses = new Map<string, Status>();
  let started = false;
  let purgeTimer: NodeJS.Timeout | null = null;

  function statusOf(name: string): Status {
    let status = statuses.get(name);
    if (!status)
      statuses.set(name, (status = { lastRunAt: null, lastSuccessAt: null, lastError: null }));
    return status;
  }

  function loadStatus(name: string, saved: TriggerState | null): void {
    statuses.set(name, {
      lastRunAt: saved?.lastRunAt ?? null,
      lastSuccessAt: saved?.lastSuccessAt ?? null,
      lastError: saved?.lastError ?? null,
    });
  }

  async function failed(name: string, at: number, e: unknown, what: TriggerKind): Promise<void> {
    const message = errorMessage(e);
    Object.assign(statusOf(name), { lastRunAt: at, lastError: message });
    log.warn(
      { workflow: name, error: message },
      `${what === 'poll' ? 'poll' : 'schedule tick'} failed; it is tried again at its next run`,
    );
    try {
      const alert = await failureAlert(name, what, message);
      if (await intake.recordTriggerFailure(name, at, message, alert)) {
        log.warn(
          { workflow: name, onFailure: alert?.job.workflow, failures: alert?.after },
          'trigger keeps failing; its error workflow runs',
        );
      }
    } catch (err) {
      log.error({ err, workflow: name }, 'could not record the trigger failure');
    }
  }

  /** The error workflow's job, should this failure be the one that reaches the streak length. */
  async function failureAlert(
    name: string,
    kind: TriggerKind,
    error: string,
  ): Promise<TriggerFailureAlert | undefined> {
    const alerts = deps.failureAlerts;
    const workflow = deps.registry.get(name);
    if (!alerts || !workflow) return undefined;
    const job = await triggerFailureJobFor(
      { workflow, kind, error, failures: alerts.after },
      {
        store,
        log,
        workflow: (n) => deps.registry.get(n),
        defaultOnFailure: alerts.defaultOnFailure,
      },
    );
    return job ? { after: alerts.after, job } : undefined;
  }

  function install(name: string, ticker: Ticker, firstAt: number | null): void {
    remove(name);
    tickers.set(name, ticker);
    ticker.start(firstAt);
  }

  function remove(name: string): void {
    tickers.get(name)?.stop();
    tickers.delete(name);
    external.delete(name);
  }

  async function addPoll(name: string, source: PollSource, opts: PollOptions): Promise<void> {
    await installPoll(name, source, opts);
    external.add(name);
  }

  async function installPoll(name: string, source: PollSource, opts: PollOptions): Promise<void> {
    const saved = await store.getTriggerState(name);
    loadStatus(name, saved);
    const times = fireTimes(opts.timing);
    const every = opts.timing.kind === 'every' ? opts.timing.ms : null;
    const next = (at: number) => (every !== null ? at + every : times.next(at));
    const ticker = new Ticker({
      name,
      lock,
      next,
      onSkip: () => log.debug({ workflow: name }, 'previous poll still running; this one skipped'),
      async run(at, signal, manual) {
        const startedAt = Date.now();
        try {
          // One process polls at a time, and only when no other polled this interval: the
          // lock is PostgreSQL's (freed at once if its holder dies), the last run the store's.
          const polled = await store.withLock(`poll:${name}`, { wait: false }, async () => {
            if (!manual) {
              const saved = await store.getTriggerState(name);
              if (!pollDue(opts.timing, at, Date.now(), saved?.lastRunAt ?? null)) {
                loadStatus(name, saved); // what the process that polled found
                return null;
              }
            }
            const pollStartedAt = Date.now();
            return pollOnce({ store, intake }, name, source, opts, signal).catch(
              async (e: unknown): Promise<typeof FAILED> => {
                // A failed poll is this interval's run too, recorded before the lock is let
                // go: the process that takes it next would otherwise ask the source again.
                if (!signal.aborted) await failed(name, pollStartedAt, e, 'poll');
                return FAILED;
              },
            );
          });
          if (!polled.held || polled.value === null) {
            log.debug({ workflow: name }, 'polled by another process this interval');
            return;
          }
          if (polled.value === FAILED) return;
          const outcome = polled.value;
          Object.assign(statusOf(name), {
            lastRunAt: outcome.startedAt,
            lastSuccessAt: outcome.finishedAt,
            lastError: null,
          });
          if (outcome.jobIds.length > 0) {
            log.info({ workflow: name, jobs: outcome.jobIds.length }, 'poll started jobs');
          }
        } catch (e) {
          // Stopped (disabled, changed, shut down): not a failure of the poll.
          if (!signal.aborted) await failed(name, startedAt, e, 'poll');
        }
      },
    });
    const now = Date.now();
    const firstAt =
      saved?.polled !== true
        ? now
        : every !== null && saved.lastRunAt !== null
          ? Math.max(now, saved.lastRunAt + every)
          : times.next(now);
    install(name, ticker, firstAt);
  }

  async function addSchedule(name: string, timing: Timing, atStartup: boolean): Promise<void> {
    const saved = await store.getTriggerState(name);
    loadStatus(name, saved);
    const times = fireTimes(timing);
    const ticker = new Ticker({
      name,
      lock,
      next: (at) => times.next(at),
      async run(at) {
        const now = Date.now();
        try {
          await claimScheduleTick(intake, name, timing, at);
          Object.assign(statusOf(name), { lastRunAt: now, lastSuccessAt: now, lastError: null });
        } catch (e) {
          await failed(name, now, e, 'schedule');
        }
      },
    });
    const now = Date.now();
    install(name, ticker, times.next(now));
    // Catch-up: fire times missed while Hookflow was down give one job, for the newest.
    const missed = times.latest(now);
    if (atStartup && saved?.lastTickAt != null && missed !== null && missed > saved.lastTickAt) {
      log.info(
        { workflow: name, scheduledAt: new Date(missed).toISOString() },
        'schedule missed fire times while stopped; running once for the newest',
      );
      void ticker.runNow(missed);
    }
  }

  async function startWorkflow(wf: Workflow, atStartup: boolean): Promise<void> {
    const t = wf.trigger;
    if (t.type !== 'poll' && t.type !== 'schedule') return;
    if (!wf.enabled) {
      const saved = await store.getTriggerState(wf.name);
      loadStatus(wf.name, saved);
      // A paused schedule catches nothing up when it is enabled again, even after a restart.
      if (t.type === 'schedule' && saved?.lastTickAt != null) await store.resetSchedule(wf.name);
      return;
    }
    if (t.type === 'schedule') return addSchedule(wf.name, t.timing, atStartup);
    const source = httpPollSource(wf.name, t, {
      env: deps.env ?? {},
      ...(deps.connections ? { connections: deps.connections } : {}),
      ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
    });
    return installPoll(wf.name, source, {
      timing: t.timing,
      since: t.since,
      seenWindowMs: t.seenWindowMs,
    });
  }

  async function onChange(changes: WorkflowChange[]): Promise<void> {
    if (!started) return;
    for (const { name, before, after } of changes) {
      const timed = after?.trigger.type === 'poll' || after?.trigger.type === 'schedule';
      // A poll added by a connector is its to remove, unless this workflow's trigger is ours now.
      if (external.has(name) && !timed) continue;
      remove(name);
      if (!timed) statuses.delete(name);
      try {
        if (after) await startWorkflow(after, false);
        if (before?.trigger.type === 'schedule' && after?.trigger.type !== 'schedule') {
          await store.resetSchedule(name);
        }
      } catch (err) {
        log.error({ err, workflow: name }, 'could not start the trigger');
      }
    }
  }
  deps.registry.onChange(onChange);

  return {
    async start() {
      if (started) return;
      started = true;
      for (const wf of deps.registry.list()) await startWorkflow(wf, true);
      purgeTimer = setInterval(() => {
        store.purgeSeenItems(Date.now()).catch((err: unknown) => {
          log.warn({ err }, 'could not purge remembered poll items');
        });
      }, PURGE_EVERY_MS);
      purgeTimer.unref();
    },

    async stop() {
      started = false;
      if (purgeTimer) clearInterval(purgeTimer);
      for (const name of [...tickers.keys()]) remove(name);
      await lock.idle();
    },

    status(name) {
      const status = statuses.get(name);
      if (!status) return undefined;
      const next = tickers.get(name)?.nextRunAt ?? null;
      return {
        lastRunAt: iso(status.lastRunAt),
        lastSuccessAt: iso(status.lastSuccessAt),
        lastError: status.lastError,
        nextRunAt: iso(next),
      };
    },

    runNow(name) {
      const ticker = tickers.get(name);
      if (!ticker) return Promise.reject(noTimedTrigger(name));
      return ticker.runNow();
    },

    addPoll,
    remove,
  };
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
