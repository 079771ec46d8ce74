/**
 * @module engine/thread/remote-store
 * The Store as the main thread sees it when the store runs on the engine thread: every method
 * is a batched call over the channel. Arguments and results are plain data (structured
 * clone), and errors keep their codes, so callers cannot tell it from the store itself.
 */
import type { HttpReply } from '../../workflow/types.js';
import type {
  AcceptResult,
  Claim,
  ClaimedJob,
  JobDetail,
  JobFilter,
  JobStatus,
  JobSummary,
  NewEvent,
  PollResult,
  ScheduleTriggerData,
  StepRecord,
  Store,
  StoredConnection,
  StoredOAuthState,
  StoredWorkflow,
  TimedTriggerData,
  TriggerData,
  TriggerLifecycleRecord,
  TriggerState,
  WorkflowOverride,
} from '../../store/types.js';
import type { Channel } from './channel.js';

export class RemoteStore implements Store {
  /** `channel` gives the current one: a restarted engine thread brings a new channel. */
  constructor(private readonly channel: () => Channel) {}

  private call<T>(method: keyof Store, ...args: unknown[]): Promise<T> {
    return this.channel().call<T>(`store.${method}`, args);
  }

  /** The engine thread opens the store before it says it is ready. */
  async init(): Promise<void> {}
  /** The engine thread closes the store when it stops. */
  async close(): Promise<void> {}

  acceptEvent(event: NewEvent): Promise<AcceptResult> {
    return this.call('acceptEvent', event);
  }
  createJob(
    workflow: string,
    trigger: TriggerData | TimedTriggerData,
    opts: { rerunOf?: string },
  ): Promise<string> {
    return this.call('createJob', workflow, trigger, opts);
  }
  claimJob(id: string, claim: Claim): Promise<ClaimedJob | null> {
    return this.call('claimJob', id, claim);
  }
  claimNextJobs(claim: Claim, limit: number): Promise<ClaimedJob[]> {
    return this.call('claimNextJobs', claim, limit);
  }
  renewLeases(owner: string, ids: string[], leaseMs: number): Promise<string[]> {
    return this.call('renewLeases', owner, ids, leaseMs);
  }
  releaseJob(id: string, owner: string): Promise<boolean> {
    return this.call('releaseJob', id, owner);
  }
  saveStep(jobId: string, step: StepRecord, owner: string): Promise<boolean> {
    return this.call('saveStep', jobId, step, owner);
  }
  saveReply(jobId: string, reply: HttpReply, owner: string): Promise<boolean> {
    return this.call('saveReply', jobId, reply, owner);
  }
  finishJob(
    jobId: string,
    owner: string,
    status: 'succeeded' | 'failed',
    error: string | null,
  ): Promise<boolean> {
    return this.call('finishJob', jobId, owner, status, error);
  }
  unfinishedJobs(): Promise<string[]> {
    return this.call('unfinishedJobs');
  }
  getJob(id: string): Promise<JobDetail | null> {
    return this.call('getJob', id);
  }
  listJobs(filter: JobFilter): Promise<{ jobs: JobSummary[]; nextCursor: string | null }> {
    return this.call('listJobs', filter);
  }
  lastJobStatus(workflow: string): Promise<JobStatus | null> {
    return this.call('lastJobStatus', workflow);
  }
  getMeta(key: string): Promise<string | null> {
    return this.call('getMeta', key);
  }
  setMeta(key: string, value: string): Promise<void> {
    return this.call('setMeta', key, value);
  }
  purgeDedupe(nowMs: number): Promise<number> {
    return this.call('purgeDedupe', nowMs);
  }
  listTriggerLifecycles(): Promise<TriggerLifecycleRecord[]> {
    return this.call('listTriggerLifecycles');
  }
  saveTriggerLifecycle(record: TriggerLifecycleRecord): Promise<void> {
    return this.call('saveTriggerLifecycle', record);
  }
  deleteTriggerLifecycle(id: string): Promise<void> {
    return this.call('deleteTriggerLifecycle', id);
  }
  getTriggerState(workflow: string): Promise<TriggerState | null> {
    return this.call('getTriggerState', workflow);
  }
  recordPoll(poll: PollResult): Promise<string[]> {
    return this.call('recordPoll', poll);
  }
  recordTriggerFailure(workflow: string, atMs: number, error: string): Promise<void> {
    return this.call('recordTriggerFailure', workflow, atMs, error);
  }
  claimTick(
    workflow: string,
    tickAt: number,
    job: { id: string; trigger: ScheduleTriggerData },
  ): Promise<boolean> {
    return this.call('claimTick', workflow, tickAt, job);
  }
  resetSchedule(workflow: string): Promise<void> {
    return this.call('resetSchedule', workflow);
  }
  purgeSeenItems(nowMs: number): Promise<number> {
    return this.call('purgeSeenItems', nowMs);
  }
  listConnections(): Promise<StoredConnection[]> {
    return this.call('listConnections');
  }
  putConnection(connection: StoredConnection): Promise<void> {
    return this.call('putConnection', connection);
  }
  deleteConnection(name: string): Promise<boolean> {
    return this.call('deleteConnection', name);
  }
  getConnectionTokens(name: string): Promise<string | null> {
    return this.call('getConnectionTokens', name);
  }
  setConnectionTokens(
    name: string,
    sealed: string | null,
    expected?: string | null,
  ): Promise<boolean> {
    // undefined is not JSON: left out, it reaches the store as a missing argument.
    return expected === undefined
      ? this.call('setConnectionTokens', name, sealed)
      : this.call('setConnectionTokens', name, sealed, expected);
  }
  saveOAuthState(state: StoredOAuthState): Promise<void> {
    return this.call('saveOAuthState', state);
  }
  takeOAuthState(state: string, nowMs: number): Promise<StoredOAuthState | null> {
    return this.call('takeOAuthState', state, nowMs);
  }
  listStoredWorkflows(): Promise<StoredWorkflow[]> {
    return this.call('listStoredWorkflows');
  }
  putStoredWorkflow(workflow: Omit<StoredWorkflow, 'updatedAt'>): Promise<void> {
    return this.call('putStoredWorkflow', workflow);
  }
  deleteStoredWorkflow(name: string): Promise<boolean> {
    return this.call('deleteStoredWorkflow', name);
  }
  listWorkflowOverrides(): Promise<WorkflowOverride[]> {
    return this.call('listWorkflowOverrides');
  }
  setWorkflowOverride(
    name: string,
    override: Omit<WorkflowOverride, 'name'> | null,
  ): Promise<void> {
    return this.call('setWorkflowOverride', name, override);
  }
}

/** The engine thread's side: `store.<method>` handlers calling the real store. */
export function storeHandlers(store: Store): Record<string, (...args: never[]) => unknown> {
  const handlers: Record<string, (...args: never[]) => unknown> = {};
  for (const method of STORE_METHODS) {
    const fn = store[method] as (...args: unknown[]) => unknown;
    handlers[`store.${method}`] = (...args: unknown[]) => fn.apply(store, args);
  }
  return handlers;
}

/** Every Store method the main thread may call (init and close belong to the engine thread). */
const STORE_METHODS = [
  'acceptEvent',
  'createJob',
  'claimJob',
  'claimNextJobs',
  'renewLeases',
  'releaseJob',
  'saveStep',
  'saveReply',
  'finishJob',
  'unfinishedJobs',
  'getJob',
  'listJobs',
  'lastJobStatus',
  'getMeta',
  'setMeta',
  'purgeDedupe',
  'listTriggerLifecycles',
  'saveTriggerLifecycle',
  'deleteTriggerLifecycle',
  'getTriggerState',
  'recordPoll',
  'recordTriggerFailure',
  'claimTick',
  'resetSchedule',
  'purgeSeenItems',
  'listConnections',
  'putConnection',
  'deleteConnection',
  'getConnectionTokens',
  'setConnectionTokens',
  'saveOAuthState',
  'takeOAuthState',
  'listStoredWorkflows',
  'putStoredWorkflow',
  'deleteStoredWorkflow',
  'listWorkflowOverrides',
  'setWorkflowOverride',
] as const satisfies readonly Exclude<keyof Store, 'init' | 'close'>[];

// A Store method missing from STORE_METHODS fails to compile here, naming it.
type Unlisted = Exclude<Exclude<keyof Store, 'init' | 'close'>, (typeof STORE_METHODS)[number]>;
const everyMethodListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyMethodListed;
