/**
 * @module connections/throttle
 * Outbound throttling per connection for the jobs of a worker: before each request with a
 * connection, wait for a turn — a slot of its `rate` and the end of a pause an upstream asked
 * for with `Retry-After` on a 429/503. The store keeps the slots and pauses (shared by every
 * worker on PostgreSQL; this thread's memory on SQLite); here, the requests of this worker
 * queue per connection in arrival order, so only the first of them asks the store at a time.
 *
 * A pause that ends more than {@link MAX_PAUSE_WAIT_MS} from now is not waited for: the
 * request fails at once (`connection_paused`) rather than holding a worker for minutes.
 *
 * @example
 *   const throttle = new ConnectionThrottle(store, { waited: (c, ms) => … });
 *   const waitedMs = await throttle.awaitTurn('crm', { limit: 10, perMs: 1000 }, signal);
 *   await throttle.pause('crm', 2000, 429); // every worker's requests with crm wait 2 s
 */
import type { ConnectionThrottleStore } from '../store/types.js';
import { ConnectionError } from './errors.js';
import type { ConnectionRate } from './types.js';

/** The longest pause a request waits for; as long as a step waits for a Retry-After. */
export const MAX_PAUSE_WAIT_MS = 60_000;
/** The longest pause recorded, whatever the upstream asks: an hour. */
export const MAX_PAUSE_MS = 3_600_000;

export interface ThrottleObserver {
  /** A request's turn came after `ms` (0: at once). */
  waited?(connection: string, ms: number): void;
  /** An upstream's `status` with Retry-After paused the connection for `ms`. */
  paused?(connection: string, ms: number, status: number): void;
}

export class ConnectionThrottle {
  /** Per connection, the turn of the last request queued here. */
  private readonly tails = new Map<string, Promise<void>>();

  constructor(
    private readonly store: ConnectionThrottleStore,
    private readonly observer: ThrottleObserver = {},
  ) {}

  /**
   * Resolves, with the milliseconds waited, when a request with connection `name` may be
   * sent; rejects with the signal's reason when it fires first, or with `connection_paused`.
   */
  async awaitTurn(
    name: string,
    rate: ConnectionRate | null,
    signal?: AbortSignal,
  ): Promise<number> {
    const started = Date.now();
    let waited = false;
    const before = this.tails.get(name);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.tails.set(name, mine);
    try {
      if (before) {
        waited = true;
        await untilAborted(before, signal);
      }
      for (;;) {
        const turn = await this.store.takeConnectionSlot(name, rate);
        if (turn.granted) break;
        if (turn.reason === 'paused' && turn.waitMs > MAX_PAUSE_WAIT_MS) {
          throw new ConnectionError(
            'connection_paused',
            `the service asked (Retry-After) for no requests with connection '${name}' for ${Math.ceil(turn.waitMs / 1000)} s more; Hookflow waits at most ${MAX_PAUSE_WAIT_MS / 1000} s, so the request was not sent. Run the job again later`,
            { connection: name, pausedForMs: turn.waitMs },
          );
        }
        waited = true;
        await delay(turn.waitMs, signal);
      }
    } finally {
      release();
      if (this.tails.get(name) === mine) this.tails.delete(name);
    }
    // Granted at the first ask: the store's round trip is no wait.
    const ms = waited ? Date.now() - started : 0;
    this.observer.waited?.(name, ms);
    return ms;
  }

  /** Pauses connection `name` for every worker: the upstream answered `status` with Retry-After. */
  async pause(name: string, ms: number, status: number): Promise<void> {
    const forMs = Math.min(Math.max(0, ms), MAX_PAUSE_MS);
    if (forMs === 0) return;
    await this.store.pauseConnection(name, forMs);
    this.observer.paused?.(name, forMs, status);
  }
}

/** Waits `ms`; rejects with the signal's reason when it fires first (and stops the timer). */
function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `work`, or the signal's reason when it fires first (the work itself goes on). */
function untilAborted(work: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}
