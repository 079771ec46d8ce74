/**
 * @module replay
 * Runs bulk replays in the background: each running replay is driven by one process at a time
 * (the store's `withLock` — on PostgreSQL a session advisory lock, freed at once when its
 * process dies), in batches at the replay's rate. A batch's new jobs commit together with the
 * replay's progress, and a unique index allows one new job per original and replay: a process
 * killed mid-replay leaves a replay that the next one resumes after its last committed batch,
 * and no original ever gets two jobs from one replay.
 *
 * @example
 *   const replays = startReplays({ store, intake, loaded: (w) => registry.get(w) !== undefined, log });
 *   replays.kick(); // a replay was just created
 *   await replays.stop();
 */
import type { Logger } from 'pino';
import { errorMessage } from '../errors.js';
import type { Intake } from '../queue/index.js';
import { newJobId } from '../store/index.js';
import type { Store } from '../store/index.js';
import type { Replay, ReplayCandidate, ReplayJob } from '../store/types.js';
import { batchSize } from './read-filter.js';

export { batchSize, readFilter, readTime } from './read-filter.js';
export type { ReplayRequest } from './read-filter.js';

export interface ReplayRunnerOptions {
  store: Pick<
    Store,
    'withLock' | 'getReplay' | 'runningReplays' | 'replayCandidates' | 'finishReplay'
  >;
  intake: Pick<Intake, 'commitReplayBatch'>;
  /** Whether a workflow is loaded: jobs of one that is not are skipped. */
  loaded(workflow: string): boolean;
  log: Logger;
  /** Between looks for replays to drive (left by a restart, or another process's). Default 1 s. */
  intervalMs?: number;
  /** Replays this process drives at once (each holds a database connection). Default 2. */
  maxActive?: number;
}

export interface ReplayRunner {
  /** Looks for replays to drive now (one was just created). */
  kick(): void;
  /** Stops driving after the batch in flight; resolves when every drive has stopped. */
  stop(): Promise<void>;
}

export function startReplays(opts: ReplayRunnerOptions): ReplayRunner {
  const { store, intake, log } = opts;
  const maxActive = opts.maxActive ?? 2;
  const active = new Map<string, Promise<void>>();
  let stopped = false;
  let looking: Promise<void> | null = null;
  const wakers = new Set<() => void>();

  /** Waits `ms`, or less when stopping. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
    });

  function jobsOf(replay: Replay, candidates: ReplayCandidate[]) {
    const jobs: ReplayJob[] = [];
    let skipped = 0;
    for (const c of candidates) {
      const original = replay.version === 'original';
      if (!opts.loaded(c.workflow) || (original && c.version === null)) {
        skipped++;
        continue;
      }
      jobs.push({
        id: newJobId(),
        original: c.id,
        workflow: c.workflow,
        trigger: c.trigger,
        ...(original && c.version !== null ? { version: c.version } : {}),
      });
    }
    return { jobs, skipped };
  }

  async function batches(replay: Replay): Promise<void> {
    const size = batchSize(replay.rate);
    const intervalMs = (size * 1000) / replay.rate;
    const finish = async () => {
      if (await store.finishReplay(replay.id, 'done', null)) {
        log.info({ replay: replay.id }, 'replay done');
      }
    };
    while (!stopped) {
      const started = Date.now();
      const candidates = await store.replayCandidates(replay.id, size);
      const last = candidates.at(-1);
      if (last === undefined) return finish();
      const { jobs, skipped } = jobsOf(replay, candidates);
      const created = await intake.commitReplayBatch({
        replay: replay.id,
        afterSeq: last.seq,
        jobs,
        skipped,
      });
      if (created === null) return; // cancelled
      // A short batch was the walk's last.
      if (candidates.length < size) return finish();
      await pause(Math.max(0, intervalMs - (Date.now() - started)));
    }
  }

  /** Drives one replay unless another process does; false when it did not. */
  async function drive(id: string): Promise<boolean> {
    try {
      const result = await store.withLock(`replay:${id}`, { wait: false }, async () => {
        const replay = await store.getReplay(id);
        if (replay?.status === 'running') await batches(replay);
      });
      return result.held;
    } catch (e) {
      if ((e as { code?: unknown }).code === 'store_unavailable') {
        log.warn({ replay: id, err: e }, 'replay paused: the database is out of reach');
        return false;
      }
      log.error({ replay: id, err: e }, 'replay failed');
      await store.finishReplay(id, 'failed', errorMessage(e)).catch(() => false);
      return true;
    }
  }

  async function look(): Promise<void> {
    if (stopped) return;
    let ids: string[];
    try {
      ids = await store.runningReplays();
    } catch {
      return; // the next look retries
    }
    for (const id of ids) {
      if (stopped || active.size >= maxActive) break;
      if (active.has(id)) continue;
      // After a drive that ran, the next replay waiting need not wait for the timer.
      const driving = drive(id).then((ran) => {
        active.delete(id);
        if (ran) kick();
      });
      active.set(id, driving);
    }
  }

  function kick(): void {
    if (stopped || looking) return;
    looking = look().finally(() => (looking = null));
  }

  const timer = setInterval(kick, opts.intervalMs ?? 1000);
  timer.unref();
  kick();

  return {
    kick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      for (const wake of [...wakers]) wake();
      await looking;
      await Promise.all(active.values());
    },
  };
}
