/**
 * @module connectors/builtins/stripe
 * Stripe webhooks: `Stripe-Signature` verified with its tolerance, the event type in the
 * output, events deduped on their id (Stripe retries for up to 3 days).
 *
 * @example
 *   trigger:
 *     stripe: {secret: "${env:STRIPE_WEBHOOK_SECRET}", events: [checkout.session.completed]}
 */
import { z } from 'zod';
import { checkStripe } from '../../ingress/verify/index.js';
import { defineConnector, defineTrigger } from '../sdk/define-connector.js';
import { NoTrigger } from '../sdk/no-trigger.js';
import type { ProviderOutput } from './schemas.js';
import { field, secret, tolerance, wanted } from './schemas.js';

export const stripe = defineConnector({
  name: 'stripe',
  title: 'Stripe',
  triggers: {
    webhook: defineTrigger({
      title: 'Events of a Stripe webhook endpoint',
      params: z.strictObject({ secret, tolerance, events: z.array(z.string()).min(1).optional() }),
      delivery: ['fire_and_forget', 'acknowledge', 'request_response'],
      format: 'json',

      filter(params, http) {
        const opts = { secret: params.secret, toleranceMs: params.tolerance };
        const refused = checkStripe(opts, http.headers, http.rawBody, Date.now());
        if (refused) throw NoTrigger.unauthorized(refused);
        return wanted(params.events, field(http.body, 'type'));
      },

      before(_params, http): ProviderOutput & { livemode: boolean } {
        const body = http.body as { livemode?: unknown } | null;
        return {
          event: field(http.body, 'type'),
          eventId: field(http.body, 'id'),
          livemode: body?.livemode === true,
          body: http.body,
          headers: http.headers,
        };
      },

      uniqueId: (_params, http) => field(http.body, 'id'),
    }),
  },
});
