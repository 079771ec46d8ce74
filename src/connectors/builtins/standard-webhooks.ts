/**
 * @module connectors/builtins/standard-webhooks
 * Any sender following standardwebhooks.com (Svix, Resend, Clerk, …): `webhook-signature`
 * verified over `webhook-id.webhook-timestamp.body`, the timestamp within the replay window,
 * deliveries deduped on `webhook-id`.
 *
 * @example
 *   trigger:
 *     standard-webhooks: {secret: "${env:WEBHOOK_SECRET}"}
 */
import { z } from 'zod';
import { checkStandardWebhooks } from '../../ingress/verify/index.js';
import { defineConnector, defineTrigger } from '../sdk/define-connector.js';
import { NoTrigger } from '../sdk/no-trigger.js';
import type { ProviderOutput } from './schemas.js';
import { field, header, secret, tolerance, wanted } from './schemas.js';

export const standardWebhooks = defineConnector({
  name: 'standard-webhooks',
  title: 'Standard Webhooks',
  triggers: {
    webhook: defineTrigger({
      title: 'Events signed per the Standard Webhooks specification',
      params: z.strictObject({ secret, tolerance, types: z.array(z.string()).min(1).optional() }),
      delivery: ['fire_and_forget', 'acknowledge', 'request_response'],

      filter(params, http) {
        const opts = { secret: params.secret, toleranceMs: params.tolerance };
        const refused = checkStandardWebhooks(opts, http.headers, http.rawBody, Date.now());
        if (refused) throw NoTrigger.unauthorized(refused);
        return wanted(params.types, field(http.body, 'type'));
      },

      before(_params, http): ProviderOutput & { timestamp: string | null } {
        return {
          event: field(http.body, 'type'),
          eventId: header(http, 'webhook-id'),
          timestamp: header(http, 'webhook-timestamp'),
          body: http.body,
          headers: http.headers,
        };
      },

      uniqueId: (_params, http) => header(http, 'webhook-id'),
    }),
  },
});
