/**
 * @module store/sqlite/rate-store
 * Rate limit counters on SQLite: one process serves the file, so the count lives in its
 * memory (nothing is written per request). A fixed window per (workflow, key), aligned to the
 * epoch; windows that ended are swept once a minute. Lost on restart, which only forgives.
 *
 * @example
 *   return { ...coreMethods, ...createRateMethods() };
 */
import type { RateStore } from '../types.js';

const SWEEP_MS = 60_000;

export function createRateMethods(now: () => number = Date.now): RateStore {
  const windows = new Map<string, { end: number; count: number }>();
  let nextSweep = now() + SWEEP_MS;
  return {
    async hitRateLimit(workflow, key, { limit, perMs }) {
      const at = now();
      if (at >= nextSweep) {
        for (const [k, w] of windows) if (w.end <= at) windows.delete(k);
        nextSweep = at + SWEEP_MS;
      }
      const id = `${workflow}\u0000${key}\u0000${perMs}`;
      const end = Math.floor(at / perMs) * perMs + perMs;
      let w = windows.get(id);
      if (w === undefined || w.end !== end) {
        w = { end, count: 0 };
        windows.set(id, w);
      }
      w.count++;
      return { allowed: w.count <= limit, count: w.count, retryAfterMs: end - at };
    },
  };
}
