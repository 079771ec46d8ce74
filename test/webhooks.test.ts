/**
 * §3 Webhooks, over real HTTP on loopback: routing, bodies, delivery modes, filter, dedupe —
 * on every store backend (helpers/backends.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from './helpers/backends.js';
import type { BackendName } from './helpers/backends.js';
import { startServer, startUpstream, sleep } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const WORKFLOWS = [
  `
name: orders
trigger:
  webhook:
    method: POST
    path: shop/orders/:event
steps:
  - id: calc
    set: {event: "{{ trigger.params.event }}", total: "{{ trigger.body.qty * 2 }}"}
`,
  `
name: orders-get
trigger:
  webhook: {method: GET, path: shop/orders/:event}
`,
  `
name: static-wins
trigger:
  webhook: {method: POST, path: shop/orders/new}
`,
  `
name: off
enabled: false
trigger:
  webhook: {path: disabled/hook}
`,
  `
name: anybody
trigger:
  webhook: {path: any}
`,
  `
name: forced-json
trigger:
  webhook: {path: forced, format: json}
`,
  `
name: ack
trigger:
  webhook:
    path: ack
    delivery: acknowledge
    reply:
      status: 200
      headers: {Content-Type: application/xml}
      body: "<ack>{{ body.id }}</ack>"
`,
  `
name: ack-default
trigger:
  webhook: {path: ack-default, delivery: acknowledge}
`,
  `
name: rr
trigger:
  webhook: {path: rr/:name, delivery: request_response}
steps:
  - id: greet
    set: {text: "{{ 'hello ' & trigger.params.name }}"}
  - id: route
    switch:
      - when: "{{ trigger.body.mode = 'text' }}"
        then:
          - reply: {status: 201, body: "{{ steps.greet.text }}"}
      - when: "{{ trigger.body.mode = 'none' }}"
        then: []
      - when: "{{ trigger.body.mode = 'fail' }}"
        then:
          - id: boom
            set: {x: "{{ $error('deliberate failure') }}"}
      - else:
          - reply: {status: 200, headers: {X-Hook: yes}, body: {greeting: "{{ steps.greet.text }}"}}
  - id: after
    reply: {status: 299, body: "second reply is not sent"}
`,
  `
name: filtered
trigger:
  webhook:
    path: filtered
    filter: "{{ body.action = 'order.placed' }}"
`,
  `
name: filtered-reject
trigger:
  webhook:
    path: filtered-reject
    filter: "{{ body.action = 'order.placed' }}"
    reject: {status: 202, body: ignored}
`,
  `
name: dedupe-ff
trigger:
  webhook: {path: dedupe-ff, dedupe: "{{ headers.'x-delivery' }}"}
`,
  `
name: dedupe-ack
trigger:
  webhook:
    path: dedupe-ack
    delivery: acknowledge
    dedupe: "{{ body.id }}"
    reply: {body: {first: "{{ body.n }}"}}
`,
  `
name: dedupe-rr
trigger:
  webhook: {path: dedupe-rr, delivery: request_response, dedupe: "{{ body.id }}"}
steps:
  - reply: {body: {n: "{{ trigger.body.n }}"}}
`,
];

let srv: TestServer;
async function post(
  path: string,
  body: string | Uint8Array | FormData | undefined,
  headers: Record<string, string> = {},
  method = 'POST',
) {
  const res = await fetch(`${srv.url}${path}`, { method, body: body ?? null, headers });
  const text = await res.text();
  let json: any = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, text, json };
}
const JSON_H = { 'content-type': 'application/json' };

for (const { name: backend, skip } of BACKENDS) {
  describe(`webhooks on ${backend}`, { skip }, () => {
    before(async () => {
      srv = await startServer(WORKFLOWS, { backend, env: { HOOKFLOW_MAX_BODY: '64kb' } });
    });
    after(async () => {
      await srv?.close();
    });
    webhookTests(backend);
  });
}

function webhookTests(backend: BackendName): void {
  describe('routing', () => {
    test('a multi-segment path with a :param runs the workflow with the param', async () => {
      const r = await post('/hooks/shop/orders/placed', '{"qty": 21}', JSON_H);
      assert.equal(r.status, 202);
      assert.equal(r.json.accepted, true);
      const job = await srv.finishedJob(r.json.id);
      assert.equal(job.status, 'succeeded');
      assert.deepEqual(job.trigger.params, { event: 'placed' });
      assert.deepEqual(job.steps[0]?.output, { event: 'placed', total: 42 });
    });

    test('a static segment wins over a :param at the same place', async () => {
      const r = await post('/hooks/shop/orders/new', '{}', JSON_H);
      assert.equal(r.status, 202);
      const job = await srv.finishedJob(r.json.id);
      assert.equal(job.workflow, 'static-wins');
    });

    test('unknown path: 404 with a JSON error', async () => {
      const r = await post('/hooks/nothing/here', '{}', JSON_H);
      assert.equal(r.status, 404);
      assert.equal(r.json.error.code, 'not_found');
    });

    test('known path, other method: 405 with Allow listing the methods served', async () => {
      const r = await post('/hooks/shop/orders/x', undefined, {}, 'DELETE');
      assert.equal(r.status, 405);
      assert.equal(r.headers.get('allow'), 'GET, POST');
      assert.equal(r.json.error.code, 'method_not_allowed');
    });

    test('a disabled workflow answers 404', async () => {
      const r = await post('/hooks/disabled/hook', '{}', JSON_H);
      assert.equal(r.status, 404);
    });

    test('GET webhooks get query values, repeated keys as lists', async () => {
      const r = await post('/hooks/shop/orders/q?a=1&b=2&b=3', undefined, {}, 'GET');
      assert.equal(r.status, 202);
      const job = await srv.finishedJob(r.json.id);
      assert.deepEqual(job.trigger.query, { a: '1', b: ['2', '3'] });
      assert.equal(job.trigger.body, null);
    });
  });

  describe('bodies', () => {
    async function bodyOf(body: string | Uint8Array | FormData, headers: Record<string, string>) {
      const r = await post('/hooks/any', body, headers);
      assert.equal(r.status, 202, r.text);
      return srv.finishedJob(r.json.id);
    }

    test('JSON is parsed and the raw bytes are kept exactly', async () => {
      const raw = '{ "a" :  [1, 2],\n "b": "é" }';
      const job = await bodyOf(raw, JSON_H);
      assert.deepEqual(job.trigger.body, { a: [1, 2], b: 'é' });
      assert.equal(job.trigger.rawBody, raw);
    });

    test('a form body becomes an object, repeated keys a list', async () => {
      const job = await bodyOf('name=Ada+L&tag=a&tag=b', {
        'content-type': 'application/x-www-form-urlencoded',
      });
      assert.deepEqual(job.trigger.body, { name: 'Ada L', tag: ['a', 'b'] });
    });

    test('XML becomes an object the way users read it', async () => {
      const xml =
        '<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">' +
        '<soapenv:Body><order id="7"><item>a</item><item>b</item><note lang="en">hi</note></order></soapenv:Body></soapenv:Envelope>';
      const job = await bodyOf(xml, { 'content-type': 'text/xml; charset=utf-8' });
      const order = (job.trigger.body as any).Envelope.Body.order;
      assert.equal(order['@id'], '7');
      assert.deepEqual(order.item, ['a', 'b']);
      assert.deepEqual(order.note, { '@lang': 'en', '#text': 'hi' });
    });

    test('multipart carries fields and files (name, type, size, base64 content)', async () => {
      const form = new FormData();
      form.append('title', 'report');
      form.append(
        'file',
        new Blob([new Uint8Array([0, 1, 2, 255])], { type: 'application/pdf' }),
        'r.pdf',
      );
      const job = await bodyOf(form, {});
      const body = job.trigger.body as any;
      assert.equal(body.fields.title, 'report');
      assert.equal(body.files[0].name, 'r.pdf');
      assert.equal(body.files[0].type, 'application/pdf');
      assert.equal(body.files[0].size, 4);
      assert.equal(body.files[0].content, Buffer.from([0, 1, 2, 255]).toString('base64'));
    });

    test('text/* arrives as a string', async () => {
      const job = await bodyOf('hello there', { 'content-type': 'text/plain' });
      assert.equal(job.trigger.body, 'hello there');
    });

    test('other types arrive raw; bytes that are not UTF-8 are kept as base64', async () => {
      const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x41]);
      const job = await bodyOf(bytes, { 'content-type': 'application/octet-stream' });
      assert.equal(job.trigger.rawBodyEncoding, 'base64');
      assert.equal(job.trigger.rawBody, Buffer.from(bytes).toString('base64'));
    });

    test('invalid JSON: 400 invalid_body and no job', async () => {
      const before = (await srv.jobsOf('anybody')).length;
      const r = await post('/hooks/any', '{"a": ', JSON_H);
      assert.equal(r.status, 400);
      assert.equal(r.json.error.code, 'invalid_body');
      assert.equal((await srv.jobsOf('anybody')).length, before);
    });

    test('invalid XML: 400 invalid_body', async () => {
      const r = await post('/hooks/any', '<a><b></a>', { 'content-type': 'application/xml' });
      assert.equal(r.status, 400);
      assert.equal(r.json.error.code, 'invalid_body');
    });

    test('over the size limit: 413 body_too_large, and the server keeps serving', async () => {
      const r = await post('/hooks/any', JSON.stringify({ s: 'x'.repeat(70 * 1024) }), JSON_H);
      assert.equal(r.status, 413);
      assert.equal(r.json.error.code, 'body_too_large');
      const ok = await post('/hooks/any', '{}', JSON_H);
      assert.equal(ok.status, 202);
    });

    test('a forced format refuses another structured type with 415', async () => {
      const r = await post('/hooks/forced', '<a/>', { 'content-type': 'application/xml' });
      assert.equal(r.status, 415);
      assert.equal(r.json.error.code, 'unsupported_media_type');
      const ok = await post('/hooks/forced', '{"x":1}', { 'content-type': 'text/plain' });
      assert.equal(ok.status, 202);
    });

    test('an XML bomb is refused in under a second and the server keeps serving', async () => {
      const bomb =
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">' +
        '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]><lolz>&lol5;&lol5;&lol5;</lolz>';
      const xxe =
        '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>';
      for (const doc of [bomb, xxe]) {
        const t0 = Date.now();
        const r = await post('/hooks/any', doc, { 'content-type': 'application/xml' });
        assert.ok(Date.now() - t0 < 1000);
        assert.equal(r.status, 400);
        assert.doesNotMatch(r.text, /root:/);
      }
      assert.equal((await post('/hooks/any', '{}', JSON_H)).status, 202);
    });
  });

  describe('trigger output and history', () => {
    test('header names are lower-cased and credentials are redacted in the job history', async () => {
      const r = await post('/hooks/any', '{}', {
        ...JSON_H,
        'X-Custom-Thing': 'v',
        Authorization: 'Bearer secret-token-123',
        Cookie: 'session=abc',
      });
      const job = await srv.finishedJob(r.json.id);
      assert.equal(job.trigger.headers['x-custom-thing'], 'v');
      assert.equal(job.trigger.method, 'POST');
      assert.equal(job.trigger.path, '/hooks/any');
      assert.ok(job.trigger.receivedAt);
      assert.equal(job.trigger.id, r.json.id);
      const text = JSON.stringify(job);
      assert.doesNotMatch(text, /secret-token-123/);
      assert.doesNotMatch(text, /session=abc/);
    });
  });

  describe('delivery: fire_and_forget', () => {
    test('answers 202 {accepted, id} once stored; the job runs after', async () => {
      const r = await post('/hooks/shop/orders/x', '{"qty": 1}', JSON_H);
      assert.equal(r.status, 202);
      assert.deepEqual(Object.keys(r.json).sort(), ['accepted', 'id']);
      assert.equal((await srv.finishedJob(r.json.id)).status, 'succeeded');
    });
  });

  describe('delivery: acknowledge', () => {
    test('answers the reply computed from the request, with its headers', async () => {
      const r = await post('/hooks/ack', '{"id": "A-1"}', JSON_H);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /application\/xml/);
      assert.equal(r.text, '<ack>A-1</ack>');
      assert.equal((await srv.jobsOf('ack')).length, 1);
    });

    test('without a reply it answers 200 {accepted, id}', async () => {
      const r = await post('/hooks/ack-default', '{}', JSON_H);
      assert.equal(r.status, 200);
      assert.equal(r.json.accepted, true);
      assert.equal((await srv.finishedJob(r.json.id)).status, 'succeeded');
    });
  });

  describe('delivery: request_response', () => {
    test("the job's first reply step is the answer; later replies are not sent", async () => {
      const r = await post('/hooks/rr/ada', '{}', JSON_H);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('x-hook'), 'yes');
      assert.deepEqual(r.json, { greeting: 'hello ada' });
      const [job] = await srv.jobsOf('rr');
      const done = await srv.finishedJob(job!.id);
      assert.equal(done.reply?.status, 200);
      const last = done.steps.at(-1)!;
      assert.equal(last.id, 'after');
      assert.equal((last.output as any).sent, false);
    });

    test('a string body is sent as it is, as text/plain', async () => {
      const r = await post('/hooks/rr/bob', '{"mode": "text"}', JSON_H);
      assert.equal(r.status, 201);
      assert.equal(r.text, 'hello bob');
      assert.match(r.headers.get('content-type') ?? '', /text\/plain/);
    });

    test('no reply and the job succeeded: 204', async () => {
      const w = await startServer(
        [
          `
name: quiet
trigger: {webhook: {path: quiet, delivery: request_response}}
steps:
  - set: {a: 1}
`,
        ],
        { backend },
      );
      try {
        const res = await fetch(`${w.url}/hooks/quiet`, { method: 'POST' });
        assert.equal(res.status, 204);
      } finally {
        await w.close();
      }
    });

    test('the job failed before a reply: 500 workflow_failed with the job id', async () => {
      const r = await post('/hooks/rr/x', '{"mode": "fail"}', JSON_H);
      assert.equal(r.status, 500);
      assert.equal(r.json.error.code, 'workflow_failed');
      const job = await srv.finishedJob(r.json.error.job);
      assert.equal(job.status, 'failed');
      assert.match(job.error ?? '', /boom/);
    });

    test('no reply within timeout: 504, and the job goes on', async () => {
      const upstream = await startUpstream((_req, _body, res) => {
        setTimeout(() => res.end('{"late": true}'), 400);
      });
      const w = await startServer(
        [
          `
name: slow
trigger: {webhook: {path: slow, delivery: request_response, timeout: 100ms}}
steps:
  - id: call
    http: {url: "${upstream.url}/slow", response: json}
  - reply: {body: "{{ steps.call.body }}"}
`,
        ],
        { backend, env: { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' } }, // the upstream is on loopback
      );
      try {
        const res = await fetch(`${w.url}/hooks/slow`, { method: 'POST' });
        assert.equal(res.status, 504);
        const body = (await res.json()) as any;
        assert.equal(body.error.code, 'timeout');
        const job = await w.finishedJob(body.error.job);
        assert.equal(job.status, 'succeeded');
        assert.deepEqual(job.reply?.body, { late: true });
      } finally {
        await w.close();
        await upstream.close();
      }
    });
  });

  describe('filter and reject', () => {
    test('a filtered request gets 200 {accepted: false} and leaves no job', async () => {
      const r = await post('/hooks/filtered', '{"action": "order.cancelled"}', JSON_H);
      assert.equal(r.status, 200);
      assert.deepEqual(r.json, { accepted: false });
      assert.equal((await srv.jobsOf('filtered')).length, 0);
      const ok = await post('/hooks/filtered', '{"action": "order.placed"}', JSON_H);
      assert.equal(ok.status, 202);
      assert.equal((await srv.jobsOf('filtered')).length, 1);
    });

    test('reject sets the answer of a filtered request', async () => {
      const r = await post('/hooks/filtered-reject', '{"action": "nope"}', JSON_H);
      assert.equal(r.status, 202);
      assert.equal(r.text, 'ignored');
      assert.equal((await srv.jobsOf('filtered-reject')).length, 0);
    });
  });

  describe('dedupe', () => {
    test('a duplicate key gets the first answer and no second job (fire_and_forget)', async () => {
      const h = { ...JSON_H, 'x-delivery': 'd-1' };
      const a = await post('/hooks/dedupe-ff', '{}', h);
      const b = await post('/hooks/dedupe-ff', '{}', h);
      assert.equal(a.status, 202);
      assert.deepEqual(b.json, a.json);
      const c = await post('/hooks/dedupe-ff', '{}', { ...JSON_H, 'x-delivery': 'd-2' });
      assert.notEqual(c.json.id, a.json.id);
      assert.equal((await srv.jobsOf('dedupe-ff')).length, 2);
    });

    test('a duplicate gets the first acknowledge reply', async () => {
      const a = await post('/hooks/dedupe-ack', '{"id": "k", "n": 1}', JSON_H);
      const b = await post('/hooks/dedupe-ack', '{"id": "k", "n": 2}', JSON_H);
      assert.deepEqual(a.json, { first: 1 });
      assert.deepEqual(b.json, { first: 1 });
      assert.equal((await srv.jobsOf('dedupe-ack')).length, 1);
    });

    test('a duplicate gets the first request_response reply', async () => {
      const [a, b] = await Promise.all([
        post('/hooks/dedupe-rr', '{"id": "k", "n": 1}', JSON_H),
        post('/hooks/dedupe-rr', '{"id": "k", "n": 2}', JSON_H),
      ]);
      assert.deepEqual(a.json, b.json);
      const c = await post('/hooks/dedupe-rr', '{"id": "k", "n": 3}', JSON_H);
      assert.deepEqual(c.json, a.json);
      assert.equal((await srv.jobsOf('dedupe-rr')).length, 1);
    });

    test('concurrent duplicates still make exactly one job', async () => {
      const h = { ...JSON_H, 'x-delivery': 'burst' };
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => post('/hooks/dedupe-ff', '{}', h)),
      );
      assert.equal(new Set(answers.map((a) => a.json.id)).size, 1);
      await sleep(50);
      const jobs = await srv.jobsOf('dedupe-ff');
      assert.equal(jobs.filter((j) => j.trigger.headers['x-delivery'] === 'burst').length, 1);
    });
  });
}
