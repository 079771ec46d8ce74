/**
 * @module roles/cluster/reply-relay
 * request_response across processes: the worker that runs a job may be in another process
 * than the ingress whose request waits for it. The worker side sends a notice of each reply and
 * finish of a request_response job once it is committed (`replyNotifier`); every ingress hands
 * the notices of jobs it waits for to its local {@link ReplyBus} (`relayReplies`), which keeps
 * the 204/500/504 rules. A reply too large for a notification is read from the store, and after
 * the listening connection comes back the store is asked for every job still waited for.
 *
 * In one process (the embedded arrangement) the local path answers first; a notice arriving
 * after it finds no waiter and is dropped.
 *
 * @example
 *   const sink = replyNotifier(signals, (name) => workflows.get(name), log);
 *   relayReplies(signals, replies, store, log);
 */
import type { Logger } from 'pino';
import type { PublishedOutcome, ReplyBus, ReplySink } from '../../engine/index.js';
import type { Store } from '../../store/index.js';
import type { Workflow } from '../../workflow/types.js';
import { CHANNELS, MAX_PAYLOAD_BYTES } from './messages.js';
import type { ReplyNotice } from './messages.js';
import type { Signals } from './signals.js';

/** Whether requests wait for this workflow's jobs (request_response webhooks and connectors). */
export function waitsForReply(wf: Workflow | undefined): boolean {
  const t = wf?.trigger;
  return (t?.type === 'webhook' || t?.type === 'connector') && t.delivery === 'request_response';
}

/** The worker side: notices of committed replies and finishes of request_response jobs. */
export function replyNotifier(
  signals: Pick<Signals, 'send'>,
  workflow: (name: string) => Workflow | undefined,
  log: Logger,
): ReplySink {
  return {
    publish(jobId, outcome, job) {
      if (!job || !waitsForReply(workflow(job.workflow))) return;
      void (job.stored ?? Promise.resolve(true)).then(
        (stored) => (stored ? signals.send(CHANNELS.replies, noticeOf(jobId, outcome)) : undefined),
        // Not stored: the job's other writes report it; its next owner replies.
        (err: unknown) => log.debug({ err, job: jobId }, 'reply not stored; no notice sent'),
      );
    },
  };
}

export function noticeOf(jobId: string, outcome: PublishedOutcome): ReplyNotice {
  if (outcome.kind === 'finished') return { jobId, kind: 'finished', status: outcome.status };
  const full: ReplyNotice = { jobId, kind: 'reply', reply: outcome.reply };
  return Buffer.byteLength(JSON.stringify(full)) <= MAX_PAYLOAD_BYTES
    ? full
    : { jobId, kind: 'reply' };
}

/** The ingress side: notices of jobs waited for here go to the local bus. */
export function relayReplies(
  signals: Pick<Signals, 'on' | 'onReconnect'>,
  bus: ReplyBus,
  store: Pick<Store, 'getJob'>,
  log: Logger,
): void {
  // A job's notices are handled in the order they came: a finish never overtakes the reply
  // read from the store before it.
  const chains = new Map<string, Promise<void>>();
  const inOrder = (jobId: string, work: () => Promise<void>): void => {
    const next = (chains.get(jobId) ?? Promise.resolve())
      .then(work)
      .catch((err: unknown) => log.warn({ err, job: jobId }, 'could not read the job reply'));
    chains.set(jobId, next);
    void next.then(() => {
      if (chains.get(jobId) === next) chains.delete(jobId);
    });
  };

  signals.on(CHANNELS.replies, (notice) => {
    if (typeof notice.jobId !== 'string' || !bus.hasWaiter(notice.jobId)) return;
    inOrder(notice.jobId, async () => {
      if (notice.kind === 'finished') {
        // Notices may arrive out of order (they travel on several connections): the reply is
        // committed before the finish, so the store has it if the job replied at all.
        const stored = (await store.getJob(notice.jobId))?.reply;
        if (stored) bus.publish(notice.jobId, { kind: 'reply', reply: stored });
        return bus.publish(notice.jobId, { kind: 'finished', status: notice.status });
      }
      const reply = notice.reply ?? (await store.getJob(notice.jobId))?.reply;
      if (reply) bus.publish(notice.jobId, { kind: 'reply', reply });
    });
  });

  // Notices sent while the connection was away are lost: the store has what they said.
  signals.onReconnect(() => {
    for (const jobId of bus.waiting()) {
      inOrder(jobId, async () => {
        const job = await store.getJob(jobId);
        if (job?.reply) bus.publish(jobId, { kind: 'reply', reply: job.reply });
        else if (job?.status === 'succeeded' || job?.status === 'failed') {
          bus.publish(jobId, { kind: 'finished', status: job.status });
        }
      });
    }
  });
}
