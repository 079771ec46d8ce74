/**
 * @module connectors/builtins/slack
 * Slack's Events API, slash commands and interactivity: the v0 signature and timestamp window
 * verified, `url_verification` answered with its challenge (no job), an interactivity
 * `payload` parsed, Events API retries deduped on `event_id`. Slack wants an answer within
 * 3 seconds: acknowledge (an empty 200) by default; request_response for a slash command that
 * answers with a reply step.
 *
 * @example
 *   trigger:
 *     slack: {secret: "${env:SLACK_SIGNING_SECRET}"}
 */
import { z } from 'zod';
import { checkSlack, slackChallenge } from '../../ingress/verify/index.js';
import { defineConnector, defineTrigger } from '../sdk/define-connector.js';
import { NoTrigger } from '../sdk/no-trigger.js';
import type { ProviderOutput } from './schemas.js';
import { field, header, secret, tolerance } from './schemas.js';

export const slack = defineConnector({
  name: 'slack',
  title: 'Slack',
  triggers: {
    webhook: defineTrigger({
      title: 'Events API, slash commands and interactivity',
      params: z.strictObject({ secret, tolerance }),
      delivery: ['acknowledge', 'request_response', 'fire_and_forget'],

      filter(params, http) {
        const opts = { secret: params.secret, toleranceMs: params.tolerance };
        const refused = checkSlack(opts, http.headers, http.rawBody, Date.now());
        if (refused) throw NoTrigger.unauthorized(refused);
        const challenge = slackChallenge(http.rawBody);
        if (challenge) throw new NoTrigger(challenge);
        return true;
      },

      before(_params, http): ProviderOutput & { retry: number } {
        const body = interactivityPayload(http.body) ?? http.body;
        const inner = (body as { event?: unknown } | null)?.event;
        return {
          event: field(inner, 'type') ?? field(body, 'type') ?? field(body, 'command'),
          eventId: field(body, 'event_id'),
          retry: Number(header(http, 'x-slack-retry-num') ?? 0),
          body,
          headers: http.headers,
        };
      },

      uniqueId: (_params, _http, output) => output.eventId,
      reply: () => ({ status: 200, body: '' }),
    }),
  },
});

/** Interactivity posts a form with one `payload` field holding JSON. */
function interactivityPayload(body: unknown): unknown {
  const payload = field(body, 'payload');
  if (payload === null) return undefined;
  try {
    return JSON.parse(payload) as unknown;
  } catch {
    return undefined;
  }
}
