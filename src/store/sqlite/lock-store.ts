/**
 * @module store/sqlite/lock-store
 * Locks on SQLite: one process runs over the file, so a lock only has to exclude the callers
 * of this store handle — a chain of promises per key. (The embedded arrangement's other thread
 * has its own handle; what both threads write is guarded by compare-and-sets instead.)
 *
 * @example
 *   return { ...coreMethods, ...createLockMethods() };
 */
import type { LockStore } from '../types.js';

export function createLockMethods(): LockStore {
  const tails = new Map<string, Promise<void>>();
  return {
    async withLock(key, opts, fn) {
      const before = tails.get(key);
      if (before && !opts.wait) return { held: false };
      let release!: () => void;
      const tail = new Promise<void>((resolve) => (release = resolve));
      tails.set(key, tail);
      await before;
      try {
        return { held: true, value: await fn() };
      } finally {
        if (tails.get(key) === tail) tails.delete(key);
        release();
      }
    },
  };
}
