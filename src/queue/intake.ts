/**
 * @module queue/intake
 * The one way work enters Hookflow: commit an event, a rerun, a poll's items or a schedule's
 * fire time — the job in the same transaction — and only then make the job runnable by telling
 * the workers. Webhooks, the API's rerun, polls and schedules all go through it, on every
 * arrangement: only `notify` differs (a message to the worker thread, or nothing where the
 * store's own NOTIFY on commit wakes the workers).
 *
 * Committing here, on the side that answers, is what keeps an answer from waiting behind a
 * running job: the commit never queues behind step execution (docs/jobs.md).
 *
 * @example
 *   const intake = createIntake(store, (ids) => workerThread.wake(ids));
 *   const result = await intake.acceptEvent(event); // durable once resolved
 */
import type { Store } from '../store/index.js';
import { renderKey, resolveConcurrency } from './concurrency-key.js';
import type { WorkflowLookup } from './concurrency-key.js';
import { searchTerms } from '../search/index.js';
import type { SearchTerm } from '../search/index.js';
import type { Workflow } from '../workflow/index.js';

/** Tells the workers that these committed jobs are runnable. Never throws, never waits. */
export type JobNotifier = (jobIds: readonly string[]) => void;

/**
 * The store's job-creating writes, each followed by telling the workers: `acceptEvent` (the
 * event, its job and dedupe key), `createJob` (a rerun, `hookflow test`), `recordPoll` (a
 * poll's new items), `claimTick` (a schedule's fire time), `commitReplayBatch` (a bulk
 * replay's new jobs), `recordTriggerFailure` (the error workflow's job of a failing trigger).
 * Each resolves once durable.
 */
export type Intake = Pick<
  Store,
  | 'acceptEvent'
  | 'createJob'
  | 'recordPoll'
  | 'claimTick'
  | 'commitReplayBatch'
  | 'recordTriggerFailure'
>;

/**
 * `workflows`: where a job's workflow is found, to give every new job — event, rerun, poll
 * item, schedule tick — the concurrency key of its `concurrency` (concurrency-key.ts), and
 * events the debounce key of its `debounce` (they join their key's pending job).
 */
export function createIntake(
  store: Intake,
  notify: JobNotifier,
  workflows: WorkflowLookup = () => undefined,
): Intake {
  return {
    async acceptEvent(event) {
      const workflow = workflows(event.workflow);
      const concurrency = await resolveConcurrency(workflow, event.trigger);
      if (concurrency) event = { ...event, concurrency };
      const debounce = workflow?.debounce;
      if (debounce) {
        const key = await renderKey(debounce.key, event.trigger);
        event = {
          ...event,
          debounce: { key, waitMs: debounce.waitMs, maxWaitMs: debounce.maxWaitMs },
        };
      }
      const search = indexedTerms(workflow, event.trigger);
      if (search) event = { ...event, search };
      const result = await store.acceptEvent(event);
      if (result.kind === 'accepted') notify([result.jobId]);
      return result;
    },
    async createJob(workflow, trigger, opts) {
      const found = workflows(workflow);
      const concurrency = await resolveConcurrency(found, trigger);
      if (concurrency) opts = { ...opts, concurrency };
      const search = indexedTerms(found, trigger);
      if (search) opts = { ...opts, search };
      const id = await store.createJob(workflow, trigger, opts);
      notify([id]);
      return id;
    },
    async recordPoll(poll) {
      const workflow = workflows(poll.workflow);
      if (workflow?.concurrency) {
        const items = await Promise.all(
          poll.items.map(async (item) => {
            const concurrency = await resolveConcurrency(workflow, item.job.trigger);
            return concurrency ? { ...item, job: { ...item.job, concurrency } } : item;
          }),
        );
        poll = { ...poll, items };
      }
      const ids = await store.recordPoll(poll);
      if (ids.length > 0) notify(ids);
      return ids;
    },
    async claimTick(workflow, tickAt, job) {
      const concurrency = await resolveConcurrency(workflows(workflow), job.trigger);
      if (concurrency) job = { ...job, concurrency };
      const won = await store.claimTick(workflow, tickAt, job);
      if (won) notify([job.id]);
      return won;
    },
    async commitReplayBatch(batch) {
      const jobs = await Promise.all(
        batch.jobs.map(async (job) => {
          const concurrency = await resolveConcurrency(workflows(job.workflow), job.trigger);
          return concurrency ? { ...job, concurrency } : job;
        }),
      );
      const ids = await store.commitReplayBatch({ ...batch, jobs });
      if (ids !== null && ids.length > 0) notify(ids);
      return ids;
    },
    async recordTriggerFailure(workflow, atMs, error, alert) {
      const raised = await store.recordTriggerFailure(workflow, atMs, error, alert);
      if (raised && alert) notify([alert.job.id]);
      return raised;
    },
  };
}

/**
 * The values at the paths a webhook workflow declares in `search:`, indexed with its job
 * (a rerun's too). Polls and schedules are searched by scanning: their jobs are not indexed.
 */
function indexedTerms(workflow: Workflow | undefined, trigger: unknown): SearchTerm[] | undefined {
  if (!workflow?.search || !searchIndexed(workflow)) return undefined;
  return searchTerms(trigger, workflow.search);
}

/** Whether the jobs of a workflow carry its `search:` terms (the API then asks the index). */
export function searchIndexed(workflow: Workflow): boolean {
  return workflow.trigger.type === 'webhook' || workflow.trigger.type === 'connector';
}

/**
 * Stamps each job with the version of its workflow loaded now (the ingress's registry), unless
 * it carries one already (a rerun of the original version).
 */
export function withVersions(
  intake: Intake,
  versionOf: (workflow: string) => string | undefined,
): Intake {
  const stamp = <T extends { version?: string }>(x: T, workflow: string): T => {
    if (x.version !== undefined) return x;
    const version = versionOf(workflow);
    return version === undefined ? x : { ...x, version };
  };
  return {
    acceptEvent: (event) => intake.acceptEvent(stamp(event, event.workflow)),
    createJob: (workflow, trigger, opts) =>
      intake.createJob(workflow, trigger, stamp(opts, workflow)),
    recordPoll: (poll) => intake.recordPoll(stamp(poll, poll.workflow)),
    claimTick: (workflow, tickAt, job) => intake.claimTick(workflow, tickAt, stamp(job, workflow)),
    commitReplayBatch: (batch) =>
      intake.commitReplayBatch({
        ...batch,
        jobs: batch.jobs.map((job) => stamp(job, job.workflow)),
      }),
    // The error workflow's job carries the version of the error workflow already.
    recordTriggerFailure: (...args) => intake.recordTriggerFailure(...args),
  };
}
