/**
 * @module triggers/lifecycle/trigger-lifecycle
 * Calls connector triggers' `init` and `destroy` as workflows are enabled, changed, disabled
 * or deleted (§7). It listens to the registry (`onChange` → {@link TriggerLifecycle.wake}),
 * keeps one record per trigger version in the store, and works through them one at a time:
 * destroys first, then inits, each retried with doubling waits until it succeeds or runs out
 * of attempts.
 *
 * Exactly once: a `ready` record is never initialised again — a restart with the same
 * workflow finds it and does nothing; a change (new fingerprint) retires it, which calls
 * `destroy` with its state, then `init` once for the new version. A crash between the third
 * party's answer and the store write means one more call on restart; `ctx.idempotencyKey`
 * lets a connector make that harmless.
 *
 * Once across processes: a pass holds the store's `trigger-lifecycle` lock (another process
 * holding it is tried again shortly) and starts from the records and workflows as stored, not
 * as this process last knew them — so of several processes, one calls the third party and the
 * others find its record `ready`.
 *
 * @example
 *   const lifecycle = new TriggerLifecycle({ store, registry, catalog, http: {}, log, attempts: 8, backoffMs: 1000 });
 *   registry.onChange(async () => lifecycle.wake());
 *   await lifecycle.start('https://hooks.example.com');
 */
import type { Logger } from 'pino';
import { ulid } from 'ulid';
import type {
  AnyTrigger,
  ConnectorCatalog,
  HttpClientDeps,
  LifecycleContext,
} from '../../connectors/index.js';
import { connectorLog, createHttpClient } from '../../connectors/index.js';
import { errorMessage } from '../../errors.js';
import type { Store, TriggerLifecycleRecord } from '../../store/types.js';
import type { Workflow } from '../../workflow/types.js';
import { backoffDelay, dueRecords, nextWake, planReconcile } from './plan.js';
import type { DesiredTrigger, LifecycleSpec } from './plan.js';
import { desiredTrigger, paramsOfSpec } from './spec.js';

export interface LifecycleDeps {
  store: Store;
  /** The workflows now, and the path each is served at. */
  registry: { list(): Workflow[]; pathOf(name: string): string | undefined };
  catalog: ConnectorCatalog;
  http: HttpClientDeps;
  log: Logger;
  /** Tries of one init or destroy before giving up. */
  attempts: number;
  /** The first wait after a failure; doubled each time, capped at 5 minutes. */
  backoffMs: number;
  /** Longest one init or destroy may take. Default 60 s. */
  attemptTimeoutMs?: number;
  /** Reads the workflows again before each pass: another process may have changed them. */
  refresh?(): Promise<void>;
}

/** How soon a pass is tried again while another process holds the lock. */
const LOCK_RETRY_MS = 500;

/** What the API shows of a connector trigger's lifecycle. */
export interface LifecycleStatus {
  state: 'pending' | 'ready' | 'failed';
  error: string | null;
  attempts: number;
}

export class TriggerLifecycle {
  private records = new Map<string, TriggerLifecycleRecord>();
  /** Params compiled by the loader, for records made from a live workflow. */
  private readonly params = new Map<string, unknown>();
  private baseUrl = '';
  private started = false;
  /** The first pass after start tries again what had given up. */
  private retryFailed = false;
  private stopped = false;
  private again = false;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly abort = new AbortController();

  constructor(private readonly deps: LifecycleDeps) {}

  /** Loads the records and starts working; `baseUrl` is what third parties call. */
  async start(baseUrl: string): Promise<void> {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    // Read now: connector webhooks need init's state before the first pass ends.
    await this.readRecords();
    this.retryFailed = true;
    this.started = true;
    this.wake();
  }

  /** Something changed (or a retry is due): reconcile and work, once the current pass ends. */
  wake(): void {
    if (!this.started || this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop()
      .catch((err: unknown) => this.deps.log.error({ err }, 'trigger lifecycle failed'))
      .finally(() => {
        this.running = null;
      });
  }

  /** Waits for the attempt in flight (aborted), and stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.abort.abort(new Error('Hookflow is shutting down'));
    await this.running;
  }

  /** The state `init` returned for the workflow's current trigger; null until it succeeded. */
  stateOf(workflow: string): unknown {
    for (const r of this.records.values()) {
      if (r.workflow === workflow && r.status === 'ready') return r.state;
    }
    return null;
  }

  /** null for a workflow that is disabled or has no connector trigger. */
  statusOf(wf: Workflow): LifecycleStatus | null {
    if (!wf.enabled || wf.trigger.type !== 'connector') return null;
    const current = [...this.records.values()].find(
      (r) => r.workflow === wf.name && r.status !== 'retiring',
    );
    if (current) {
      const state = current.status === 'retiring' ? 'pending' : current.status;
      return { state, error: current.lastError, attempts: current.attempts };
    }
    const found = this.deps.catalog.resolveTrigger(wf.trigger.key);
    const hooked = !('problem' in found) && (found.definition.init || found.definition.destroy);
    return { state: hooked ? 'pending' : 'ready', error: null, attempts: 0 };
  }

  private async loop(): Promise<void> {
    const pass = await this.deps.store.withLock('trigger-lifecycle', { wait: false }, () =>
      this.pass(),
    );
    if (pass.held) return this.schedule();
    // Another process is calling third parties: look again shortly.
    this.schedule(Date.now() + LOCK_RETRY_MS);
  }

  private async pass(): Promise<void> {
    do {
      this.again = false;
      await this.deps.refresh?.();
      await this.readRecords();
      await this.reconcile();
      for (const record of dueRecords([...this.records.values()], Date.now())) {
        if (this.stopped) return;
        await (record.status === 'retiring' ? this.destroy(record) : this.init(record));
        this.again = true;
      }
    } while (this.again && !this.stopped);
  }

  /** The records as stored (another process may have acted on them). */
  private async readRecords(): Promise<void> {
    const now = Date.now();
    const stored = await this.deps.store.listTriggerLifecycles();
    const retry = this.retryFailed;
    this.retryFailed = false;
    this.records = new Map();
    for (const r of stored) {
      // A restart tries again what had given up; a ready record stays ready.
      if (retry && r.status === 'failed') {
        await this.put({ ...r, status: 'pending', attempts: 0, nextAttemptAt: now });
      } else this.records.set(r.id, r);
    }
    for (const id of this.params.keys()) if (!this.records.has(id)) this.params.delete(id);
  }

  private async reconcile(): Promise<void> {
    const desired = new Map<string, DesiredTrigger>();
    const live = new Map<string, Workflow>();
    for (const wf of this.deps.registry.list()) {
      const path = this.deps.registry.pathOf(wf.name);
      if (path === undefined) continue;
      const d = desiredTrigger(wf, this.deps.catalog, `${this.baseUrl}/hooks/${path}`);
      if (d) {
        desired.set(wf.name, d);
        live.set(wf.name, wf);
      }
    }
    const plan = planReconcile(
      desired,
      [...this.records.values()],
      Date.now(),
      () => `tl_${ulid()}`,
    );
    for (const id of plan.remove) {
      await this.deps.store.deleteTriggerLifecycle(id);
      this.records.delete(id);
      this.params.delete(id);
    }
    for (const r of plan.save) {
      await this.deps.store.saveTriggerLifecycle(r);
      if (!this.records.has(r.id)) {
        const wf = live.get(r.workflow);
        if (wf?.trigger.type === 'connector') this.params.set(r.id, wf.trigger.params);
      }
      this.records.set(r.id, r);
    }
  }

  private async init(record: TriggerLifecycleRecord): Promise<void> {
    await this.attempt(record, 'init', async (def, ctx) => {
      const state = def.init ? await def.init(ctx) : null;
      await this.put({
        ...record,
        status: 'ready',
        state: state ?? null,
        attempts: record.attempts + 1,
        lastError: null,
        nextAttemptAt: null,
      });
      this.deps.log.info({ workflow: record.workflow }, 'connector trigger initialised');
    });
  }

  private async destroy(record: TriggerLifecycleRecord): Promise<void> {
    await this.attempt(record, 'destroy', async (def, ctx) => {
      if (def.destroy) await def.destroy({ ...ctx, state: record.state });
      await this.deps.store.deleteTriggerLifecycle(record.id);
      this.records.delete(record.id);
      this.params.delete(record.id);
      this.deps.log.info({ workflow: record.workflow }, 'connector trigger destroyed');
    });
  }

  /** Runs one init or destroy; a failure is recorded and retried later, or given up. */
  private async attempt(
    record: TriggerLifecycleRecord,
    hook: 'init' | 'destroy',
    run: (def: AnyTrigger, ctx: HookContext) => Promise<void>,
  ): Promise<void> {
    const spec = record.spec as LifecycleSpec;
    const timeoutMs = this.deps.attemptTimeoutMs ?? 60_000;
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(timeoutMs)]);
    try {
      const found = this.deps.catalog.resolveTrigger(spec.key);
      if ('problem' in found) throw new Error(found.problem);
      const params = this.params.has(record.id)
        ? this.params.get(record.id)
        : paramsOfSpec(spec, this.deps.catalog);
      const ctx: HookContext = {
        workflow: record.workflow,
        params,
        webhookUrl: spec.webhookUrl,
        connection: spec.connection,
        http: createHttpClient({
          deps: this.deps.http,
          connection: spec.connection,
          workflow: record.workflow,
          jobId: hook,
          signal,
        }),
        signal,
        log: connectorLog(this.deps.log, { workflow: record.workflow, connector: spec.key, hook }),
        idempotencyKey: `hookflow-${record.id}`,
      };
      await raceAbort(run(found.definition, ctx), signal);
    } catch (e) {
      if (this.stopped) return;
      await this.failed(record, hook, errorMessage(e));
    }
  }

  private async failed(
    record: TriggerLifecycleRecord,
    hook: string,
    message: string,
  ): Promise<void> {
    const attempts = record.attempts + 1;
    const log = { workflow: record.workflow, attempts, error: message };
    if (attempts < this.deps.attempts) {
      const nextAttemptAt = Date.now() + backoffDelay(attempts, this.deps.backoffMs);
      this.deps.log.warn(log, `connector trigger ${hook} failed; retrying`);
      await this.put({ ...record, attempts, lastError: message, nextAttemptAt });
    } else if (hook === 'init') {
      this.deps.log.error(
        log,
        'connector trigger init failed; giving up (re-enable the workflow to try again)',
      );
      await this.put({
        ...record,
        status: 'failed',
        attempts,
        lastError: message,
        nextAttemptAt: null,
      });
    } else {
      this.deps.log.error(
        log,
        'connector trigger destroy failed; giving up: remove the subscription at the third party by hand',
      );
      await this.deps.store.deleteTriggerLifecycle(record.id);
      this.records.delete(record.id);
    }
  }

  private async put(record: TriggerLifecycleRecord): Promise<void> {
    const r = { ...record, updatedAt: Date.now() };
    await this.deps.store.saveTriggerLifecycle(r);
    this.records.set(r.id, r);
  }

  private schedule(at: number | null = null): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const next = at ?? nextWake([...this.records.values()]);
    if (next === null || this.stopped) return;
    this.timer = setTimeout(() => this.wake(), Math.max(0, next - Date.now()));
    this.timer.unref();
  }
}

type HookContext = LifecycleContext<unknown>;

/** Connector code may ignore the signal; the attempt still ends when it fires. */
function raceAbort(work: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void =>
      reject(new Error(`gave up waiting: ${errorMessage(signal.reason)}`));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
