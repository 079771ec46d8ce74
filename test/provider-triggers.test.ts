/**
 * §7 Built-in provider triggers over real HTTP on loopback: each verifies with the provider's
 * own signing (signatures from the providers' libraries), answers what the provider expects,
 * names the event, and dedupes redeliveries.
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
import { SOAP_ACK } from '../src/connectors/index.js';
import { startServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const SW_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ORG = '00D5e000000AbCdEAA';

let srv: TestServer;
before(async () => {
  srv = await startServer([
    'name: gh\ntrigger:\n  github: {secret: gh-secret, events: [push], path: p/gh}\n',
    'name: st\ntrigger:\n  stripe: {secret: whsec_abc, path: p/st}\n',
    'name: sl\ntrigger:\n  slack: {secret: slack-signing, path: p/sl}\n',
    'name: sh\ntrigger:\n  shopify: {secret: shop-secret, path: p/sh}\n',
    `name: sw\ntrigger:\n  standard-webhooks: {secret: ${SW_SECRET}, path: p/sw}\n`,
    `name: sf\ntrigger:\n  salesforce: {organization_id: ${ORG}, path: p/sf}\n`,
  ]);
});
after(() => srv.close());

async function send(path: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${srv.url}/hooks/p/${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, type: res.headers.get('content-type') ?? '' };
}

const jobs = async (name: string) => srv.jobsOf(name);

describe('github', () => {
  const push = '{"ref":"refs/heads/main","commits":[]}';
  const gh = async (event: string, body: string, delivery: string, secret = 'gh-secret') => ({
    ...(await githubHeaders(secret, body)),
    'x-github-event': event,
    'x-github-delivery': delivery,
  });

  test('a signed push starts a job whose output names the event and the delivery', async () => {
    const r = await send('gh', push, await gh('push', push, 'd-1'));
    assert.equal(r.status, 202);
    const job = await srv.finishedJob(r.json.id);
    const out = job.trigger as any;
    assert.equal(out.event, 'push');
    assert.equal(out.eventId, 'd-1');
    assert.deepEqual(out.body, { ref: 'refs/heads/main', commits: [] });
    assert.equal(out.headers['x-hub-signature-256'], '[redacted]');
  });

  test('a wrong signature gets 401 and no job', async () => {
    const before = (await jobs('gh')).length;
    const r = await send('gh', push, await gh('push', push, 'd-2', 'not-the-secret'));
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, 'unauthorized');
    assert.equal((await jobs('gh')).length, before);
  });

  test('ping is answered 200 without a job', async () => {
    const ping = '{"zen":"Keep it logically awesome.","hook_id":1}';
    const before = (await jobs('gh')).length;
    const r = await send('gh', ping, await gh('ping', ping, 'd-3'));
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { ok: true, zen: 'Keep it logically awesome.' });
    assert.equal((await jobs('gh')).length, before);
  });

  test('an event not in events is accepted: false, without a job', async () => {
    const issue = '{"action":"opened"}';
    const r = await send('gh', issue, await gh('issues', issue, 'd-4'));
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { accepted: false });
  });

  test('a redelivery (same X-GitHub-Delivery) gets the first answer and no second job', async () => {
    const headers = await gh('push', push, 'd-5');
    const a = await send('gh', push, headers);
    const b = await send('gh', push, headers);
    assert.deepEqual(b.json, a.json);
    assert.equal((await jobs('gh')).filter((j) => (j.trigger as any).eventId === 'd-5').length, 1);
  });
});

describe('stripe', () => {
  const event = '{"id":"evt_1","type":"payment_intent.succeeded","livemode":false}';

  test('a header from generateTestHeaderString starts a job with the event type', async () => {
    const r = await send('st', event, stripeHeaders('whsec_abc', event));
    assert.equal(r.status, 202);
    const out = (await srv.finishedJob(r.json.id)).trigger as any;
    assert.equal(out.event, 'payment_intent.succeeded');
    assert.equal(out.eventId, 'evt_1');
  });

  test('a stale signature gets 401', async () => {
    const old = Math.floor(Date.now() / 1000) - 400;
    const other = '{"id":"evt_2","type":"x"}';
    const r = await send('st', other, stripeHeaders('whsec_abc', other, old));
    assert.equal(r.status, 401);
    assert.equal(
      (await jobs('st')).filter((j) => (j.trigger as any).eventId === 'evt_2').length,
      0,
    );
  });
});

describe('slack', () => {
  test('url_verification is answered with its challenge and no job', async () => {
    const body = '{"type":"url_verification","challenge":"xyz","token":"t"}';
    const r = await send('sl', body, slackHeaders('slack-signing', body));
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { challenge: 'xyz' });
    assert.equal((await jobs('sl')).length, 0);
  });

  test('a signed event is acknowledged with an empty 200; a retry of it makes no second job', async () => {
    const body =
      '{"type":"event_callback","event_id":"Ev9","event":{"type":"app_mention","text":"hi"}}';
    const a = await send('sl', body, slackHeaders('slack-signing', body));
    assert.equal(a.status, 200);
    assert.equal(a.text, '');
    const retry = await send('sl', body, {
      ...slackHeaders('slack-signing', body),
      'x-slack-retry-num': '1',
    });
    assert.equal(retry.status, 200);
    const list = await jobs('sl');
    assert.equal(list.length, 1);
    assert.equal((list[0]!.trigger as any).event, 'app_mention');
  });

  test('a missing signature gets 401', async () => {
    assert.equal((await send('sl', '{}', {})).status, 401);
  });
});

describe('shopify', () => {
  const order = '{"id":820982911946154508,"email":"jon@doe.ca"}';
  const headers = {
    ...shopifyHeaders('shop-secret', order),
    'x-shopify-topic': 'orders/create',
    'x-shopify-webhook-id': 'wh-1',
    'x-shopify-shop-domain': 'acme.myshopify.com',
  };

  test('a signed order starts a job with its topic and shop', async () => {
    const r = await send('sh', order, headers);
    assert.equal(r.status, 202);
    const out = (await srv.finishedJob(r.json.id)).trigger as any;
    assert.equal(out.event, 'orders/create');
    assert.equal(out.shop, 'acme.myshopify.com');
  });

  test('a body that does not match its HMAC gets 401', async () => {
    assert.equal((await send('sh', '{"id":1}', headers)).status, 401);
  });
});

describe('standard-webhooks', () => {
  const body = '{"type":"invoice.paid","data":{"id":"in_1"}}';

  test('Webhook.sign is accepted; the same webhook-id again makes no second job', async () => {
    const headers = standardWebhooksHeaders(SW_SECRET, 'msg_sw1', body);
    const a = await send('sw', body, headers);
    const b = await send('sw', body, headers);
    assert.equal(a.status, 202);
    assert.deepEqual(b.json, a.json);
    const list = await jobs('sw');
    assert.equal(list.length, 1);
    assert.equal((list[0]!.trigger as any).event, 'invoice.paid');
  });

  test('a replay outside the window gets 401', async () => {
    const at = new Date(Date.now() - 6 * 60_000);
    const r = await send('sw', body, standardWebhooksHeaders(SW_SECRET, 'msg_sw2', body, at));
    assert.equal(r.status, 401);
  });
});

describe('salesforce outbound messages', () => {
  const message = (org: string, ids: string[]) =>
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    '<soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound">' +
    `<OrganizationId>${org}</OrganizationId><ActionId>04k5e000000XyZAAA</ActionId>` +
    '<SessionId>00D!secret-session</SessionId>' +
    '<EnterpriseUrl>https://acme.my.salesforce.com/services/Soap/c/59.0/00D5e</EnterpriseUrl>' +
    ids
      .map(
        (id, i) =>
          `<Notification><Id>${id}</Id><sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">` +
          `<sf:Id>0065e00000${i}</sf:Id><sf:Name>Deal ${i}</sf:Name><sf:StageName>Closed Won</sf:StageName></sObject></Notification>`,
      )
      .join('') +
    '</notifications></soapenv:Body></soapenv:Envelope>';
  const xml = { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' };

  test('each notification is one job, and the SOAP Ack is the answer', async () => {
    const r = await send('sf', message(ORG, ['04l1', '04l2']), xml);
    assert.equal(r.status, 200);
    assert.match(r.type, /text\/xml/);
    assert.equal(r.text, SOAP_ACK);
    const list = await jobs('sf');
    assert.equal(list.length, 2);
    const bodies = list
      .map((j) => j.trigger as any)
      .sort((a, b) => a.eventId.localeCompare(b.eventId));
    assert.equal(bodies[0].event, 'Opportunity');
    assert.deepEqual(bodies[0].body, {
      Id: '0065e000000',
      Name: 'Deal 0',
      StageName: 'Closed Won',
    });
    assert.doesNotMatch(JSON.stringify(list), /secret-session/);
  });

  test('a resent message is acknowledged again and makes no new job', async () => {
    const r = await send('sf', message(ORG, ['04l1', '04l2']), xml);
    assert.equal(r.text, SOAP_ACK);
    assert.equal((await jobs('sf')).length, 2);
  });

  test('a message from another organization gets 401', async () => {
    const r = await send('sf', message('00DOTHERORG0000AAA', ['04l9']), xml);
    assert.equal(r.status, 401);
    assert.equal((await jobs('sf')).length, 2);
  });
});
