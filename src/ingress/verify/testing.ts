/**
 * Test fixtures: request headers signed by each provider's own library (or, for Slack and
 * Shopify, which publish no Node signer, by their documented scheme and checked against the
 * documented example vectors in the tests). Shared by the unit and the end-to-end tests.
 */
import { createHmac } from 'node:crypto';
import { sign as signGithub } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';

const stripe = new Stripe('sk_test_unused');

export async function githubHeaders(
  secret: string,
  payload: string,
): Promise<Record<string, string>> {
  return { 'x-hub-signature-256': await signGithub(secret, payload) };
}

export function stripeHeaders(
  secret: string,
  payload: string,
  timestampSeconds = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const header = stripe.webhooks.generateTestHeaderString({
    payload,
    secret,
    timestamp: timestampSeconds,
  });
  return { 'stripe-signature': header };
}

export function standardWebhooksHeaders(
  secret: string,
  id: string,
  payload: string,
  at = new Date(),
): Record<string, string> {
  const signature = new Webhook(secret).sign(id, at, payload);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
}

/** Slack's published scheme: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<body>`. */
export function slackHeaders(
  secret: string,
  payload: string,
  timestampSeconds = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const digest = createHmac('sha256', secret)
    .update(`v0:${timestampSeconds}:${payload}`)
    .digest('hex');
  return {
    'x-slack-signature': `v0=${digest}`,
    'x-slack-request-timestamp': String(timestampSeconds),
  };
}

/** Shopify's published scheme: base64 HMAC-SHA256 of the body with the app's client secret. */
export function shopifyHeaders(secret: string, payload: string): Record<string, string> {
  return {
    'x-shopify-hmac-sha256': createHmac('sha256', secret).update(payload).digest('base64'),
  };
}
