import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import type { ResponseFormat } from '../../workflow/types.js';
import type { StepContext } from '../types.js';
import { StepError } from '../types.js';
import { DEFAULT_MAX_RESPONSE_BYTES, executeHttpStep } from './http-step.js';
import type { HttpResponseOutput } from './http-step.js';
import { httpStep, startServer } from './testing.js';
import type { TestServer } from './testing.js';

type Reply = (res: ServerResponse) => void;

void describe('http step: the response as output', () => {
  let server: TestServer;
  const agent = new Agent();
  const ctx: StepContext = { scope: {}, jobId: 'job-1', workflow: 'wf', dispatcher: agent };
  // Each test registers what the server answers on a path of its own.
  const replies = new Map<string, Reply>();
  let next = 0;
  const serve = (reply: Reply): string => {
    const path = `/r${++next}`;
    replies.set(path, reply);
    return `${server.url}${path}`;
  };
  const send = (type: string | null, body: string | Buffer, status = 200): string =>
    serve((res) => {
      res.statusCode = status;
      if (type !== null) res.setHeader('content-type', type);
      res.end(body);
    });
  const call = async (url: string, response: ResponseFormat = 'auto', extra = {}) =>
    (await executeHttpStep(httpStep({ url, response, ...extra }), ctx))
      .output as HttpResponseOutput;

  before(async () => {
    server = await startServer((req, res) => {
      const reply = replies.get(req.url.split('?')[0] ?? '');
      if (reply) reply(res);
      else {
        res.statusCode = 404;
        res.end();
      }
    });
  });
  after(async () => {
    await server.close();
    await agent.close();
  });

  void test('output is {status, headers, body} with lower-cased names and repeated headers as lists', async () => {
    const url = serve((res) => {
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Request-Id', 'abc');
      res.setHeader('Set-Cookie', ['a=1', 'b=2']);
      res.end('{"id":1}');
    });
    const output = await call(url);
    assert.equal(output.status, 200);
    assert.deepEqual(output.body, { id: 1 });
    assert.equal(output.headers['x-request-id'], 'abc');
    assert.deepEqual(output.headers['set-cookie'], ['a=1', 'b=2']);
    assert.ok(Object.keys(output.headers).every((name) => name === name.toLowerCase()));
  });

  void test('json parses the body', async () => {
    assert.deepEqual((await call(send('text/plain', '[1,{"a":null}]'), 'json')).body, [
      1,
      { a: null },
    ]);
  });

  void test('json with an empty body is null', async () => {
    assert.equal((await call(send(null, '', 200), 'json')).body, null);
  });

  void test('json that does not parse on a 2xx fails with invalid_response, keeping the text', async () => {
    await assert.rejects(
      call(send('application/json', '<html>oops</html>'), 'json'),
      (e: unknown) => {
        assert.ok(e instanceof StepError);
        assert.equal(e.code, 'invalid_response');
        assert.match(e.message, /not valid JSON/);
        assert.equal((e.output as HttpResponseOutput).body, '<html>oops</html>');
        return true;
      },
    );
  });

  void test('json nested more than 100 deep fails the step with invalid_response, keeping the text', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    for (const format of ['json', 'auto'] as const) {
      await assert.rejects(call(send('application/json', deep), format), (e: unknown) => {
        assert.ok(e instanceof StepError);
        assert.equal(e.code, 'invalid_response');
        assert.match(e.message, /more than 100 levels deep/);
        assert.equal((e.output as HttpResponseOutput).body, deep);
        return true;
      });
    }
    const fine = '['.repeat(100) + ']'.repeat(100);
    assert.deepEqual((await call(send('application/json', fine), 'json')).body, JSON.parse(fine));
  });

  void test('xml nested more than 100 deep fails the step with invalid_response', async () => {
    const deep = '<e>'.repeat(5000) + '</e>'.repeat(5000);
    await assert.rejects(call(send('application/xml', deep), 'xml'), { code: 'invalid_response' });
  });

  void test('json that does not parse on an error status keeps the text as the body', async () => {
    const output = await call(send('text/html', '<h1>Bad gateway</h1>', 502), 'json', {
      errors: 'continue',
    });
    assert.equal(output.status, 502);
    assert.equal(output.body, '<h1>Bad gateway</h1>');
  });

  void test('xml becomes an object: root key, namespaces dropped, @attributes, lists, entities decoded', async () => {
    const xml =
      '<?xml version="1.0"?><soap:Envelope xmlns:soap="urn:s"><soap:Body>' +
      '<order id="7"><item>a</item><item>b &amp; c</item><note><![CDATA[x &amp; <y>]]></note></order>' +
      '</soap:Body></soap:Envelope>';
    const output = await call(send('text/plain', xml), 'xml');
    assert.deepEqual(output.body, {
      Envelope: {
        Body: { order: { '@id': '7', item: ['a', 'b & c'], note: 'x &amp; <y>' } },
      },
    });
  });

  void test('xml with a DOCTYPE is refused as invalid_response', async () => {
    const xml = '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "boom">]><a>&e;</a>';
    await assert.rejects(
      call(send('application/xml', xml), 'xml'),
      (e: unknown) =>
        e instanceof StepError && e.code === 'invalid_response' && /DOCTYPE/.test(e.message),
    );
  });

  void test('text decodes by the charset', async () => {
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in ISO-8859-1
    assert.equal((await call(send('text/plain; charset=iso-8859-1', latin1), 'text')).body, 'café');
    assert.equal((await call(send('application/json', '{"a":1}'), 'text')).body, '{"a":1}');
  });

  void test('binary is {base64, contentType, size}', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    assert.deepEqual((await call(send('image/png', bytes), 'binary')).body, {
      base64: bytes.toString('base64'),
      contentType: 'image/png',
      size: 6,
    });
  });

  void test('auto picks json, xml, text or binary by content-type', async () => {
    assert.deepEqual((await call(send('application/json; charset=utf-8', '{"a":1}'))).body, {
      a: 1,
    });
    assert.deepEqual((await call(send('application/problem+json', '{"title":"x"}'))).body, {
      title: 'x',
    });
    assert.deepEqual((await call(send('application/xml', '<a><b>1</b></a>'))).body, {
      a: { b: '1' },
    });
    assert.deepEqual((await call(send('application/atom+xml', '<feed/>'))).body, { feed: '' });
    assert.equal((await call(send('text/html', '<p>hi</p>'))).body, '<p>hi</p>');
    assert.deepEqual((await call(send('application/octet-stream', 'zz'))).body, {
      base64: 'eno=',
      contentType: 'application/octet-stream',
      size: 2,
    });
    assert.deepEqual((await call(send(null, 'zz'))).body, {
      base64: 'eno=',
      contentType: null,
      size: 2,
    });
  });

  void test('auto with an empty body is null', async () => {
    const url = serve((res) => {
      res.statusCode = 204;
      res.end();
    });
    const output = await call(url);
    assert.equal(output.status, 204);
    assert.equal(output.body, null);
  });

  void test('with max_redirects 0 a 3xx is not followed: it is the response', async () => {
    const url = serve((res) => {
      res.statusCode = 302;
      res.setHeader('location', '/elsewhere');
      res.end();
    });
    const output = await call(url, 'auto', { errors: 'continue', maxRedirects: 0 });
    assert.equal(output.status, 302);
    assert.equal(output.headers.location, '/elsewhere');
    assert.equal(server.requests.filter((r) => r.url === '/elsewhere').length, 0);
  });

  void test('a body over the limit fails with response_too_large', async () => {
    const url = send('application/octet-stream', Buffer.alloc(2048, 1));
    await assert.rejects(
      executeHttpStep(httpStep({ url }), ctx, { maxResponseBytes: 1024 }),
      (e: unknown) =>
        e instanceof StepError && e.code === 'response_too_large' && /1024 bytes/.test(e.message),
    );
  });

  void test('a streamed body without content-length is cut off at the limit', async () => {
    const url = serve((res) => {
      res.setHeader('content-type', 'text/plain');
      const chunk = Buffer.alloc(512, 97);
      let sent = 0;
      const timer = setInterval(() => {
        if (sent++ < 8 && !res.destroyed) res.write(chunk);
        else {
          clearInterval(timer);
          res.end();
        }
      }, 1);
    });
    await assert.rejects(
      executeHttpStep(httpStep({ url }), ctx, { maxResponseBytes: 1024 }),
      (e: unknown) => e instanceof StepError && e.code === 'response_too_large',
    );
  });

  void test('the default limit is 10 MiB', async () => {
    assert.equal(DEFAULT_MAX_RESPONSE_BYTES, 10 * 1024 * 1024);
    const url = send('application/octet-stream', Buffer.alloc(DEFAULT_MAX_RESPONSE_BYTES + 1));
    await assert.rejects(
      executeHttpStep(httpStep({ url }), ctx),
      (e: unknown) => e instanceof StepError && e.code === 'response_too_large',
    );
    const exact = send('application/octet-stream', Buffer.alloc(DEFAULT_MAX_RESPONSE_BYTES));
    const output = await call(exact, 'binary');
    assert.equal((output.body as { size: number }).size, DEFAULT_MAX_RESPONSE_BYTES);
  });
});
