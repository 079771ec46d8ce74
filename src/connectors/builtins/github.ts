/**
 * @module connectors/builtins/github
 * GitHub webhooks: `X-Hub-Signature-256` verified, `ping` answered without a job, the event
 * name (`X-GitHub-Event`) in the output, deliveries deduped on `X-GitHub-Delivery`. With
 * `repo` and a `connection` (a token allowed to admin the repo's hooks), enabling the workflow
 * creates the repository webhook and disabling it deletes it.
 *
 * @example
 *   trigger:
 *     github: {secret: "${env:GH_SECRET}", events: [push], repo: acme/widgets, connection: github}
 */
import { z } from 'zod';
import { checkGithub } from '../../ingress/verify/index.js';
import { defineConnector, defineTrigger } from '../sdk/define-connector.js';
import { NoTrigger } from '../sdk/no-trigger.js';
import type { ProviderOutput } from './schemas.js';
import { field, header, secret, wanted } from './schemas.js';

const API_HEADERS = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };

interface HookState {
  repo: string;
  hookId: number;
}

export const github = defineConnector({
  name: 'github',
  title: 'GitHub',
  triggers: {
    webhook: defineTrigger({
      title: 'Repository or organization events',
      params: z.strictObject({
        secret,
        events: z.array(z.string()).min(1).optional(),
        repo: z
          .string()
          .regex(/^[\w.-]+\/[\w.-]+$/, 'must be owner/name')
          .optional(),
        api_url: z.url().default('https://api.github.com'),
      }),
      delivery: ['fire_and_forget', 'acknowledge', 'request_response'],

      async init({ params, webhookUrl, connection, http }): Promise<HookState | null> {
        if (!params.repo) return null;
        if (!connection) {
          throw new Error(
            `subscribing to the hooks of ${params.repo} needs a connection with a token (connection: …)`,
          );
        }
        const res = await http.post<{ id: number }>(
          `${params.api_url}/repos/${params.repo}/hooks`,
          {
            name: 'web',
            active: true,
            events: params.events ?? ['*'],
            config: {
              url: webhookUrl,
              content_type: 'json',
              secret: params.secret,
              insecure_ssl: '0',
            },
          },
          { headers: API_HEADERS, response: 'json' },
        );
        return { repo: params.repo, hookId: res.body.id };
      },

      async destroy({ params, state, http }) {
        if (!state) return;
        const res = await http.delete(
          `${params.api_url}/repos/${state.repo}/hooks/${state.hookId}`,
          {
            headers: API_HEADERS,
            errors: 'continue',
          },
        );
        // Already gone (deleted by hand): nothing left to undo.
        if (res.status !== 404 && (res.status < 200 || res.status >= 300)) {
          throw new Error(`GitHub answered ${res.status} when deleting hook ${state.hookId}`);
        }
      },

      filter(params, http) {
        const refused = checkGithub(params, http.headers, http.rawBody);
        if (refused) throw NoTrigger.unauthorized(refused);
        const event = header(http, 'x-github-event');
        if (event === 'ping') {
          throw new NoTrigger({ status: 200, body: { ok: true, zen: field(http.body, 'zen') } });
        }
        return wanted(params.events, event);
      },

      before(_params, http): ProviderOutput & { action: string | null; hookId: string | null } {
        return {
          event: header(http, 'x-github-event'),
          eventId: header(http, 'x-github-delivery'),
          action: field(http.body, 'action'),
          hookId: header(http, 'x-github-hook-id'),
          body: http.body,
          headers: http.headers,
        };
      },

      uniqueId: (_params, http) => header(http, 'x-github-delivery'),
    }),
  },
});
