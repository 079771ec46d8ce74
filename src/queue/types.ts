/**
 * @module queue/types
 * Hands job ids from ingress to workers. The store is the source of truth (a job is `queued`
 * there before it is enqueued here), so a queue may lose its in-memory content on a crash:
 * start-up re-enqueues every unfinished job. `local/` runs in-process; BullMQ comes later.
 */
export type JobHandler = (jobId: string) => Promise<void>;

export interface Queue {
  enqueue(jobId: string): Promise<void>;
  /** Starts delivering ids to `handler`, at most `concurrency` at once. */
  start(handler: JobHandler, concurrency: number): void;
  /** Stops taking new jobs and waits for running ones. */
  stop(): Promise<void>;
  /** Jobs waiting (not running). */
  depth(): number;
}
