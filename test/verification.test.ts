/**
 * §4 Verification of senders on a webhook, over real HTTP on loopback. Signatures come from
 * the providers' own libraries (Slack and Shopify: their documented schemes).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  githubHeaders,
  shopifyHeaders,
  slackHeaders,
  standardWebhooksHeaders,
  stripeHeaders,
} from '../src/ingress/verify/testing.js';
import { startServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const SW_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const hook = (name: string, verify: string) => `
name: ${name}
trigger:
  webhook:
    path: v/${name}
    verify: ${verify}
`;

let srv: TestServer;
before(async () => {
  srv = await startServer(
    [
      hook('gh', '{github: {secret: "${env:GH_SECRET}"}}'),
      hook('st', '{stripe: {secret: whsec_abc, tolerance: 5m}}'),
      hook('sl', '{slack: {secret: slack-signing}}'),
      hook('sh', '{shopify: {secret: shop-secret}}'),
      hook('sw', `{standard-webhooks: {secret: ${SW_SECRET}}}`),
      hook('basic', '{basic: {user: hook, password: pa55}}'),
      hook('hm', '{hmac: {header: X-Signature, algorithm: sha1, encoding: base64, secret: k}}'),
    ],
    { workflowEnv: { GH_SECRET: 'gh-secret' } },
  );
});
after(() => srv.close());

async function send(name: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${srv.url}/hooks/v/${name}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { status: res.status, json: (await res.json()) as any };
}

async function jobCount(name: string): Promise<number> {
  return (await srv.jobsOf(name)).length;
}

const payload = '{"id":"evt_1","action":"opened"}';

describe('verify on a webhook', () => {
  test('github: a signature from @octokit/webhooks-methods starts a job', async () => {
    const r = await send('gh', payload, await githubHeaders('gh-secret', payload));
    assert.equal(r.status, 202);
    assert.equal((await srv.finishedJob(r.json.id)).status, 'succeeded');
  });

  test('github: a wrong or missing signature gets 401 unauthorized and no job', async () => {
    const before = await jobCount('gh');
    const wrong = await send('gh', payload, await githubHeaders('not-it', payload));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error.code, 'unauthorized');
    assert.equal((await send('gh', payload, {})).status, 401);
    assert.equal(await jobCount('gh'), before);
  });

  test('stripe: a fresh generateTestHeaderString header is accepted, a stale one is not', async () => {
    const ok = await send('st', payload, stripeHeaders('whsec_abc', payload));
    assert.equal(ok.status, 202);
    const old = Math.floor(Date.now() / 1000) - 600;
    const stale = await send(
      'st',
      '{"id":"evt_2"}',
      stripeHeaders('whsec_abc', '{"id":"evt_2"}', old),
    );
    assert.equal(stale.status, 401);
    assert.match(stale.json.error.message, /too old/);
    assert.equal(await jobCount('st'), 1);
  });

  test('slack: a signed event starts a job; the url_verification challenge is answered without one', async () => {
    const event = '{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention"}}';
    assert.equal((await send('sl', event, slackHeaders('slack-signing', event))).status, 202);
    const challenge = '{"type":"url_verification","challenge":"ch4ll3nge"}';
    const r = await send('sl', challenge, slackHeaders('slack-signing', challenge));
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { challenge: 'ch4ll3nge' });
    assert.equal(await jobCount('sl'), 1);
  });

  test('slack: a timestamp outside the window is refused', async () => {
    const old = Math.floor(Date.now() / 1000) - 301;
    const r = await send('sl', payload, slackHeaders('slack-signing', payload, old));
    assert.equal(r.status, 401);
  });

  test('shopify: the base64 HMAC of the raw body is accepted; another body is not', async () => {
    assert.equal((await send('sh', payload, shopifyHeaders('shop-secret', payload))).status, 202);
    const r = await send('sh', '{"id":2}', shopifyHeaders('shop-secret', payload));
    assert.equal(r.status, 401);
  });

  test('standard-webhooks: Webhook.sign is accepted and a redelivered id makes no second job', async () => {
    const headers = standardWebhooksHeaders(SW_SECRET, 'msg_abc', payload);
    const a = await send('sw', payload, headers);
    const b = await send('sw', payload, headers);
    assert.equal(a.status, 202);
    assert.deepEqual(b.json, a.json);
    assert.equal(await jobCount('sw'), 1);
  });

  test('standard-webhooks: a replay outside the window is refused', async () => {
    const at = new Date(Date.now() - 10 * 60_000);
    const r = await send('sw', payload, standardWebhooksHeaders(SW_SECRET, 'msg_old', payload, at));
    assert.equal(r.status, 401);
  });

  test('basic: the right credentials pass, others get 401', async () => {
    const auth = (p: string) => `Basic ${Buffer.from(`hook:${p}`).toString('base64')}`;
    assert.equal((await send('basic', '{}', { authorization: auth('pa55') })).status, 202);
    assert.equal((await send('basic', '{}', { authorization: auth('guess') })).status, 401);
  });

  test('hmac: a base64 sha1 digest in the named header passes', async () => {
    const { createHmac } = await import('node:crypto');
    const sig = createHmac('sha1', 'k').update(payload).digest('base64');
    assert.equal((await send('hm', payload, { 'x-signature': sig })).status, 202);
    assert.equal((await send('hm', payload, { 'x-signature': 'AAAA' })).status, 401);
  });

  test('an unsigned body that is not even JSON gets 401, not 400: nothing is parsed first', async () => {
    const r = await send('gh', '{not json', {});
    assert.equal(r.status, 401);
  });

  test('signature headers are redacted in the job history', async () => {
    const r = await send('gh', payload, await githubHeaders('gh-secret', payload));
    const job = await srv.finishedJob(r.json.id);
    assert.equal(job.trigger.headers['x-hub-signature-256'], '[redacted]');
  });
});
