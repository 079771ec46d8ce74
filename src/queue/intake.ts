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
import type {
  AcceptResult,
  NewEvent,
  PollResult,
  ScheduleTriggerData,
  Store,
  TimedTriggerData,
  TriggerData,
} from '../store/types.js';

/** Tells the workers that these committed jobs are runnable. Never throws, never waits. */
export type JobNotifier = (jobIds: readonly string[]) => void;

export interface Intake {
  /** Commits the event and its job (checking the dedupe key); resolves once durable. */
  acceptEvent(event: NewEvent): Promise<AcceptResult>;
  /** A new job from stored trigger data (a rerun, `hookflow test`). Returns its id. */
  createJob(
    workflow: string,
    trigger: TriggerData | TimedTriggerData,
    opts: { rerunOf?: string },
  ): Promise<string>;
  /** Commits a successful poll and the jobs of its new items (see Store.recordPoll). */
  recordPoll(poll: PollResult): Promise<string[]>;
  /** Claims a schedule's fire time and creates its job; false when another claim won it. */
  claimTick(
    workflow: string,
    tickAt: number,
    job: { id: string; trigger: ScheduleTriggerData },
  ): Promise<boolean>;
}

export function createIntake(
  store: Pick<Store, 'acceptEvent' | 'createJob' | 'recordPoll' | 'claimTick'>,
  notify: JobNotifier,
): Intake {
  return {
    async acceptEvent(event) {
      const result = await store.acceptEvent(event);
      if (result.kind === 'accepted') notify([result.jobId]);
      return result;
    },
    async createJob(workflow, trigger, opts) {
      const id = await store.createJob(workflow, trigger, opts);
      notify([id]);
      return id;
    },
    async recordPoll(poll) {
      const ids = await store.recordPoll(poll);
      if (ids.length > 0) notify(ids);
      return ids;
    },
    async claimTick(workflow, tickAt, job) {
      const won = await store.claimTick(workflow, tickAt, job);
      if (won) notify([job.id]);
      return won;
    },
  };
}
