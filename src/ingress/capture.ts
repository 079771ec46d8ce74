/**
 * @module ingress/capture
 * Listening for a test event: the next request to a workflow's webhook, verified and decoded
 * like any other, is kept for the user to look at (and to use as the workflow's example)
 * instead of starting a job — unless the capture was asked to `run` it too. The sender is
 * answered `202 {"accepted": true, "captured": true, "id"}` in every delivery mode, since
 * nothing runs that could reply.
 *
 * Bounded: one capture per workflow at a time, each with a deadline; a finished capture (the
 * event, or why there is none) is kept only until the next capture of that workflow starts.
 * Captures live in this process's memory: with several ingress processes, the one whose API
 * started the capture sees only the requests that reach it.
 *
 * @example
 *   const hub = new CaptureHub();
 *   const c = hub.start('orders', { timeoutMs: 120_000, run: false });
 *   // ingress, for each request to orders: hub.offer('orders', () => triggerData(…))
 *   await hub.waitFor('orders', c.id, 30_000); // { state: 'captured', event, … }
 */
import { randomUUID } from 'node:crypto';
import { HookflowError } from '../errors.js';
import type { TriggerData } from '../store/types.js';
import type { HttpReply } from '../workflow/types.js';

export type CaptureState = 'waiting' | 'captured' | 'expired' | 'cancelled';

export interface Capture {
  id: string;
  workflow: string;
  state: CaptureState;
  /** The event also went through the workflow as usual (a job, unless filtered or a duplicate). */
  run: boolean;
  startedAt: string;
  expiresAt: string;
  /** The captured request as a job would have seen it (`trigger`); null until captured. */
  event: TriggerData | null;
}

interface Entry {
  capture: Capture;
  timer: NodeJS.Timeout | null;
  /** Called once when the state leaves `waiting`. */
  settled: Array<() => void>;
}

/** The longest a capture may wait, and the default. */
export const MAX_CAPTURE_MS = 600_000;
export const DEFAULT_CAPTURE_MS = 120_000;

/** What the sender of a captured (not run) request is answered. */
export function capturedAnswer(id: string): HttpReply {
  return { status: 202, headers: {}, body: { accepted: true, captured: true, id } };
}

export class CaptureHub {
  private readonly byWorkflow = new Map<string, Entry>();
  private waitingCount = 0;

  /** Starts a capture; a workflow with one still waiting is a 409 conflict. */
  start(workflow: string, opts: { timeoutMs: number; run: boolean }): Capture {
    const current = this.byWorkflow.get(workflow);
    if (current?.capture.state === 'waiting') {
      throw new HookflowError(
        'conflict',
        `a capture of '${workflow}' is already waiting (id ${current.capture.id}, until ${current.capture.expiresAt}); wait for it, or DELETE /api/workflows/${workflow}/captures/${current.capture.id}`,
      );
    }
    const now = Date.now();
    const capture: Capture = {
      id: randomUUID(),
      workflow,
      state: 'waiting',
      run: opts.run,
      startedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + opts.timeoutMs).toISOString(),
      event: null,
    };
    const entry: Entry = { capture, timer: null, settled: [] };
    entry.timer = setTimeout(() => this.settle(entry, 'expired'), opts.timeoutMs);
    entry.timer.unref();
    this.byWorkflow.set(workflow, entry);
    this.waitingCount++;
    return { ...capture };
  }

  /**
   * Ingress: when a capture of this workflow waits, it takes this request's event (built by
   * `event`, only then) and is done; a second request at the same moment is not captured.
   * Answers whether the request should still run. Cheap when nothing is waiting.
   */
  offer(workflow: string, event: () => TriggerData): { run: boolean } | undefined {
    if (this.waitingCount === 0) return undefined;
    const entry = this.byWorkflow.get(workflow);
    if (entry?.capture.state !== 'waiting') return undefined;
    entry.capture.event = event();
    this.settle(entry, 'captured');
    return { run: entry.capture.run };
  }

  get(workflow: string, id: string): Capture {
    return { ...this.entry(workflow, id).capture };
  }

  /** The capture once it is no longer waiting, or as it is after `waitMs`. */
  async waitFor(workflow: string, id: string, waitMs: number): Promise<Capture> {
    const entry = this.entry(workflow, id);
    if (entry.capture.state === 'waiting' && waitMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        entry.settled.push(done);
      });
    }
    return { ...entry.capture };
  }

  cancel(workflow: string, id: string): Capture {
    const entry = this.entry(workflow, id);
    if (entry.capture.state === 'waiting') this.settle(entry, 'cancelled');
    return { ...entry.capture };
  }

  /** Ends every wait (server shutdown): waiting captures are cancelled. */
  close(): void {
    for (const entry of this.byWorkflow.values()) {
      if (entry.capture.state === 'waiting') this.settle(entry, 'cancelled');
    }
  }

  private entry(workflow: string, id: string): Entry {
    const entry = this.byWorkflow.get(workflow);
    if (!entry || entry.capture.id !== id) {
      throw new HookflowError(
        'not_found',
        `no capture '${id}' of workflow '${workflow}' (only the latest capture of a workflow is kept)`,
      );
    }
    return entry;
  }

  private settle(entry: Entry, state: Exclude<CaptureState, 'waiting'>): void {
    if (entry.capture.state !== 'waiting') return;
    entry.capture.state = state;
    this.waitingCount--;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    for (const fn of entry.settled.splice(0)) fn();
  }
}
