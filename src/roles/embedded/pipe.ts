/**
 * @module roles/embedded/pipe
 * A typed, one-way-per-direction message pipe over a MessagePort, batched: every message of
 * one event-loop turn travels in one postMessage. Under load the ingress hands hundreds of job
 * ids to the worker thread per turn; they share a message.
 *
 * A batch is one JSON string: V8's JSON is several times faster than the structured clone of
 * the same objects, and a string crosses threads as a copy of its bytes. A message that cannot
 * be encoded (nested too deep for the stack, a BigInt, a cycle) fails alone: `onUnencodable`
 * may give a message to send instead; the others of its turn still go.
 *
 * @example
 *   const pipe = new Pipe<ToWorker, ToIngress>(worker, (m) => { if (m.type === 'ready') … });
 *   pipe.send({ type: 'jobs', ids: [id] });
 */
import type { MessagePort, Worker } from 'node:worker_threads';

type Port = Pick<MessagePort | Worker, 'postMessage' | 'on' | 'off'>;

export class Pipe<Out extends { type: string }, In extends { type: string }> {
  private outbox: Out[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  private closed = false;
  private readonly onMessage = (batch: unknown): void => {
    // Anything else on the port (a transferred MessagePort, say) is another listener's.
    if (typeof batch !== 'string') return;
    for (const m of JSON.parse(batch) as In[]) this.receive(m);
  };

  constructor(
    private readonly port: Port,
    private readonly receive: (message: In) => void,
    private readonly onUnencodable: (message: Out, error: unknown) => Out | undefined = () =>
      undefined,
  ) {
    port.on('message', this.onMessage);
  }

  /** Queues `message` for the end of this turn. Dropped once the pipe is closed. */
  send(message: Out): void {
    if (this.closed) return;
    this.outbox.push(message);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Sends what is queued now (before a thread ends, say). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    if (this.outbox.length === 0 || this.closed) return;
    const batch = this.outbox;
    this.outbox = [];
    let encoded: string;
    try {
      encoded = JSON.stringify(batch);
    } catch {
      encoded = `[${batch.flatMap((m) => this.encodeAlone(m)).join(',')}]`;
    }
    this.port.postMessage(encoded);
  }

  private encodeAlone(message: Out): string[] {
    try {
      return [JSON.stringify(message)];
    } catch (error) {
      const instead = this.onUnencodable(message, error);
      return instead === undefined ? [] : this.encodeAlone(instead);
    }
  }

  /** Stops sending and receiving. */
  close(): void {
    this.closed = true;
    if (this.scheduled) clearImmediate(this.scheduled);
    this.outbox = [];
    this.port.off('message', this.onMessage);
  }
}
