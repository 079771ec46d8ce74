/**
 * @module engine/reply-bus
 * Hands a request_response job's reply from the worker that runs it to the ingress request
 * that waits for it. The bus lives where the requests wait; `onWait`/`onDone` tell the worker
 * side which jobs' outcomes to send (a message to the worker thread, a LISTEN on PostgreSQL).
 */
import type { HttpReply } from '../workflow/types.js';

export type ReplyOutcome =
  | { kind: 'reply'; reply: HttpReply }
  | { kind: 'finished'; status: 'succeeded' | 'failed' }
  | { kind: 'timeout' };

export interface ReplyBus {
  /** Subscribe before the job can run; resolves with the first outcome or a timeout. */
  wait(jobId: string, timeoutMs: number): { outcome: Promise<ReplyOutcome>; cancel(): void };
  publish(jobId: string, outcome: Exclude<ReplyOutcome, { kind: 'timeout' }>): void;
  /** Whether anyone waits for this job (saves work when no one does). */
  hasWaiter(jobId: string): boolean;
}

export interface LocalReplyBusOptions {
  /** Called when someone starts waiting for a job (the worker then reports its outcomes). */
  onWait?(jobId: string): void;
  /** Called when nobody waits for the job any more (a timeout, a cancel, its finish). */
  onDone?(jobId: string): void;
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
        if (s && s.size === 0) {
          waiters.delete(jobId);
          if (o.kind === 'timeout') opts.onDone?.(jobId);
        }
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
  };
}
