/**
 * @module roles/embedded/thread-spawn
 * Makes the worker thread, possibly before the main thread knows what it will run. A thread
 * spends most of its start-up loading modules, as does the main thread; `hookflow serve`
 * therefore starts one first thing (`prestartWorkerThread`), so that both load side by side,
 * and hands it its data later (worker-thread.ts posts it as the thread's first message).
 * This module stays small: it is loaded before the rest of the server.
 *
 * @example
 *   prestartWorkerThread(); // serve, before importing the app
 *   const thread = takePrestarted() ?? spawnWorkerThread(); // startWorkerThread
 */
import type { Worker } from 'node:worker_threads';
import { threadEntry } from './thread-entry.js';

const YOUNG_GENERATION_MB = 24;

let prestarted: Worker | null = null;

/** A new worker thread, loading its modules and waiting for its data. */
export function spawnWorkerThread(): Worker {
  // A smaller young generation than V8's default (3 × 16 MB semi-spaces): jobs are short-lived
  // garbage either way, and this saved about 40 MB of peak RSS at no measurable cost in
  // throughput (docs/benchmarks.md).
  return threadEntry('./worker-thread-entry', import.meta.url, {
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
}

/**
 * Starts the thread of the next `startWorkerThread` now. Until taken it does not keep the
 * process alive: a start-up that fails before taking it still exits.
 */
export function prestartWorkerThread(): void {
  if (prestarted) return;
  const thread = spawnWorkerThread();
  thread.unref();
  // A thread that fails before it is taken is dropped: its taker makes a new one and reports
  // that one's failure.
  thread.on('error', () => {});
  thread.once('exit', () => {
    if (prestarted === thread) prestarted = null;
  });
  prestarted = thread;
}

/** The prestarted thread, if there is one not taken yet. */
export function takePrestarted(): Worker | null {
  const thread = prestarted;
  prestarted = null;
  thread?.ref();
  return thread;
}

/** Ends a prestarted thread nobody took (a start-up that failed). */
export async function discardPrestarted(): Promise<void> {
  const thread = prestarted;
  prestarted = null;
  await thread?.terminate();
}
