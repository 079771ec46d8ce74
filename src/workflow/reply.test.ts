/* eslint @typescript-eslint/no-floating-promises: ["error", { "allowForKnownSafeCalls":
   [{ "from": "package", "package": "node:test", "name": ["describe", "it"] }] }] --
   node:test's describe/it return promises the runner itself awaits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HookflowError } from '../errors.js';
import { compileReply, renderReply } from './reply.js';

const req = { body: { id: 'a1', n: 3 }, headers: { 'x-id': 'h' } };

describe('renderReply', () => {
  it('a binary value body becomes base64 bytes with its content type', async () => {
    const file = { base64: 'iVBORw==', contentType: 'image/png', size: 4 };
    assert.deepEqual(await renderReply(compileReply({ body: '{{ file }}' }, 'r'), { file }), {
      status: 200,
      headers: { 'content-type': 'image/png' },
      body: 'iVBORw==',
      bodyEncoding: 'base64',
    });
  });

  it('status defaults to 200, headers to none, body to undefined', async () => {
    assert.deepEqual(await renderReply(compileReply({}, 'r'), req), {
      status: 200,
      headers: {},
      body: undefined,
    });
  });
  it('renders status, headers and body from the scope', async () => {
    const reply = compileReply(
      {
        status: '{{ 200 + body.n }}',
        headers: {
          'Content-Type': 'application/xml',
          'X-Id': '{{ body.id }}',
          'X-N': '{{ body.n }}',
        },
        body: '<ack>{{ body.id }}</ack>',
      },
      'trigger.webhook.reply',
    );
    assert.deepEqual(await renderReply(reply, req), {
      status: 203,
      headers: { 'Content-Type': 'application/xml', 'X-Id': 'a1', 'X-N': '3' },
      body: '<ack>a1</ack>',
    });
  });
  it('an object body stays an object', async () => {
    const reply = compileReply({ body: { ok: true, id: '{{ body.id }}' } }, 'r');
    assert.deepEqual((await renderReply(reply, req)).body, { ok: true, id: 'a1' });
  });
  it('a status given as text is read as a number', async () => {
    assert.equal((await renderReply(compileReply({ status: '404' }, 'r'), req)).status, 404);
  });
  it('header values that are null or missing are left out, lists joined', async () => {
    const reply = compileReply({ headers: { 'X-A': '{{ body.none }}', 'X-L': ['a', 'b'] } }, 'r');
    assert.deepEqual((await renderReply(reply, req)).headers, { 'X-L': 'a, b' });
  });
  it('a status that is no HTTP status fails naming where', async () => {
    await assert.rejects(
      renderReply(compileReply({ status: '{{ body.id }}' }, 'steps.answer.reply'), req),
      (e: unknown) => {
        assert.ok(e instanceof HookflowError);
        assert.equal(e.code, 'invalid_reply');
        assert.equal(
          e.message,
          'steps.answer.reply.status must be an HTTP status 100-599, got "a1"',
        );
        return true;
      },
    );
  });
  it('a header value with a line break is refused', async () => {
    const reply = compileReply({ headers: { 'X-A': '{{ "a\\r\\nSet-Cookie: x" }}' } }, 'r');
    await assert.rejects(
      renderReply(reply, req),
      /r\.headers: header "X-A" is not a valid HTTP header name or value/,
    );
  });
});

describe('compileReply', () => {
  it('refuses an unknown key', () => {
    assert.throws(
      () => compileReply({ code: 200 }, 'r'),
      /unknown key 'code' in r \(allowed: status, headers, body, body_encoding\)/,
    );
  });

  it('body_encoding is auto or base64', () => {
    assert.throws(() => compileReply({ body_encoding: 'hex' }, 'r'), {
      code: 'invalid_reply',
      message: /r\.body_encoding must be one of auto, base64/,
    });
  });
});
