/**
 * @module roles/embedded/forwarded-writes
 * One writer for the SQLite file. In the embedded arrangement the main thread (HTTP) and the
 * worker thread (jobs) read through connections of their own but hand every write (accepts,
 * claims, steps, replies, finishes, tokens, …) to the store thread (store-thread.ts), whose
 * store commits them all in the same group commits.
 *
 * Why: SQLite has one write lock per file. With two writing connections, one thread's
 * `BEGIN IMMEDIATE` meets the other's open transaction and SQLite's busy handler sleeps — at
 * least a millisecond, on that thread's event loop — and each pays its own WAL sync. With one
 * writer nothing waits for a lock, one `fdatasync` covers every thread's writes, and a job
 * committed there is claimed from its memory (no read, no JSON.parse of the trigger). The
 * writer runs no steps, so a commit never waits behind step execution, and the SQL is off the
 * thread that answers HTTP (docs/benchmarks.md has the A/B that chose this).
 *
 * A forwarded write resolves once the writer's store resolved it (durable when the store says
 * so); the caller's own reads see it then, since it committed first (WAL).
 *
 * @example
 *   const client = createWriteClient((m) => pipe.send(m));
 *   const store = forwardWrites(createStore(options), client.call);
 */
import { HookflowError } from '../../errors.js';
// Not store/index.ts: the store thread loads no PostgreSQL code.
import { StoreError } from '../../store/errors.js';
import type { StoreErrorCode } from '../../store/errors.js';
import type { Store } from '../../store/types.js';

/** The store's methods that write: these go to the main thread's store. */
export const FORWARDED_WRITES = [
  'acceptEvent',
  'createJob',
  'claimJob',
  'claimNextJobs',
  'renewLeases',
  'releaseJob',
  'saveStep',
  'saveReply',
  'finishJob',
  'purgeDedupe',
  'hitRateLimit',
  'pruneJobs',
  'reclaimSpace',
  'saveTriggerLifecycle',
  'deleteTriggerLifecycle',
  'recordPoll',
  'recordTriggerFailure',
  'claimTick',
  'resetSchedule',
  'purgeSeenItems',
  'putWorkflowVersion',
  'putStoredWorkflow',
  'deleteStoredWorkflow',
  'setWorkflowOverride',
  'setMeta',
  'putConnection',
  'deleteConnection',
  'setConnectionTokens',
  'saveOAuthState',
  'takeOAuthState',
  'importTriggerStates',
  'importSeenItems',
  'importDedupeKeys',
  'importJobs',
] as const satisfies readonly (keyof Store)[];

export type ForwardedWrite = (typeof FORWARDED_WRITES)[number];

const FORWARDED = new Set<string>(FORWARDED_WRITES);

export function isForwardedWrite(method: string): method is ForwardedWrite {
  return FORWARDED.has(method);
}

/** Sends one write to the store that runs it; resolves or rejects with its result. */
export type WriteCall = (method: ForwardedWrite, args: unknown[]) => Promise<unknown>;

export interface StoreWriteMessage {
  type: 'store-write';
  callId: number;
  method: ForwardedWrite;
  args: unknown[];
}

export type StoreResultMessage =
  | { type: 'store-result'; callId: number; ok: true; value: unknown }
  | { type: 'store-result'; callId: number; ok: false; error: WireError };

export interface WriteClient {
  call: WriteCall;
  /** Settles the call a result answers. */
  settle(result: StoreResultMessage): void;
  /** Rejects every call still waiting (the writer went away). */
  failAll(error: Error): void;
}

/** The caller's side: numbers calls and matches the writer's results to them. */
export function createWriteClient(send: (message: StoreWriteMessage) => void): WriteClient {
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  let next = 1;
  return {
    call(method, args) {
      const callId = next++;
      return new Promise((resolve, reject) => {
        waiting.set(callId, { resolve, reject });
        send({ type: 'store-write', callId, method, args });
      });
    },
    settle(result) {
      const call = waiting.get(result.callId);
      if (!call) return;
      waiting.delete(result.callId);
      if (result.ok) call.resolve(result.value);
      else call.reject(fromWireError(result.error));
    },
    failAll(error) {
      const calls = [...waiting.values()];
      waiting.clear();
      for (const call of calls) call.reject(error);
    },
  };
}

/** The writer's side: runs a call on `store` and sends its result. */
export function serveWrite(
  store: Store,
  call: StoreWriteMessage,
  send: (result: StoreResultMessage) => void,
): void {
  runForwarded(store, call.method, call.args).then(
    (value) => send({ type: 'store-result', callId: call.callId, ok: true, value }),
    (error: unknown) =>
      send({ type: 'store-result', callId: call.callId, ok: false, error: toWireError(error) }),
  );
}

/** `local` for reads (and init/close), `call` for every write. */
export function forwardWrites(local: Store, call: WriteCall): Store {
  const writes = new Map<string, (...args: unknown[]) => Promise<unknown>>(
    FORWARDED_WRITES.map((method) => [method, (...args) => call(method, trimUndefined(args))]),
  );
  return new Proxy(local, {
    get: (target, prop, receiver) =>
      (typeof prop === 'string' && writes.get(prop)) || Reflect.get(target, prop, receiver),
  });
}

/** Runs a forwarded write on the store that owns the file. */
async function runForwarded(store: Store, method: string, args: unknown[]): Promise<unknown> {
  if (!isForwardedWrite(method)) {
    throw new StoreError('store_invalid_value', `${method} is not a store write`);
  }
  const fn = store[method] as (...a: unknown[]) => Promise<unknown>;
  return fn.apply(store, args);
}

/** An error as it crosses threads (JSON): its class is rebuilt from `name` and `code`. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  details?: Record<string, unknown>;
}

export function toWireError(error: unknown): WireError {
  if (error instanceof HookflowError) {
    return {
      name: error.name,
      message: error.message,
      code: error.code,
      ...(error.details ? { details: error.details } : {}),
    };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

export function fromWireError(wire: WireError): Error {
  if (wire.code !== undefined) {
    return wire.name === 'StoreError'
      ? new StoreError(wire.code as StoreErrorCode, wire.message, wire.details)
      : new HookflowError(wire.code, wire.message, wire.details);
  }
  const error = new Error(wire.message);
  error.name = wire.name;
  return error;
}

// JSON turns an `undefined` argument into null; left out, an optional argument stays absent.
function trimUndefined(args: unknown[]): unknown[] {
  let end = args.length;
  while (end > 0 && args[end - 1] === undefined) end--;
  return end === args.length ? args : args.slice(0, end);
}
