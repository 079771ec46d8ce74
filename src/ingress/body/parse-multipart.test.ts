/* eslint @typescript-eslint/no-floating-promises: ["error", { "allowForKnownSafeCalls":
   [{ "from": "package", "package": "node:test", "name": ["describe", "it"] }] }] --
   node:test's describe/it return promises the runner itself awaits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HookflowError } from '../../errors.js';
import { decodeBody } from './decode-body.js';
import { parseMultipart } from './parse-multipart.js';

async function serialize(form: FormData): Promise<{ raw: Buffer; contentType: string }> {
  const response = new Response(form);
  return {
    raw: Buffer.from(await response.arrayBuffer()),
    contentType: response.headers.get('content-type') ?? '',
  };
}

async function rejectionOf(promise: Promise<unknown>): Promise<HookflowError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof HookflowError, `expected a HookflowError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the promise to reject');
}

/** A multipart body written by hand, each part `[headers, content]`, CRLF as the RFC wants. */
function handMade(boundary: string, parts: Array<[string, string]>, close = true): Buffer {
  const body = parts.map(
    ([headers, content]) => `--${boundary}\r\n${headers}\r\n\r\n${content}\r\n`,
  );
  return Buffer.from(body.join('') + (close ? `--${boundary}--\r\n` : ''), 'utf8');
}

describe('multipart/form-data', () => {
  it('gives fields (a repeated name as a list) and files with name, type, size and base64 content', async () => {
    const png = Uint8Array.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x0d,
    ]);
    const form = new FormData();
    form.append('tag', 'red');
    form.append('comment', 'Grüße, 👋');
    form.append('tag', 'blue');
    form.append('avatar', new Blob([png], { type: 'image/png' }), 'pïcture.png');
    const { raw, contentType } = await serialize(form);

    const decoded = await decodeBody(raw, contentType, 'auto');

    assert.deepEqual(decoded.body, {
      fields: { tag: ['red', 'blue'], comment: 'Grüße, 👋' },
      files: [
        {
          field: 'avatar',
          name: 'pïcture.png',
          type: 'image/png',
          size: png.length,
          content: Buffer.from(png).toString('base64'),
        },
      ],
    });
    // The file bytes are not UTF-8, so rawBody carries the exact request as base64.
    assert.equal(decoded.rawBodyEncoding, 'base64');
    assert.deepEqual(Buffer.from(decoded.rawBody, 'base64'), raw);
  });

  it('keeps several files in the order they were sent, empty ones included', async () => {
    const form = new FormData();
    form.append('docs', new Blob(['first'], { type: 'text/plain' }), 'a.txt');
    form.append('docs', new Blob([], { type: 'application/pdf' }), 'b.pdf');
    const { raw, contentType } = await serialize(form);
    const body = await parseMultipart(raw, contentType);
    assert.deepEqual(
      body.files.map(({ name, size, content }) => ({ name, size, content })),
      [
        { name: 'a.txt', size: 5, content: Buffer.from('first').toString('base64') },
        { name: 'b.pdf', size: 0, content: '' },
      ],
    );
  });

  it('does not truncate a field larger than busboy’s 1 MB default or a long field name', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const name = 'n'.repeat(300);
    const body = await parseMultipart(
      handMade('b', [[`Content-Disposition: form-data; name="${name}"`, big]]),
      'multipart/form-data; boundary=b',
    );
    assert.equal((body.fields[name] as string).length, big.length);
  });

  it('keeps a field named __proto__ as plain data', async () => {
    const body = await parseMultipart(
      handMade('b', [['Content-Disposition: form-data; name="__proto__"', 'x']]),
      'multipart/form-data; boundary=b',
    );
    assert.equal(Object.getPrototypeOf(body.fields), Object.prototype);
    assert.deepEqual(Object.keys(body.fields), ['__proto__']);
  });

  it('accepts 1000 parts and refuses 1001', async () => {
    const parts = (n: number): Array<[string, string]> =>
      Array.from({ length: n }, (_, i) => [`Content-Disposition: form-data; name="f${i}"`, `${i}`]);
    const type = 'multipart/form-data; boundary=b';
    const ok = await parseMultipart(handMade('b', parts(1000)), type);
    assert.equal(Object.keys(ok.fields).length, 1000);
    const error = await rejectionOf(parseMultipart(handMade('b', parts(1001)), type));
    assert.equal(error.code, 'invalid_body');
    assert.match(error.message, /more than 1000 parts/);
  });

  it('refuses a Content-Type without boundary', async () => {
    const error = await rejectionOf(decodeBody(Buffer.from('a'), 'multipart/form-data', 'auto'));
    assert.equal(error.code, 'invalid_body');
    assert.match(error.message, /^body is not valid multipart\/form-data: .*boundary/i);
  });

  it('refuses a body that is not multipart', async () => {
    const error = await rejectionOf(
      decodeBody(Buffer.from('{"a":1}'), 'multipart/form-data; boundary=b', 'auto'),
    );
    assert.equal(error.code, 'invalid_body');
  });

  it('refuses a body cut off inside a file, without crashing on the file stream', async () => {
    const raw = handMade(
      'b',
      [['Content-Disposition: form-data; name="f"; filename="a.bin"', 'partial bytes']],
      false,
    ).subarray(0, -2);
    const error = await rejectionOf(decodeBody(raw, 'multipart/form-data; boundary=b', 'auto'));
    assert.equal(error.code, 'invalid_body');
    assert.match(error.message, /unexpected end/i);
  });
});
