/**
 * @module ingress/delivery
 * What the caller hears, by delivery mode (§3). Pure: given the mode and what happened to the
 * event and its job, the HTTP answer.
 */
import type { ReplyOutcome } from '../engine/reply-bus.js';
import type { HttpReply } from '../workflow/types.js';
import { errorBody } from './http-errors.js';

export function acceptedAnswer(id: string): HttpReply {
  return { status: 202, headers: {}, body: { accepted: true, id } };
}

export const DEFAULT_REJECT: HttpReply = { status: 200, headers: {}, body: { accepted: false } };

/** acknowledge mode without a `reply`: the caller learns the event was taken. */
export function defaultAcknowledge(id: string): HttpReply {
  return { status: 200, headers: {}, body: { accepted: true, id } };
}

/** request_response: the reply, 204, 500 workflow_failed or 504 (no reply in time, or shutdown). */
export function requestResponseAnswer(
  jobId: string,
  outcome: ReplyOutcome,
  timeoutMs: number,
): HttpReply {
  switch (outcome.kind) {
    case 'reply':
      return outcome.reply;
    case 'finished':
      return outcome.status === 'succeeded'
        ? { status: 204, headers: {}, body: null }
        : {
            status: 500,
            headers: {},
            body: errorBody('workflow_failed', 'the workflow failed before it replied', {
              job: jobId,
            }),
          };
    case 'timeout':
      return {
        status: 504,
        headers: {},
        body: errorBody('timeout', `no reply within ${timeoutMs} ms; the job goes on`, {
          job: jobId,
        }),
      };
    case 'interrupted':
      // Not 503: the event is stored and its job resumes after the restart; a retry would run
      // it twice.
      return {
        status: 504,
        headers: {},
        body: errorBody(
          'shutting_down',
          'Hookflow shut down before the workflow replied; the job is stored and goes on after the restart',
          { job: jobId },
        ),
      };
  }
}
