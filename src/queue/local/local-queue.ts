/**
 * @module queue/local
 * The in-process queue of the embedded mode: a FIFO of job ids and a pool of async workers on
 * this event loop. It holds nothing that the store does not: on a crash the store's unfinished
 * jobs are enqueued again at start-up.
 */
import type { JobHandler, Queue } from '../types.js';

export function createLocalQueue(onError: (jobId: string, err: unknown) => void): Queue {
  const waiting: string[] = [];
  let head = 0;
  let handler: JobHandler | null = null;
  let concurrency = 1;
  let running = 0;
  let stopping = false;
  const idle: Array<() => void> = [];

  function pump(): void {
    while (handler && !stopping && running < concurrency && head < waiting.length) {
      const id = waiting[head++] as string;
      if (head > 1024 && head * 2 > waiting.length) {
        waiting.splice(0, head);
        head = 0;
      }
      running++;
      handler(id)
        .catch((err: unknown) => onError(id, err))
        .finally(() => {
          running--;
          if (running === 0 && stopping) idle.splice(0).forEach((f) => f());
          pump();
        });
    }
  }

  return {
    enqueue(jobId) {
      waiting.push(jobId);
      // Start it on a later turn so the caller (ingress) answers before the job takes the loop.
      if (handler) setImmediate(pump);
      return Promise.resolve();
    },
    start(h, n) {
      handler = h;
      concurrency = n;
      stopping = false;
      pump();
    },
    stop() {
      stopping = true;
      if (running === 0) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
    depth() {
      return waiting.length - head;
    },
  };
}
