/**
 * @module roles/worker/job-feeds
 * How runnable jobs reach a worker's engine, by backend:
 *
 * - SQLite (one process): the ids the ingress commits arrive by `wake(ids)` and wait in a
 *   local queue; `start` resumes every unfinished job — the file serves this process alone.
 * - PostgreSQL (any number of workers): jobs are claimed with `claimNextJobs` as slots free
 *   up, woken by LISTEN on the jobs channel, a local `wake` (the embedded arrangement), a
 *   safety poll, and a re-check after the listener reconnects. A job is never resumed by id:
 *   another worker may hold it.
 *
 * @example
 *   const feed = 'databaseUrl' in storeOptions
 *     ? postgresFeed({ databaseUrl, store, engine, concurrency, log })
 *     : localFeed({ store, engine, concurrency, log });
 */
import type { Logger } from 'pino';
import type { Engine } from '../../engine/index.js';
import { createClaimLoop, createLocalQueue } from '../../queue/index.js';
import { JOBS_CHANNEL, createPgListener } from '../../store/index.js';
import type { Store } from '../../store/index.js';

export interface JobFeed {
  /** These committed jobs are runnable. */
  wake(jobIds: readonly string[]): void;
  start(): Promise<void>;
  /** Takes no more jobs; lets the running ones finish within `graceMs`, then gives them back. */
  stop(graceMs: number): Promise<void>;
  /** Jobs waiting here to run. */
  depth(): number;
}

interface FeedOptions {
  store: Store;
  engine: Engine;
  concurrency: number;
  log: Logger;
}

export function localFeed({ store, engine, concurrency, log }: FeedOptions): JobFeed {
  // A job is in the queue once: a wake-up and the resume at start may name the same job.
  const held = new Set<string>();
  const queue = createLocalQueue((jobId, err) => log.error({ err, job: jobId }, 'job crashed'));
  const enqueue = (id: string): void => {
    if (held.has(id)) return;
    held.add(id);
    void queue.enqueue(id);
  };
  // Jobs the claim held back for their concurrency key, by workflow, in arrival order: offered
  // again when a job of their workflow finishes (what frees a slot of their key).
  const waiting = new Map<string, string[]>();
  let finishes = 0;
  // Debounced jobs, tried again when their wait ends. A later event of the burst moves the
  // end: the claim then fails again and the job waits for its new time.
  const timers = new Map<string, NodeJS.Timeout>();
  const tryAt = (id: string, until: string): void => {
    const timer = setTimeout(
      () => {
        timers.delete(id);
        void queue.enqueue(id);
      },
      Math.max(0, Date.parse(until) - Date.now()),
    );
    timers.set(id, timer);
  };
  const offerWaiting = (workflow: string): void => {
    const ids = waiting.get(workflow);
    if (!ids) return;
    waiting.delete(workflow);
    for (const id of ids) void queue.enqueue(id);
  };
  async function run(id: string): Promise<void> {
    const before = finishes;
    let ran: { workflow: string } | null = null;
    try {
      ran = await engine.runJob(id);
      if (!ran) {
        const job = await store.getJob(id);
        if (job?.waiting?.reason === 'debounce') {
          tryAt(id, job.waiting.until);
          return;
        }
        // Queued and not claimed: on SQLite (one process) only its concurrency key holds it.
        if (job?.status === 'queued') {
          if (finishes !== before)
            void queue.enqueue(id); // a slot freed while it was tried
          else waiting.set(job.workflow, [...(waiting.get(job.workflow) ?? []), id]);
          return;
        }
      }
    } catch (err) {
      held.delete(id);
      throw err;
    }
    held.delete(id);
    if (!ran) return;
    finishes++;
    offerWaiting(ran.workflow);
  }
  return {
    wake(ids) {
      for (const id of ids) enqueue(id);
    },
    async start() {
      const unfinished = await store.unfinishedJobs();
      for (const id of unfinished) enqueue(id);
      if (unfinished.length > 0) log.info({ jobs: unfinished.length }, 'resuming unfinished jobs');
      queue.start(run, concurrency);
    },
    // One process owns the file: running jobs are waited for (SPEC §9), as they always were.
    async stop() {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await queue.stop();
    },
    depth: () => queue.depth(),
  };
}

export interface PostgresFeedOptions extends FeedOptions {
  databaseUrl: string;
  /** The safety poll's period. Default 1,000 ms. */
  pollMs?: number;
}

export function postgresFeed(opts: PostgresFeedOptions): JobFeed {
  const { store, engine, log } = opts;
  const loop = createClaimLoop({
    store,
    claim: engine.claim,
    concurrency: opts.concurrency,
    run: (job) => engine.runClaimed(job),
    log,
    ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
  });
  const listener = createPgListener({
    databaseUrl: opts.databaseUrl,
    // Notifications sent while it was away are lost: look for what they announced.
    onReconnect: () => loop.wake(),
    onDisconnect: (err) =>
      log.warn({ err }, 'the job notifications connection dropped; reconnecting'),
  });
  listener.listen(JOBS_CHANNEL, () => loop.wake());
  return {
    wake: () => loop.wake(),
    async start() {
      await listener.connect();
      loop.start();
    },
    async stop(graceMs) {
      await listener.close();
      await loop.stop(graceMs, () => engine.releaseAll());
    },
    depth: () => 0,
  };
}
