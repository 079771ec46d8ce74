/**
 * @module engine
 * Runs a job: claims it in the store, walks the workflow's steps in order, records each step's
 * input and output as it finishes, hands the first reply to whoever waits for it, and marks
 * the job finished exactly once.
 *
 * Resuming after a crash: steps are numbered in execution order (`seq`). A claimed job brings
 * the records of the steps an earlier attempt finished; those are not run again, their stored
 * output is used instead, and the walk goes on from the first step without a record.
 *
 * Writes are awaited only where an outcome depends on them. Step records and the reply are
 * queued without waiting, so a short job's records, its reply and its finish share one group
 * commit. Before a step with effects outside Hookflow (`http`) runs, the records of the steps
 * before it are awaited: a resume then never repeats a call whose record was lost with a
 * queued write. Steps without such effects (`set`, `switch`, `reply`) are safe to run again.
 */
import type { Logger } from 'pino';
import { errorMessage } from '../errors.js';
import { randomUUID } from 'node:crypto';
import { DEFAULT_LEASE_MS } from '../store/types.js';
import type { ClaimedJob, StepRecord, Store } from '../store/types.js';
import type { ConnectionResolver, StepOutcome } from '../steps/types.js';
import { StepError } from '../steps/types.js';
import { executeHttpStep, executeSetStep } from '../steps/index.js';
import { renderReply, summarizeBytes } from '../workflow/index.js';
import type { HttpReply, Scope, Step, Workflow } from '../workflow/types.js';
import type { ReplySink } from './reply-bus.js';
import { failureJobFor } from './failure.js';
import type { Dispatcher } from 'undici';
import { runAction } from '../connectors/index.js';
import type { ActionRunner } from '../connectors/index.js';
import { traceJob, traceStep } from '../tracing/index.js';
import type { JobEnd } from '../tracing/index.js';

export interface EngineDeps {
  store: Store;
  /** Where replies and finishes go: the reply bus, the thread that waits, other processes. */
  replies: ReplySink;
  workflow(name: string): Workflow | undefined;
  log: Logger;
  env?: Record<string, string>;
  connections?: ConnectionResolver;
  dispatcher?: Dispatcher;
  /** Runs connector action steps. */
  actions?: ActionRunner;
  /** Who claims jobs here (a worker's id, unique across processes). Default: a random id. */
  owner?: string;
  /** How long a claim holds without renewal. Default DEFAULT_LEASE_MS. */
  leaseMs?: number;
  /**
   * The workflow as it was at `version`, for a job whose version is not the loaded one (a
   * rerun of the original version). Left out: jobs run the loaded workflow.
   */
  workflowAt?(current: Workflow, version: string): Promise<Workflow>;
  /** HOOKFLOW_ON_FAILURE: the error workflow of workflows without `on_failure:`. */
  defaultOnFailure?: string | null;
  /** Jobs created here (an error workflow's): tell whoever runs them. */
  onJobsCreated?(ids: readonly string[]): void;
  /** Called when a job finishes (metrics, tests). */
  onFinished?(job: { id: string; workflow: string; status: 'succeeded' | 'failed' }): void;
}

interface RunState {
  job: ClaimedJob;
  done: Map<number, StepRecord>;
  seq: number;
  outputs: Record<string, unknown>;
  replied: boolean;
  /** Writes of this job queued and not yet awaited; false when the owner lost the job. */
  pending: Promise<boolean>[];
  /** The lease was lost: another worker may run the job; write nothing more. */
  lost: boolean;
  /**
   * Fires when the lease is lost or the job given back: a step waiting (for its connection's
   * throttle, a retry) stops instead of sending a request the job's next runner sends again.
   */
  stop: AbortController;
  /** The id of the step that failed the job. */
  failedStep: string | null;
}

/** Thrown inside a run whose lease was lost, to stop it before its next step. */
class LeaseLost extends Error {
  constructor(jobId: string) {
    super(`job ${jobId}: the lease was lost; another worker resumes the job`);
  }
}

/** Step types whose effects reach outside Hookflow: their predecessors' records go first. */
const EXTERNAL_EFFECTS: ReadonlySet<Step['type']> = new Set(['http']);

export class Engine {
  readonly owner: string;
  readonly leaseMs: number;
  /** Jobs this engine holds a claim on, for the renewal of their leases. */
  private readonly running = new Map<string, RunState>();

  constructor(private readonly deps: EngineDeps) {
    this.owner = deps.owner ?? `engine-${randomUUID()}`;
    this.leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  }

  /**
   * Extends the leases of the jobs running here; a job whose lease was lost stops before its
   * next step and writes nothing more. Call every `leaseMs / 3`.
   */
  async renewLeases(): Promise<void> {
    const ids = [...this.running.keys()];
    if (ids.length === 0) return;
    const held = new Set(await this.deps.store.renewLeases(this.owner, ids, this.leaseMs));
    for (const id of ids) {
      const state = this.running.get(id);
      if (state && !held.has(id)) loseLease(state);
    }
  }

  /** The claim this engine's jobs are taken with (`claimJob`, `claimNextJobs`). */
  get claim(): { owner: string; leaseMs: number } {
    return { owner: this.owner, leaseMs: this.leaseMs };
  }

  /** Jobs running here now. */
  get runningCount(): number {
    return this.running.size;
  }

  /**
   * Claims one job by id and runs (or resumes) it, resolving with its workflow; null, running
   * nothing, when it could not be claimed (another worker holds it, it finished, or its
   * concurrency key is full). Never throws for a failing workflow: failure is job data.
   */
  async runJob(jobId: string): Promise<{ workflow: string } | null> {
    const job = await this.deps.store.claimJob(jobId, this.claim);
    if (!job) return null;
    await this.runClaimed(job);
    return { workflow: job.workflow };
  }

  /**
   * Runs (or resumes) a job already claimed with `this.claim` (`claimNextJobs`), from the
   * first step without a record.
   */
  async runClaimed(job: ClaimedJob): Promise<void> {
    const state: RunState = {
      job,
      done: new Map(job.steps.map((s) => [s.seq, s])),
      seq: 0,
      outputs: {},
      replied: job.reply !== null,
      pending: [],
      lost: false,
      stop: new AbortController(),
      failedStep: null,
    };
    this.running.set(job.id, state);
    try {
      await traceJob(job, () => this.run(state));
    } finally {
      this.running.delete(job.id);
    }
  }

  /**
   * Gives the jobs running here back (shutdown after its grace): each stops before its next
   * step, writes nothing more, and is queued again for any worker, resuming after its last
   * recorded step.
   */
  async releaseAll(): Promise<void> {
    const states = [...this.running.values()];
    for (const state of states) loseLease(state);
    await Promise.all(
      states.map((s) => this.deps.store.releaseJob(s.job.id, this.owner).catch(() => false)),
    );
  }

  private async run(state: RunState): Promise<JobEnd> {
    const { store, replies, log } = this.deps;
    const { job } = state;
    let workflow = this.deps.workflow(job.workflow);
    let status: 'succeeded' | 'failed' = 'succeeded';
    let error: string | null = null;
    if (!workflow) {
      status = 'failed';
      error = `workflow '${job.workflow}' is not loaded`;
    } else {
      try {
        if (job.version !== null && this.deps.workflowAt) {
          workflow = await this.deps.workflowAt(workflow, job.version);
        }
        await this.runSteps(workflow.steps, state);
      } catch (e) {
        status = 'failed';
        error = errorMessage(e);
      }
    }
    if (state.lost) {
      log.warn(
        { job: job.id, workflow: job.workflow },
        'job lease lost; another worker resumes it',
      );
      return 'lost';
    }
    const onFailure =
      status === 'failed'
        ? await failureJobFor(
            { job, workflow, step: state.failedStep, error: error ?? 'failed' },
            { ...this.deps, defaultOnFailure: this.deps.defaultOnFailure ?? null },
          )
        : null;
    // Queued behind the job's other writes: one commit, and all of them settle together.
    // Compare-and-set on the owner: false when the lease was lost meanwhile.
    const finish = store.finishJob(job.id, this.owner, status, error, onFailure ?? undefined);
    try {
      await settleWrites(state);
    } catch (e) {
      if (!state.lost) {
        log.error({ err: e, job: job.id, workflow: job.workflow }, 'job history not fully stored');
      }
    }
    const finished = await finish;
    if (!finished) return 'lost';
    if (onFailure) this.deps.onJobsCreated?.([onFailure.id]);
    if (status === 'failed') log.warn({ job: job.id, workflow: job.workflow, error }, 'job failed');
    else log.debug({ job: job.id, workflow: job.workflow }, 'job succeeded');
    replies.publish(job.id, { kind: 'finished', status }, { workflow: job.workflow });
    this.deps.onFinished?.({ id: job.id, workflow: job.workflow, status });
    return status;
  }

  private scope(state: RunState): Scope {
    return {
      trigger: state.job.trigger,
      steps: state.outputs,
      job: { id: state.job.id, workflow: state.job.workflow, attempt: state.job.attempt },
      env: this.deps.env ?? {},
      now: new Date().toISOString(),
    };
  }

  private async runSteps(steps: readonly Step[], state: RunState): Promise<void> {
    for (const step of steps) {
      const seq = state.seq++;
      if (state.lost) throw new LeaseLost(state.job.id);
      const prior = state.done.get(seq);
      if (prior && prior.id === step.id && prior.status === 'succeeded') {
        state.outputs[step.id] = prior.output;
        if (step.type === 'reply') state.replied = true;
        if (step.type === 'switch') await this.runChosenCase(step, prior.output, state);
        continue;
      }
      if (EXTERNAL_EFFECTS.has(step.type)) await settleWrites(state);
      const startedAt = new Date();
      let outcome: StepOutcome;
      try {
        outcome = await traceStep(step, () => this.execute(step, state));
      } catch (e) {
        const err = e instanceof StepError ? e : null;
        const message = `step '${step.id}' failed: ${errorMessage(e)}`;
        state.failedStep = step.id;
        this.record(state, seq, step, startedAt, {
          status: 'failed',
          input: err?.input ?? null,
          output: err?.output ?? null,
          error: message,
          attempts: err?.attempts ?? 1,
          waitedMs: err?.waitedMs ?? 0,
        });
        throw new Error(message);
      }
      state.outputs[step.id] = outcome.output;
      this.record(state, seq, step, startedAt, {
        status: 'succeeded',
        input: outcome.input,
        output: outcome.output,
        error: null,
        attempts: outcome.attempts,
        waitedMs: outcome.waitedMs ?? 0,
      });
      if (step.type === 'switch') await this.runChosenCase(step, outcome.output, state);
    }
  }

  private async runChosenCase(
    step: Extract<Step, { type: 'switch' }>,
    output: unknown,
    state: RunState,
  ): Promise<void> {
    const index = (output as { case?: unknown } | null)?.case;
    if (typeof index !== 'number') return;
    const chosen = step.cases[index];
    if (chosen) await this.runSteps(chosen.steps, state);
  }

  private async execute(step: Step, state: RunState): Promise<StepOutcome> {
    const scope = this.scope(state);
    switch (step.type) {
      case 'set':
        return executeSetStep(step, { scope, jobId: state.job.id, workflow: state.job.workflow });
      case 'http':
        return executeHttpStep(step, {
          scope,
          jobId: state.job.id,
          workflow: state.job.workflow,
          signal: state.stop.signal,
          ...(this.deps.connections ? { connections: this.deps.connections } : {}),
          ...(this.deps.dispatcher ? { dispatcher: this.deps.dispatcher } : {}),
        });
      case 'switch': {
        for (let i = 0; i < step.cases.length; i++) {
          const c = step.cases[i]!;
          if (c.when === null || isTruthy(await c.when.render(scope))) {
            return { input: null, output: { case: i, else: c.when === null }, attempts: 1 };
          }
        }
        return { input: null, output: { case: null }, attempts: 1 };
      }
      case 'action':
        return runAction(this.deps.actions, step, {
          scope,
          jobId: state.job.id,
          workflow: state.job.workflow,
          signal: state.stop.signal,
        });
      case 'reply': {
        const reply = await renderReply(step.reply, scope);
        const sent = !state.replied;
        if (sent) {
          state.replied = true;
          // Answer a caller waiting in this process first; the reply is stored right after
          // (queued now, committed with the job's next writes), and other processes hear of it
          // once it is.
          const stored = this.deps.store.saveReply(state.job.id, reply, this.owner);
          state.pending.push(stored);
          this.deps.replies.publish(
            state.job.id,
            { kind: 'reply', reply },
            { workflow: state.job.workflow, stored },
          );
        }
        return { input: null, output: { ...replyRecord(reply), sent }, attempts: 1 };
      }
    }
  }

  /** Queues the step's record; `settleWrites` awaits it. */
  private record(
    state: RunState,
    seq: number,
    step: Step,
    startedAt: Date,
    r: Pick<StepRecord, 'status' | 'input' | 'output' | 'error' | 'attempts' | 'waitedMs'>,
  ): void {
    const write = this.deps.store.saveStep(
      state.job.id,
      {
        seq,
        id: step.id,
        type: step.type,
        ...r,
        startedAt: startedAt.toISOString(),
        durationMs: Date.now() - startedAt.getTime(),
      },
      this.owner,
    );
    state.pending.push(write);
  }
}

/**
 * The reply as its step records it. Bytes are stored once, as the job's reply (what a
 * duplicate is answered with); the step records their size, type and hash.
 */
function replyRecord(reply: HttpReply): HttpReply {
  if (reply.bodyEncoding !== 'base64') return reply;
  const type = Object.entries(reply.headers).find(([k]) => k.toLowerCase() === 'content-type');
  const bytes = Buffer.from(reply.body as string, 'base64');
  return {
    status: reply.status,
    headers: reply.headers,
    body: summarizeBytes(bytes, type?.[1] ?? null),
  };
}

/**
 * Awaits the job's queued writes. A failed one fails the job: its history would be
 * incomplete, and a resume could repeat a step whose record was lost. A refused one (the
 * owner lost the job) stops the run.
 */
async function settleWrites(state: RunState): Promise<void> {
  if (state.pending.length === 0) return;
  const writes = state.pending;
  state.pending = [];
  const results = await Promise.allSettled(writes);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  if (results.some((r) => r.status === 'fulfilled' && !r.value)) state.lost = true;
  if (state.lost) throw new LeaseLost(state.job.id);
}

function loseLease(state: RunState): void {
  state.lost = true;
  state.stop.abort(new LeaseLost(state.job.id));
}

/** JSONata-style truthiness for `when`/`filter`: false, null, undefined, 0, '' and [] are false. */
export function isTruthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}
