/**
 * @module triggers/ticker
 * Runs one trigger's action at its fire times. A fire time that comes while the previous run
 * is still going is skipped, not queued: runs of one workflow never overlap, even across the
 * tickers that replace each other when the workflow changes (they share one {@link RunLock}).
 *
 * @example
 *   const ticker = new Ticker({ name: 'orders', lock, next: (at) => at + 60_000, run, onSkip });
 *   ticker.start(Date.now());
 */

/** Node's longest timer (about 24.8 days); longer waits are taken in several steps. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The run in progress of each workflow. */
export class RunLock {
  private readonly running = new Map<string, Promise<void>>();

  /** Starts `fn` unless a run of `name` is going; then returns that run instead. */
  run(name: string, fn: () => Promise<void>): { started: boolean; done: Promise<void> } {
    const current = this.running.get(name);
    if (current) return { started: false, done: current };
    const done = fn().finally(() => {
      if (this.running.get(name) === done) this.running.delete(name);
    });
    this.running.set(name, done);
    return { started: true, done };
  }

  /** Resolves when every run going now has finished. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }
}

export interface TickerOptions {
  name: string;
  lock: RunLock;
  /** The fire time after the one at `at` (which just came); null for none. */
  next(at: number): number | null;
  /**
   * The action; `at` is the fire time it runs for, `manual` true when asked for (`runNow`)
   * rather than fired by the timer. It handles its own errors.
   */
  run(at: number, signal: AbortSignal, manual: boolean): Promise<void>;
  /** Told when a fire time is skipped because the previous run is still going. */
  onSkip?(at: number): void;
}

export class Ticker {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly abort = new AbortController();
  /** The fire time the timer waits for. */
  nextRunAt: number | null = null;

  constructor(private readonly opts: TickerOptions) {}

  /** Waits for `firstAt` (null: never fires). */
  start(firstAt: number | null): void {
    this.arm(firstAt);
  }

  /** Runs the action for `at` now, or joins the run in progress. */
  runNow(at = Date.now()): Promise<void> {
    return this.launch(at, true).done;
  }

  /** No more fire times; a run in progress is aborted (it may still be finishing). */
  stop(): void {
    this.stopped = true;
    this.nextRunAt = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort.abort();
  }

  private arm(at: number | null): void {
    this.nextRunAt = at;
    if (at === null || this.stopped) return;
    const wait = Math.min(Math.max(at - Date.now(), 0), MAX_TIMEOUT_MS);
    this.timer = setTimeout(() => this.fire(at), wait);
    // A waiting trigger does not keep the process alive; the server does.
    this.timer.unref();
  }

  private fire(at: number): void {
    this.timer = null;
    if (this.stopped) return;
    // A long wait is taken in steps, and a timer may wake up a little early.
    if (Date.now() < at) return this.arm(at);
    if (!this.launch(at, false).started) this.opts.onSkip?.(at);
    // After a late wake-up, the fire times already past are not made up.
    this.arm(this.opts.next(Math.max(at, Date.now())));
  }

  private launch(at: number, manual: boolean): { started: boolean; done: Promise<void> } {
    return this.opts.lock.run(this.opts.name, () => this.opts.run(at, this.abort.signal, manual));
  }
}
