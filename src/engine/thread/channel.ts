/**
 * @module engine/thread/channel
 * Calls between the main thread and the engine thread over a MessagePort, batched: every call
 * and every result of one event-loop turn travels in one message. Ingress makes a store call
 * per request; under load hundreds share a message.
 *
 * A message is one JSON string: V8's JSON is several times faster than the structured clone
 * of the same objects (in `npm run bench`, cloning was a tenth of each thread's time), and a
 * string crosses threads as a copy of its bytes. So arguments and results must be JSON data:
 * no Buffers, Dates, Maps or undefined in lists.
 *
 * Errors cross as `{name, message, code, details}` and come out as HookflowErrors with the
 * same code, so callers keep matching on `err.code`. A call or result that cannot be encoded
 * fails alone with `not_encodable`; the rest of its message still goes.
 *
 * @example
 *   const channel = new Channel(worker, { ping: async () => 'pong' });
 *   const answer = await channel.call('ping', []);
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import { errorMessage, HookflowError } from '../../errors.js';
import { StoreError } from '../../store/errors.js';
import type { StoreErrorCode } from '../../store/errors.js';

export type Handler = (...args: never[]) => unknown;
export type Handlers = Record<string, Handler>;

type Port = Pick<MessagePort | Worker, 'postMessage' | 'on' | 'off'>;

interface Call {
  /** 0 for a notification: no result is sent back. */
  id: number;
  method: string;
  args: unknown[];
}

interface Result {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: SerializedError;
}

interface Envelope {
  calls?: Call[];
  results?: Result[];
}

interface SerializedError {
  name: string;
  message: string;
  code?: string;
  details?: Record<string, unknown>;
}

export class Channel {
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve(v: unknown): void; reject(e: unknown): void }
  >();
  private calls: Call[] = [];
  private results: Result[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  private closedWith: Error | null = null;
  private readonly onMessage = (m: string): void => this.receive(m);

  constructor(
    private readonly port: Port,
    private readonly handlers: Handlers,
    /** A notification has no caller to tell when it fails: this hears of it instead. */
    private readonly onNotifyError: (method: string, e: unknown) => void = () => {},
  ) {
    port.on('message', this.onMessage);
  }

  /** Calls `method` on the other side; settles with its result. */
  call<T>(method: string, args: unknown[]): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.calls.push({ id, method, args });
      this.schedule();
    });
  }

  /** Calls `method` on the other side without waiting for, or getting, a result. */
  notify(method: string, args: unknown[]): void {
    if (this.closedWith) return;
    this.calls.push({ id: 0, method, args });
    this.schedule();
  }

  /** Rejects every call waiting for a result, and every later one, with `error`. */
  close(error: Error): void {
    this.closedWith = error;
    this.port.off('message', this.onMessage);
    if (this.scheduled) clearImmediate(this.scheduled);
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
  }

  /** Calls waiting for their result. */
  get inFlight(): number {
    return this.waiting.size;
  }

  private schedule(): void {
    this.scheduled ??= setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = null;
    const { calls, results } = this;
    this.calls = [];
    this.results = [];
    if (calls.length === 0 && results.length === 0) return;
    let message: string;
    try {
      message = JSON.stringify(envelopeOf(calls, results));
    } catch {
      // One value cannot be encoded (too deep for the stack, a BigInt, a cycle): it fails its
      // own call, never the others of this turn nor the process (this runs from setImmediate).
      message = this.encodeEach(calls, results);
    }
    this.port.postMessage(message);
  }

  /** The message with each call and result encoded on its own; those that fail are settled here. */
  private encodeEach(calls: Call[], results: Result[]): string {
    const encodedCalls: string[] = [];
    for (const c of calls) {
      try {
        encodedCalls.push(JSON.stringify(c));
      } catch (e) {
        const error = notEncodable(`the call '${c.method}'`, e);
        if (c.id === 0) this.onNotifyError(c.method, error);
        else this.settleLocally(c.id, error);
      }
    }
    const encodedResults = results.map((r) => {
      try {
        return JSON.stringify(r);
      } catch (e) {
        const error = serializeError(notEncodable(`the result of call ${r.id}`, e));
        return JSON.stringify({ id: r.id, ok: false, error } satisfies Result);
      }
    });
    return `{"calls":[${encodedCalls.join(',')}],"results":[${encodedResults.join(',')}]}`;
  }

  private settleLocally(id: number, error: Error): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    w.reject(error);
  }

  private receive(message: string): void {
    const m = JSON.parse(message) as Envelope;
    for (const r of m.results ?? []) {
      const w = this.waiting.get(r.id);
      if (!w) continue;
      this.waiting.delete(r.id);
      if (r.ok) w.resolve(r.value);
      else w.reject(deserializeError(r.error as SerializedError));
    }
    for (const c of m.calls ?? []) this.run(c);
  }

  private run(c: Call): void {
    const handler = this.handlers[c.method] as ((...args: unknown[]) => unknown) | undefined;
    let result: Promise<unknown>;
    try {
      if (!handler)
        throw new HookflowError('internal', `no handler for '${c.method}' in this thread`);
      result = Promise.resolve(handler(...c.args));
    } catch (e) {
      result = Promise.reject(e);
    }
    if (c.id === 0) {
      result.catch((e: unknown) => this.onNotifyError(c.method, e));
      return;
    }
    result.then(
      (value) => this.reply({ id: c.id, ok: true, value }),
      (e: unknown) => this.reply({ id: c.id, ok: false, error: serializeError(e) }),
    );
  }

  private reply(r: Result): void {
    if (this.closedWith) return;
    this.results.push(r);
    this.schedule();
  }
}

function envelopeOf(calls: Call[], results: Result[]): Envelope {
  const envelope: Envelope = {};
  if (calls.length > 0) envelope.calls = calls;
  if (results.length > 0) envelope.results = results;
  return envelope;
}

function notEncodable(what: string, e: unknown): HookflowError {
  return new HookflowError(
    'not_encodable',
    `${what} could not be sent to the other thread: its value is not JSON data (${errorMessage(e)})`,
  );
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof HookflowError) {
    const out: SerializedError = { name: e.name, message: e.message, code: e.code };
    if (e.details !== undefined) out.details = e.details;
    return out;
  }
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

export function deserializeError(s: SerializedError): Error {
  if (s.code === undefined) {
    const e = new Error(s.message);
    e.name = s.name;
    return e;
  }
  if (s.name === 'StoreError')
    return new StoreError(s.code as StoreErrorCode, s.message, s.details);
  const e = new HookflowError(s.code, s.message, s.details);
  e.name = s.name;
  return e;
}
