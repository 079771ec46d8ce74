/* eslint @typescript-eslint/no-floating-promises: ["error", { "allowForKnownSafeCalls":
   [{ "from": "package", "package": "node:test", "name": ["describe", "it"] }] }] --
   node:test's describe/it return promises the runner itself awaits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HookflowError } from '../../errors.js';
import type { BodyFormat } from '../../workflow/types.js';
import { decodeBody } from './decode-body.js';

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

async function rejectionOf(promise: Promise<unknown>): Promise<HookflowError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof HookflowError, `expected a HookflowError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the promise to reject');
}

describe('decodeBody, format auto: the Content-Type decides', () => {
  it('parses application/json, whatever the case and parameters', async () => {
    const decoded = await decodeBody(
      utf8('{"a":[1,true]}'),
      'Application/JSON; charset=UTF-8',
      'auto',
    );
    assert.deepEqual(decoded, { body: { a: [1, true] }, rawBody: '{"a":[1,true]}' });
  });

  it('parses *+json types as JSON', async () => {
    const decoded = await decodeBody(utf8('{"data":{}}'), 'application/vnd.api+json', 'auto');
    assert.deepEqual(decoded.body, { data: {} });
  });

  it('parses a urlencoded form into a flat object, repeated keys as lists, + as space', async () => {
    const decoded = await decodeBody(
      utf8('name=Ada+Lovelace&tag=a&tag=b&tag=c&city=Z%C3%BCrich&empty='),
      'application/x-www-form-urlencoded',
      'auto',
    );
    assert.deepEqual(decoded.body, {
      name: 'Ada Lovelace',
      tag: ['a', 'b', 'c'],
      city: 'Zürich',
      empty: '',
    });
  });

  for (const type of ['application/xml', 'text/xml; charset=utf-8', 'application/soap+xml']) {
    it(`parses ${type} as XML`, async () => {
      const decoded = await decodeBody(utf8('<order id="7"><sku>A1</sku></order>'), type, 'auto');
      assert.deepEqual(decoded.body, { order: { '@id': '7', sku: 'A1' } });
    });
  }

  it('parses multipart/form-data into fields and files', async () => {
    const form = new FormData();
    form.append('note', 'hello');
    const response = new Response(form);
    const raw = Buffer.from(await response.arrayBuffer());
    const decoded = await decodeBody(raw, response.headers.get('content-type') ?? '', 'auto');
    assert.deepEqual(decoded.body, { fields: { note: 'hello' }, files: [] });
  });

  for (const type of ['text/plain', 'text/csv', 'text/html; charset=utf-8']) {
    it(`keeps ${type} as a string`, async () => {
      const decoded = await decodeBody(utf8('a,b\r\n1,2\r\n'), type, 'auto');
      assert.deepEqual(decoded, { body: 'a,b\r\n1,2\r\n', rawBody: 'a,b\r\n1,2\r\n' });
    });
  }

  it('decodes text with invalid UTF-8 leniently, keeping the exact bytes in rawBody', async () => {
    const raw = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in Latin-1
    const decoded = await decodeBody(raw, 'text/plain', 'auto');
    assert.equal(decoded.body, 'caf\uFFFD');
    assert.equal(decoded.rawBodyEncoding, 'base64');
    assert.deepEqual(Buffer.from(decoded.rawBody, 'base64'), raw);
  });

  for (const type of ['application/octet-stream', 'image/png', undefined]) {
    it(`keeps ${type ?? 'a body without Content-Type'} raw: its text when it is UTF-8`, async () => {
      const decoded = await decodeBody(utf8('just bytes'), type, 'auto');
      assert.deepEqual(decoded, { body: 'just bytes', rawBody: 'just bytes' });
    });
  }

  it('keeps a raw body that is not UTF-8 as base64, in body and rawBody alike', async () => {
    const raw = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
    const decoded = await decodeBody(raw, 'image/png', 'auto');
    assert.deepEqual(decoded, {
      body: raw.toString('base64'),
      rawBody: raw.toString('base64'),
      rawBodyEncoding: 'base64',
    });
  });
});

describe('decodeBody: an empty body', () => {
  const types = [
    'application/json',
    'application/xml',
    'application/x-www-form-urlencoded',
    'multipart/form-data',
    'text/plain',
    'application/octet-stream',
    undefined,
  ];
  for (const type of types) {
    it(`is null, not a parse error, for ${type ?? 'a missing Content-Type'}`, async () => {
      assert.deepEqual(await decodeBody(Buffer.alloc(0), type, 'auto'), {
        body: null,
        rawBody: '',
      });
    });
  }

  for (const format of ['json', 'xml', 'form', 'text', 'raw'] as const) {
    it(`is null with the forced format ${format}`, async () => {
      assert.deepEqual(await decodeBody(Buffer.alloc(0), undefined, format), {
        body: null,
        rawBody: '',
      });
    });
  }
});

describe('decodeBody, forced format: parsed as that format whatever the Content-Type', () => {
  for (const type of [undefined, 'text/plain', 'application/octet-stream', 'text/csv']) {
    it(`json accepts ${type ?? 'a missing Content-Type'}`, async () => {
      const decoded = await decodeBody(utf8('{"ok":true}'), type, 'json');
      assert.deepEqual(decoded.body, { ok: true });
    });
  }

  it('xml accepts a body sent as text/plain', async () => {
    const decoded = await decodeBody(utf8('<a>1</a>'), 'text/plain', 'xml');
    assert.deepEqual(decoded.body, { a: '1' });
  });

  it('form accepts a body without Content-Type', async () => {
    const decoded = await decodeBody(utf8('a=1&b=2'), undefined, 'form');
    assert.deepEqual(decoded.body, { a: '1', b: '2' });
  });

  it('form accepts multipart/form-data and gives the multipart shape', async () => {
    const form = new FormData();
    form.append('a', '1');
    const response = new Response(form);
    const raw = Buffer.from(await response.arrayBuffer());
    const decoded = await decodeBody(raw, response.headers.get('content-type') ?? '', 'form');
    assert.deepEqual(decoded.body, { fields: { a: '1' }, files: [] });
  });

  it('text keeps a JSON body as its string', async () => {
    const decoded = await decodeBody(utf8('{"a":1}'), 'application/json', 'text');
    assert.deepEqual(decoded, { body: '{"a":1}', rawBody: '{"a":1}' });
  });

  it('raw keeps an XML body as its string', async () => {
    const decoded = await decodeBody(utf8('<a/>'), 'application/xml', 'raw');
    assert.deepEqual(decoded, { body: '<a/>', rawBody: '<a/>' });
  });
});

describe('decodeBody: a forced format meeting another structured Content-Type is a 415', () => {
  const conflicts: Array<[BodyFormat, string]> = [
    ['json', 'application/xml'],
    ['json', 'multipart/form-data; boundary=x'],
    ['json', 'application/x-www-form-urlencoded'],
    ['xml', 'application/json'],
    ['xml', 'application/x-www-form-urlencoded'],
    ['form', 'application/json'],
    ['form', 'text/xml'],
  ];
  for (const [format, type] of conflicts) {
    it(`format ${format} refuses ${type}`, async () => {
      const error = await rejectionOf(decodeBody(utf8('x'), type, format));
      assert.equal(error.code, 'unsupported_media_type');
      assert.match(error.message, new RegExp(`format: ${format}`));
      assert.equal(error.details?.contentType, type.split(';')[0]);
    });
  }

  it('refuses before looking at the body, even an empty one', async () => {
    const error = await rejectionOf(decodeBody(Buffer.alloc(0), 'application/xml', 'json'));
    assert.equal(error.code, 'unsupported_media_type');
  });
});

describe('decodeBody: bytes that are not valid for their kind are invalid_body', () => {
  const invalid: Array<[string, string, RegExp]> = [
    ['{"a": 1,', 'application/json', /^body is not valid JSON: /],
    ['{"a": 1}}', 'application/json', /^body is not valid JSON: /],
    ['<a><b></a>', 'application/xml', /^body is not valid XML: .*line 1/],
    ['not xml at all', 'text/xml', /^body is not valid XML: /],
    ['   ', 'application/json', /^body is not valid JSON: /],
  ];
  for (const [text, type, message] of invalid) {
    it(`refuses ${JSON.stringify(text)} sent as ${type}`, async () => {
      const error = await rejectionOf(decodeBody(utf8(text), type, 'auto'));
      assert.equal(error.code, 'invalid_body');
      assert.match(error.message, message);
    });
  }

  for (const type of ['application/json', 'application/xml', 'application/x-www-form-urlencoded']) {
    it(`refuses bytes that are not UTF-8 sent as ${type}`, async () => {
      const error = await rejectionOf(decodeBody(Buffer.from([0x61, 0x3d, 0xff]), type, 'auto'));
      assert.equal(error.code, 'invalid_body');
      assert.match(error.message, /not UTF-8/);
    });
  }
});

describe('decodeBody: rawBody is the exact bytes', () => {
  it('is the UTF-8 text, multi-byte characters and CRLF included, with no encoding flag', async () => {
    const text = '{"name":"Zoë 🚀",\r\n "n": 1.50}';
    const decoded = await decodeBody(utf8(text), 'application/json', 'auto');
    assert.equal(decoded.rawBody, text);
    assert.ok(!('rawBodyEncoding' in decoded));
    assert.deepEqual(decoded.body, { name: 'Zoë 🚀', n: 1.5 });
  });

  it('keeps a byte-order mark, which the JSON parse ignores', async () => {
    const raw = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8('{"a":1}')]);
    const decoded = await decodeBody(raw, 'application/json', 'auto');
    assert.deepEqual(decoded.body, { a: 1 });
    assert.deepEqual(Buffer.from(decoded.rawBody, 'utf8'), raw);
  });

  it('keeps the byte-order mark of a text body in rawBody only', async () => {
    const raw = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8('hello')]);
    const decoded = await decodeBody(raw, 'text/plain', 'auto');
    assert.equal(decoded.body, 'hello');
    assert.equal(decoded.rawBody, '\uFEFFhello');
  });

  it('round-trips bytes that are not UTF-8 through base64', async () => {
    const raw = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const decoded = await decodeBody(raw, 'application/octet-stream', 'raw');
    assert.equal(decoded.rawBodyEncoding, 'base64');
    assert.deepEqual(Buffer.from(decoded.rawBody, 'base64'), raw);
  });

  it('is base64 for an overlong or surrogate UTF-8 encoding (not valid UTF-8)', async () => {
    for (const bytes of [
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
    ]) {
      const decoded = await decodeBody(Buffer.from(bytes), undefined, 'auto');
      assert.equal(decoded.rawBodyEncoding, 'base64');
    }
  });
});
