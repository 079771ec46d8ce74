/**
 * @module queue/postgres/claim-loop
 * How a worker takes jobs from PostgreSQL: `claimNextJobs(claim, freeSlots)` (SKIP LOCKED, an
 * owner and a lease), run at once — so nothing is claimed that does not start. A claim pass
 * runs when woken (the jobs channel's NOTIFY at commit, a local wake-up, a finished job
 * freeing a slot, the listener coming back after an outage) and on a slow safety poll, which
 * also picks up jobs whose lease expired on a worker that died.
 *
 * While the database is out of reach the loop backs off (doubling up to `maxBackoffMs`) and
 * says so once per outage (`onUnavailable`, `onAvailable`); it never crashes the process.
 *
 * @example
 *   const loop = createClaimLoop({ store, claim: engine.claim, concurrency: 8,
 *     run: (job) => engine.runClaimed(job), log });
 *   loop.start();
 *   listener.listen(JOBS_CHANNEL, () => loop.wake());
 *   await loop.stop(10_000, () => engine.releaseAll());
 */
import type { Logger } from 'pino';
import { StoreError } from '../../store/index.js';
import type { Claim, ClaimedJob, Store } from '../../store/index.js';

export interface ClaimLoopOptions {
  store: Pick<Store, 'claimNextJobs' | 'releaseJob'>;
  claim: Claim;
  /** Jobs run at once. */
  concurrency: number;
  /** Runs one claimed job; a rejection is logged, the slot freed. */
  run(job: ClaimedJob): Promise<void>;
  log: Logger;
  /** The safety poll's period. Default 1,000 ms. */
  pollMs?: number;
  /** The first retry delay after an outage; doubles up to `maxBackoffMs`. Default 100 ms. */
  minBackoffMs?: number;
  /** Default 5,000 ms. */
  maxBackoffMs?: number;
}

export interface ClaimLoop {
  /** Starts the safety poll and claims what is runnable now. */
  start(): void;
  /** Runnable jobs may exist: claim as many as there are free slots. Never throws. */
  wake(): void;
  /** Jobs running here now. */
  running(): number;
  /** False while the last claim found the database out of reach. */
  readonly available: boolean;
  /**
   * Claims nothing more; waits up to `graceMs` for the running jobs, then calls `abandon`
   * (which gives them back) and waits for them to stop.
   */
  stop(graceMs: number, abandon: () => Promise<void>): Promise<void>;
}

export function createClaimLoop(opts: ClaimLoopOptions): ClaimLoop {
  const { store, claim, log } = opts;
  const pollMs = opts.pollMs ?? 1_000;
  const minBackoff = opts.minBackoffMs ?? 100;
  const maxBackoff = opts.maxBackoffMs ?? 5_000;
  const active = new Set<Promise<void>>();
  let stopping = false;
  let claiming: Promise<void> | null = null;
  let again = false;
  let available = true;
  let backoff = minBackoff;
  let retryTimer: NodeJS.Timeout | null = null;
  let pollTimer: NodeJS.Timeout | null = null;

  function launch(job: ClaimedJob): void {
    const done = opts
      .run(job)
      .catch((err: unknown) => log.error({ err, job: job.id }, 'job crashed'))
      .finally(() => {
        active.delete(done);
        wake();
      });
    active.add(done);
  }

  /** Claims until the slots are full or nothing is runnable; one pass at a time. */
  function pass(): Promise<void> {
    if (claiming) {
      again = true;
      return claiming;
    }
    claiming = claimWhileFree().finally(() => {
      claiming = null;
    });
    return claiming;
  }

  async function claimWhileFree(): Promise<void> {
    try {
      do {
        again = false;
        const free = opts.concurrency - active.size;
        if (stopping || free <= 0) return;
        const jobs = await store.claimNextJobs(claim, free);
        if (!available) log.info('the database is back; claiming jobs again');
        available = true;
        backoff = minBackoff;
        if (stopping) {
          // Claimed while stopping: give them straight back rather than start them.
          await Promise.all(jobs.map((j) => store.releaseJob(j.id, claim.owner).catch(() => {})));
          return;
        }
        for (const job of jobs) launch(job);
        if (jobs.length === free) again = true;
      } while (again);
    } catch (err) {
      outage(err);
    }
  }

  function outage(err: unknown): void {
    const unreachable = err instanceof StoreError && err.code === 'store_unavailable';
    if (available) {
      if (unreachable) log.warn({ err }, 'the database is out of reach; retrying with backoff');
      else log.error({ err }, 'claiming jobs failed; retrying with backoff');
    }
    available = false;
    if (retryTimer || stopping) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      wake();
    }, backoff);
    retryTimer.unref();
    backoff = Math.min(backoff * 2, maxBackoff);
  }

  function wake(): void {
    // During an outage the backoff timer paces the attempts, not every wake-up.
    if (!available && retryTimer) return;
    void pass();
  }

  return {
    start() {
      pollTimer = setInterval(wake, pollMs);
      pollTimer.unref();
      wake();
    },
    wake,
    running: () => active.size,
    get available() {
      return available;
    },
    async stop(graceMs, abandon) {
      stopping = true;
      if (pollTimer) clearInterval(pollTimer);
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      // A claim in flight releases what it gets (see claimWhileFree).
      await claiming;
      if (active.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'grace-over'>((resolve) => {
        timer = setTimeout(() => resolve('grace-over'), graceMs);
      });
      const finished = Promise.all(active).then(() => 'finished' as const);
      const first = await Promise.race([finished, graceOver]);
      clearTimeout(timer);
      if (first === 'grace-over') {
        log.warn({ jobs: active.size }, 'jobs still running after the shutdown grace; released');
        await abandon();
        await finished;
      }
    },
  };
}
