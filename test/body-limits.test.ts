/**
 * Hostile bodies over real HTTP: nesting depth (HOOKFLOW_MAX_DEPTH) and compressed bodies
 * (Content-Encoding within HOOKFLOW_MAX_BODY). Each refusal is a JSON 4xx and the server keeps
 * serving.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { brotliCompressSync, constants as zlibConstants, deflateSync, gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { startServer, startUpstream } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const arrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const objects = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

interface Answer {
  status: number;
  json: { id?: string; error?: { code: string; message: string } };
}

async function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as Answer['json'] };
}

void describe('body nesting depth', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer([`name: hook\ntrigger: {webhook: {path: hook}}\n`]);
  });
  after(() => srv.close());

  test('a JSON body nested 5,000 deep gets 400 body_too_deep; the requests sent with it get 202', async () => {
    const deep = arrays(5000);
    assert.ok(deep.length <= 10_000);
    const others = Array.from({ length: 50 }, (_, i) =>
      post(`${srv.url}/hooks/hook`, JSON.stringify({ n: i, nested: { ok: [true] } })),
    );
    const refused = post(`${srv.url}/hooks/hook`, deep);
    const more = Array.from({ length: 50 }, (_, i) =>
      post(`${srv.url}/hooks/hook`, JSON.stringify({ n: 50 + i })),
    );
    const answer = await refused;
    assert.equal(answer.status, 400);
    assert.equal(answer.json.error?.code, 'body_too_deep');
    assert.match(answer.json.error?.message ?? '', /more than 100 levels deep/);
    for (const other of await Promise.all([...others, ...more])) assert.equal(other.status, 202);
    assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
    assert.equal((await post(`${srv.url}/hooks/hook`, '{"after":1}')).status, 202);
  });

  test('XML elements nested 5,000 deep get 400 body_too_deep', async () => {
    const xml = '<e>'.repeat(5000) + '</e>'.repeat(5000);
    const answer = await post(`${srv.url}/hooks/hook`, xml, { 'content-type': 'application/xml' });
    assert.equal(answer.status, 400);
    assert.equal(answer.json.error?.code, 'body_too_deep');
  });

  test('100 levels, the default limit, are accepted', async () => {
    assert.equal((await post(`${srv.url}/hooks/hook`, objects(100))).status, 202);
  });
});

void describe('HOOKFLOW_MAX_DEPTH', () => {
  test('a lower limit refuses what nests deeper, JSON and XML alike', async () => {
    const srv = await startServer([`name: hook\ntrigger: {webhook: {path: hook}}\n`], {
      env: { HOOKFLOW_MAX_DEPTH: '3' },
    });
    try {
      assert.equal((await post(`${srv.url}/hooks/hook`, arrays(3))).status, 202);
      assert.equal((await post(`${srv.url}/hooks/hook`, arrays(4))).status, 400);
      const xml = { 'content-type': 'text/xml' };
      assert.equal((await post(`${srv.url}/hooks/hook`, '<a><b><c/></b></a>', xml)).status, 202);
      assert.equal(
        (await post(`${srv.url}/hooks/hook`, '<a><b><c><d/></c></b></a>', xml)).status,
        400,
      );
    } finally {
      await srv.close();
    }
  });

  test('at its highest, 1000, a body that deep runs through expressions, redaction, an http step and the jobs API', async () => {
    const upstream = await startUpstream((_req, body, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(body);
    });
    const srv = await startServer(
      [
        `
name: deep
trigger:
  webhook:
    path: deep
    filter: "{{ $exists(body) }}"
steps:
  - id: copy
    set: {body: "{{ trigger.body }}", text: "{{ $string(trigger.body) }}", all: "{{ $count(trigger.body.**) }}"}
  - id: send
    http: {connection: svc, url: /echo, method: POST, body: "{{ steps.copy.body }}", response: text}
`,
      ],
      {
        env: {
          HOOKFLOW_MAX_DEPTH: '1000',
          HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1',
          TOKEN: 'tok-9z8y7x',
        },
        connections: [
          `name: svc\ntype: header\nbase_url: ${upstream.url}\nheaders:\n  Authorization: Bearer \${env:TOKEN}\n`,
        ],
      },
    );
    try {
      for (const [body, type] of [
        [objects(1000), 'application/json'],
        // Repeated siblings make lists: the object is about twice as deep as the elements.
        ['<e><x/>'.repeat(999) + '<e/><e/>' + '</e>'.repeat(999), 'application/xml'],
      ] as const) {
        const answer = await post(`${srv.url}/hooks/deep`, body, { 'content-type': type });
        assert.equal(answer.status, 202, JSON.stringify(answer.json));
        const job = await srv.finishedJob(answer.json.id!);
        assert.equal(job.status, 'succeeded', job.error ?? '');
        const res = await fetch(`${srv.url}/api/jobs/${answer.json.id}`);
        assert.equal(res.status, 200);
        assert.ok((await res.text()).length > 1000);
      }
      assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
    } finally {
      await srv.close();
      await upstream.close();
    }
  });
});

void describe('compressed bodies (Content-Encoding)', () => {
  let srv: TestServer;
  const SECRET = 'gh-secret-4d3c2b';
  before(async () => {
    srv = await startServer(
      [
        `name: hook\ntrigger: {webhook: {path: hook}}\n`,
        `name: signed\ntrigger:\n  webhook:\n    path: signed\n    verify:\n      github: {secret: "${SECRET}"}\n`,
      ],
      { env: { HOOKFLOW_MAX_BODY: '64kb' } },
    );
  });
  after(() => srv.close());

  const stored = async (answer: Answer) => {
    assert.equal(answer.status, 202, JSON.stringify(answer.json));
    return (await srv.finishedJob(answer.json.id!)).trigger;
  };

  test('gzip text/plain is stored as its text, rawBody included', async () => {
    const text = 'héllo, compressed world';
    const trigger = await stored(
      await post(`${srv.url}/hooks/hook`, gzipSync(text), {
        'content-type': 'text/plain; charset=utf-8',
        'content-encoding': 'gzip',
      }),
    );
    assert.equal(trigger.body, text);
    assert.equal(trigger.rawBody, text);
  });

  for (const [coding, compress] of [
    ['gzip', gzipSync],
    ['x-gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
    ['identity', (b: Buffer) => b],
  ] as const) {
    test(`Content-Encoding ${coding}: a JSON body is decoded and parsed`, async () => {
      const json = JSON.stringify({ coding, items: [1, 2, 3] });
      const trigger = await stored(
        await post(`${srv.url}/hooks/hook`, compress(Buffer.from(json)), {
          'content-type': 'application/json',
          'content-encoding': coding.toUpperCase(),
        }),
      );
      assert.deepEqual(trigger.body, { coding, items: [1, 2, 3] });
      assert.equal(trigger.rawBody, json);
    });
  }

  test('two codings are undone in reverse order', async () => {
    const body = brotliCompressSync(gzipSync('a=1&b=2'));
    const trigger = await stored(
      await post(`${srv.url}/hooks/hook`, body, {
        'content-type': 'application/x-www-form-urlencoded',
        'content-encoding': 'gzip, br',
      }),
    );
    assert.deepEqual(trigger.body, { a: '1', b: '2' });
  });

  test('an unknown coding gets 415 unsupported_media_type, whatever the body type', async () => {
    for (const type of ['application/json', 'text/plain', 'application/octet-stream']) {
      const answer = await post(`${srv.url}/hooks/hook`, 'x', {
        'content-type': type,
        'content-encoding': 'compress',
      });
      assert.equal(answer.status, 415);
      assert.equal(answer.json.error?.code, 'unsupported_media_type');
      assert.match(answer.json.error?.message ?? '', /'compress' is not supported/);
    }
  });

  test('corrupt compressed data gets 400 invalid_body', async () => {
    for (const [coding, bytes] of [
      ['gzip', Buffer.from('definitely not gzip')],
      ['gzip', gzipSync('{"cut":"short"}').subarray(0, 12)],
      ['deflate', Buffer.from([1, 2, 3, 4])],
      ['br', Buffer.from('not brotli at all, no')],
    ] as const) {
      const answer = await post(`${srv.url}/hooks/hook`, bytes, {
        'content-type': 'application/json',
        'content-encoding': coding,
      });
      assert.equal(answer.status, 400, `${coding}: ${JSON.stringify(answer.json)}`);
      assert.equal(answer.json.error?.code, 'invalid_body');
    }
  });

  test('a zip bomb stops at the body limit: 413 body_too_large, quickly', async () => {
    // gzip members concatenated decode as one stream: 100 MB of zeros in about 100 KB; brotli
    // 10 MB in a few bytes. The limit is 64 KB.
    const member = gzipSync(Buffer.alloc(10 * 1024 * 1024));
    const fast = { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1 } };
    for (const [coding, bomb] of [
      ['gzip', Buffer.concat(Array.from({ length: 10 }, () => member))],
      ['br', brotliCompressSync(Buffer.alloc(10 * 1024 * 1024), fast)],
    ] as const) {
      const begun = performance.now();
      const answer = await post(`${srv.url}/hooks/hook`, bomb, {
        'content-type': 'text/plain',
        'content-encoding': coding,
      });
      assert.equal(answer.status, 413);
      assert.equal(answer.json.error?.code, 'body_too_large');
      assert.ok(performance.now() - begun < 1000, `${coding} took ${performance.now() - begun} ms`);
    }
    assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
  });

  test('a signature is checked against the decoded payload, as providers sign it', async () => {
    const payload = JSON.stringify({ action: 'opened' });
    const signature = `sha256=${createHmac('sha256', SECRET).update(payload).digest('hex')}`;
    const headers = {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'x-hub-signature-256': signature,
      'x-github-delivery': 'd-1',
    };
    const trigger = await stored(await post(`${srv.url}/hooks/signed`, gzipSync(payload), headers));
    assert.deepEqual(trigger.body, { action: 'opened' });
    const forged = await post(`${srv.url}/hooks/signed`, gzipSync('{"action":"closed"}'), headers);
    assert.equal(forged.status, 401);
  });
});
