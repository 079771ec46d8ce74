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
  | { kind: 'timeout' }
  /** The server shut down before the job replied (the job goes on). */
  | { kind: 'interrupted' };

/** What a worker hands over; timeouts and interruptions happen on the waiting side. */
export type PublishedOutcome = Exclude<ReplyOutcome, { kind: 'timeout' | 'interrupted' }>;

/** Where a worker hands a job's reply and finish (a bus, a thread, other processes). */
export interface ReplySink {
  /**
   * `job.stored` resolves once the outcome is committed (true) or was not stored (false: the
   * lease was lost); absent when it is committed already. A sink that crosses processes waits
   * for it, so that the waiting side can read the outcome from the store.
   */
  publish(
    jobId: string,
    outcome: PublishedOutcome,
    job?: { workflow: string; stored?: Promise<boolean> },
  ): void;
}

export interface ReplyBus {
  /** Subscribe before the job can run; resolves with the first outcome or a timeout. */
  wait(jobId: string, timeoutMs: number): { outcome: Promise<ReplyOutcome>; cancel(): void };
  publish(jobId: string, outcome: PublishedOutcome): void;
  /** Whether anyone waits for this job (saves work when no one does). */
  hasWaiter(jobId: string): boolean;
  /** The jobs someone waits for now. */
  waiting(): string[];
  /** Shutdown: every waiter gets `interrupted` now. */
  interruptAll(): void;
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
      // The waiting request's connection keeps the process alive; a caller who hung up must not
      // (up to the whole reply timeout after a shutdown).
      timer.unref();
      const done = (o: ReplyOutcome): void => {
        clearTimeout(timer);
        const s = waiters.get(jobId);
        s?.delete(done);
        if (s && s.size === 0) {
          waiters.delete(jobId);
          // A reply or a finish came from the worker, which then stops sending by itself.
          if (o.kind !== 'reply' && o.kind !== 'finished') opts.onDone?.(jobId);
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
    waiting: () => [...waiters.keys()],
    interruptAll() {
      for (const set of [...waiters.values()]) for (const f of [...set]) f({ kind: 'interrupted' });
    },
  };
}
