/**
 * @module roles/embedded/thread-entry
 * What the embedded arrangement's threads share: starting a thread from its entry module (under
 * tsx in tests and `src/`, the built `.js` otherwise) and writing its log lines through the
 * main thread's logger.
 *
 * @example
 *   const thread = threadEntry('./store-thread-entry', import.meta.url, { workerData });
 */
import { SHARE_ENV, Worker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';
import pino from 'pino';
import type { Logger } from 'pino';

/** Starts `entry` (a path without extension, relative to `here`) as a worker thread. */
export function threadEntry(entry: string, here: string, opts: WorkerOptions): Worker {
  const options: WorkerOptions = { ...opts, env: SHARE_ENV };
  if (!here.endsWith('.ts')) return new Worker(new URL(`${entry}.js`, here), options);
  // Under tsx the thread must load tsx before the TypeScript entry.
  const url = new URL(`${entry}.ts`, here).href;
  return new Worker(
    `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(url)}); })`,
    { ...options, eval: true },
  );
}

/** Writes a log line of another thread through this thread's logger. */
export function relayLog(log: Logger, line: string): void {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return;
  }
  const { level, msg, ...fields } = record;
  // The main thread's logger stamps its own time, pid and hostname.
  delete fields.time;
  delete fields.pid;
  delete fields.hostname;
  const label = pino.levels.labels[level as number] ?? 'info';
  log[label as pino.Level](fields, typeof msg === 'string' ? msg : '');
}
