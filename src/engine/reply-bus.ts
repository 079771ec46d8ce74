/**
 * @module engine/reply-bus
 * Hands a request_response job's reply from the worker that runs it to the ingress request
 * that waits for it. In-process here; a Redis pub/sub bus with the same interface serves the
 * scale-out mode.
 */
import type { HttpReply } from '../workflow/types.js';

export type ReplyOutcome =
  | { kind: 'reply'; reply: HttpReply }
  | { kind: 'finished'; status: 'succeeded' | 'failed' }
  | { kind: 'timeout' }
  /** The server shut down before the job replied (the job goes on). */
  | { kind: 'interrupted' };

/** What a worker hands over; timeouts and interruptions happen on the waiting side. */
export type PublishedOutcome = Exclude<ReplyOutcome, { kind: 'timeout' | 'interrupted' }>;

export interface ReplyBus {
  /** Subscribe before the job can run; resolves with the first outcome or a timeout. */
  wait(jobId: string, timeoutMs: number): { outcome: Promise<ReplyOutcome>; cancel(): void };
  publish(jobId: string, outcome: PublishedOutcome): void;
  /** Whether anyone waits for this job (saves work when no one does). */
  hasWaiter(jobId: string): boolean;
  /** Shutdown: every waiter gets `interrupted` now. */
  interruptAll(): void;
}

export interface LocalReplyBusOptions {
  /** Called when someone starts waiting for a job (the engine thread then reports it). */
  onWait?(jobId: string): void;
}

export function createLocalReplyBus(opts: LocalReplyBusOptions = {}): ReplyBus {
  const waiters = new Map<string, Set<(o: ReplyOutcome) => void>>();

  return {
    wait(jobId, timeoutMs) {
      opts.onWait?.(jobId);
      let settle!: (o: ReplyOutcome) => void;
      const outcome = new Promise<ReplyOutcome>((resolve) => {
        settle = resolve;
      });
      let set = waiters.get(jobId);
      if (!set) waiters.set(jobId, (set = new Set()));
      const timer = setTimeout(() => done({ kind: 'timeout' }), timeoutMs);
      const done = (o: ReplyOutcome): void => {
        clearTimeout(timer);
        const s = waiters.get(jobId);
        s?.delete(done);
        if (s && s.size === 0) waiters.delete(jobId);
        settle(o);
      };
      set.add(done);
      return { outcome, cancel: () => done({ kind: 'timeout' }) };
    },
    publish(jobId, outcome) {
      const set = waiters.get(jobId);
      if (!set) return;
      for (const f of [...set]) f(outcome);
    },
    hasWaiter(jobId) {
      return waiters.has(jobId);
    },
    interruptAll() {
      for (const set of [...waiters.values()]) for (const f of [...set]) f({ kind: 'interrupted' });
    },
  };
}
