/**
 * @module roles/embedded/forwarded-writes
 * One writer for the SQLite file. In the embedded arrangement the worker thread reads through
 * a connection of its own but hands every write (claims, steps, replies, finishes, tokens, …)
 * to the main thread's store, which commits them in the same group commits as the accepted
 * events (`serveWrites` gives the worker thread a port for that).
 *
 * Why: SQLite has one write lock per file, and a connection drops its page cache whenever
 * another connection committed. With two writing connections, each thread's `BEGIN IMMEDIATE`
 * met the other's open transaction — SQLite's busy handler then sleeps, 1 ms at least, on
 * that thread's event loop — and each commit emptied the other's cache; each thread paid its
 * own WAL sync too. With one writer nothing waits for a lock, the cache stays warm, one
 * `fdatasync` covers both threads' writes, and a job is claimed from the memory of the store
 * that committed it (no read, no JSON.parse of its trigger). Steps still run on the worker
 * thread: the main thread runs only their records' SQL, so a commit never waits behind step
 * execution (docs/benchmarks.md has the A/B that chose this).
 *
 * A forwarded write resolves once the main thread's store resolved it (durable when the store
 * says so); the worker thread's reads see it then, since it committed first (WAL).
 *
 * @example
 *   const port = serveWrites(store);                     // main thread
 *   const client = createWriteClient((m) => pipe.send(m)); // worker thread, over that port
 *   const forwarded = forwardWrites(createStore(options), client.call);
 */
import { HookflowError } from '../../errors.js';
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { StoreError } from '../../store/index.js';
import type { Store, StoreErrorCode } from '../../store/index.js';
import { Pipe } from './pipe.js';

/**
 * The store's methods that stay on the caller's own handle: reads (WAL lets them run beside
 * the writer), the lifecycle, `withLock` (it takes a function) and the connection throttle
 * (in memory on SQLite, for the jobs of the one thread that runs them). Every other method is
 * a write and goes to the writer — a write method added later is forwarded without a change
 * here.
 */
export const LOCAL_METHODS = [
  'init',
  'ping',
  'close',
  'withLock',
  'takeConnectionSlot',
  'pauseConnection',
  'getJob',
  'listJobs',
  'lastJobStatus',
  'unfinishedJobs',
  'listConnections',
  'getConnectionTokens',
  'listTriggerLifecycles',
  'getTriggerState',
  'getWorkflowVersion',
  'listWorkflowVersions',
  'listStoredWorkflows',
  'listWorkflowOverrides',
  'getMeta',
  'jobWorkflows',
  'countJobs',
  'databaseBytes',
  'listMeta',
  'listConnectionTokens',
  'listTriggerStates',
  'exportSeenItems',
  'exportDedupeKeys',
  'exportJobs',
  'matchJobs',
  'getReplay',
  'listReplays',
  'runningReplays',
  'replayCandidates',
] as const satisfies readonly (keyof Store)[];

const LOCAL = new Set<string>(LOCAL_METHODS);

/** A store method that writes, by name. */
export type ForwardedWrite = string;

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
function serveWrite(
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

/**
 * A port whose other end sends writes for `store` to run (its end goes to a worker thread).
 * Results of writes still running when the port closes are dropped.
 */
export function serveWrites(store: Store): MessagePort {
  const { port1, port2 } = new MessageChannel();
  const pipe: Pipe<StoreResultMessage, StoreWriteMessage> = new Pipe(port1, (call) =>
    serveWrite(store, call, (r) => pipe.send(r)),
  );
  port1.once('close', () => pipe.close());
  return port2;
}

/** `local` for reads (and init/close), `call` for every write. */
export function forwardWrites(local: Store, call: WriteCall): Store {
  const writes = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy(local, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || typeof value !== 'function' || LOCAL.has(prop)) return value;
      let write = writes.get(prop);
      if (!write) {
        write = (...args: unknown[]) => call(prop, trimUndefined(args));
        writes.set(prop, write);
      }
      return write;
    },
  });
}

/** Runs a forwarded write on the store that owns the file. */
async function runForwarded(store: Store, method: string, args: unknown[]): Promise<unknown> {
  const fn: unknown = (store as unknown as Record<string, unknown>)[method];
  if (LOCAL.has(method) || typeof fn !== 'function') {
    throw new StoreError('store_invalid_value', `${method} is not a store write`);
  }
  return (fn as (...a: unknown[]) => Promise<unknown>).apply(store, args);
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
