/**
 * @module connectors/builtins/shopify
 * Shopify webhooks: the base64 `X-Shopify-Hmac-Sha256` verified with the app's client secret,
 * the topic in the output, deliveries deduped on `X-Shopify-Webhook-Id` (Shopify signs no
 * timestamp, so that is what stops a replay).
 *
 * @example
 *   trigger:
 *     shopify: {secret: "${env:SHOPIFY_CLIENT_SECRET}", topics: [orders/create]}
 */
import { z } from 'zod';
import { checkShopify } from '../../ingress/verify/index.js';
import { defineConnector, defineTrigger } from '../sdk/define-connector.js';
import { NoTrigger } from '../sdk/no-trigger.js';
import type { ProviderOutput } from './schemas.js';
import { header, secret, wanted } from './schemas.js';

export const shopify = defineConnector({
  name: 'shopify',
  title: 'Shopify',
  triggers: {
    webhook: defineTrigger({
      title: 'Webhook topics of a shop',
      params: z.strictObject({ secret, topics: z.array(z.string()).min(1).optional() }),
      delivery: ['fire_and_forget', 'acknowledge', 'request_response'],

      filter(params, http) {
        const refused = checkShopify(params, http.headers, http.rawBody);
        if (refused) throw NoTrigger.unauthorized(refused);
        return wanted(params.topics, header(http, 'x-shopify-topic'));
      },

      before(_params, http): ProviderOutput & { shop: string | null; apiVersion: string | null } {
        return {
          event: header(http, 'x-shopify-topic'),
          eventId: header(http, 'x-shopify-webhook-id'),
          shop: header(http, 'x-shopify-shop-domain'),
          apiVersion: header(http, 'x-shopify-api-version'),
          body: http.body,
          headers: http.headers,
        };
      },

      uniqueId: (_params, http) => header(http, 'x-shopify-webhook-id'),
    }),
  },
});
