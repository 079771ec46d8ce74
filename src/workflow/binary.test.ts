import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bodyBytes, isBinaryValue } from './binary.js';

const BYTES = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff]);
const binary = { base64: BYTES.toString('base64'), contentType: 'image/png', size: 5 };

describe('binary values', () => {
  it('an http step binary output is a binary value', () => {
    assert.equal(isBinaryValue(binary), true);
    assert.equal(isBinaryValue({ ...binary, contentType: null }), true);
  });

  it('an object with another size, or another key, is data, not bytes', () => {
    assert.equal(isBinaryValue({ ...binary, size: 4 }), false);
    assert.equal(isBinaryValue({ ...binary, name: 'logo' }), false);
    assert.equal(isBinaryValue({ base64: 'not base64!', contentType: null, size: 8 }), false);
  });

  it('a binary value is its bytes, whatever the encoding', () => {
    for (const encoding of ['auto', 'base64'] as const) {
      const out = bodyBytes(binary, encoding, 'reply.body');
      assert.ok(out?.bytes.equals(BYTES));
      assert.equal(out?.contentType, 'image/png');
    }
  });

  it('auto leaves text and JSON alone', () => {
    assert.equal(bodyBytes(BYTES.toString('base64'), 'auto', 'reply.body'), undefined);
    assert.equal(bodyBytes({ a: 1 }, 'auto', 'reply.body'), undefined);
  });

  it('base64 decodes base64 and base64url text, whitespace ignored', () => {
    const b64 = BYTES.toString('base64');
    assert.ok(bodyBytes(`${b64.slice(0, 4)}\n${b64.slice(4)}`, 'base64', 'b')?.bytes.equals(BYTES));
    const url = BYTES.toString('base64url');
    assert.ok(bodyBytes(url, 'base64', 'b')?.bytes.equals(BYTES));
  });

  it('base64 refuses text that is not base64, and values that are not text', () => {
    assert.throws(() => bodyBytes('no way!', 'base64', 'reply.body'), {
      code: 'invalid_base64',
      message: /reply\.body has body_encoding: base64/,
    });
    assert.throws(() => bodyBytes({ a: 1 }, 'base64', 'reply.body'), { code: 'invalid_base64' });
  });
});
