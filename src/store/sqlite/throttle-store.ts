/**
 * @module store/sqlite/throttle-store
 * Connection throttles on SQLite: one process serves the file and its jobs run on one worker
 * thread, so slots and pauses live in that thread's memory (nothing is written per request).
 * Per connection, the times of the last `limit` grants: a new one is granted when the oldest
 * is at least `perMs` old, so no window of `perMs` ever holds more than `limit`. Lost on
 * restart, which only forgives.
 *
 * @example
 *   return { ...coreMethods, ...createThrottleMethods() };
 */
import type { ConnectionThrottleStore } from '../types.js';

export function createThrottleMethods(now: () => number = Date.now): ConnectionThrottleStore {
  /** Grant times per connection, oldest first, at most `limit` of them. */
  const grants = new Map<string, number[]>();
  const pauses = new Map<string, number>();
  return {
    async takeConnectionSlot(name, rate) {
      const at = now();
      const pausedUntil = pauses.get(name) ?? 0;
      if (pausedUntil > at) return { granted: false, reason: 'paused', waitMs: pausedUntil - at };
      if (pausedUntil !== 0) pauses.delete(name);
      if (rate === null) return { granted: true };
      let times = grants.get(name);
      if (times === undefined) grants.set(name, (times = []));
      // A lowered limit drops the oldest grants: the newest `limit` decide.
      if (times.length > rate.limit) times.splice(0, times.length - rate.limit);
      const oldest = times[0];
      if (times.length === rate.limit && oldest !== undefined && oldest > at - rate.perMs) {
        return { granted: false, reason: 'rate', waitMs: oldest + rate.perMs - at };
      }
      if (times.length === rate.limit) times.shift();
      times.push(at);
      return { granted: true };
    },
    async pauseConnection(name, forMs) {
      const at = now();
      const until = Math.max(pauses.get(name) ?? 0, at + Math.max(0, forMs));
      pauses.set(name, until);
      return until - at;
    },
  };
}
