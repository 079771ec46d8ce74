/* eslint @typescript-eslint/no-floating-promises: ["error", { "allowForKnownSafeCalls":
   [{ "from": "package", "package": "node:test", "name": ["describe", "it"] }] }] --
   node:test's describe/it return promises the runner itself awaits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HookflowError } from '../../errors.js';
import { decodeBody } from './decode-body.js';
import { jsonDepthOverflow } from './depth.js';
import { parseJson } from './parse-json.js';

const arrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const objects = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('jsonDepthOverflow: the nesting of JSON text, scanned without recursion', () => {
  it('a scalar nests 0 deep, {} and [] 1, each container inside another one more', () => {
    assert.equal(jsonDepthOverflow('1', 0), -1);
    assert.equal(jsonDepthOverflow('{}', 0), 0);
    assert.equal(jsonDepthOverflow('{}', 1), -1);
    assert.equal(jsonDepthOverflow('{"a":[1]}', 1), 5);
    assert.equal(jsonDepthOverflow('{"a":[1]}', 2), -1);
  });

  it('siblings do not add up: only containers inside each other count', () => {
    assert.equal(jsonDepthOverflow('[[],[],{"a":{}},[[]]]', 3), -1);
  });

  it('brackets inside strings do not count, escaped quotes included', () => {
    assert.equal(jsonDepthOverflow('{"a":"[[[{{{"}', 1), -1);
    assert.equal(jsonDepthOverflow('["\\"[[[", "\\\\", [1]]', 2), -1);
    assert.equal(jsonDepthOverflow('["\\\\", [[1]]]', 2), 8);
  });

  it('returns the index of the bracket that opens the first level too many', () => {
    assert.equal(jsonDepthOverflow(arrays(5), 3), 3);
    assert.equal(jsonDepthOverflow(' \n [ [ [ ] ] ]', 2), 7);
  });

  it('scans a million levels without overflowing the stack, quickly', () => {
    const started = performance.now();
    assert.equal(jsonDepthOverflow(arrays(1_000_000), 2_000_000), -1);
    assert.ok(performance.now() - started < 1000);
  });

  it('an unterminated string ends the scan: JSON.parse refuses the text', () => {
    assert.equal(jsonDepthOverflow('["[[[[', 1), -1);
  });
});

describe('parseJson: nesting deeper than the limit is refused before parsing', () => {
  it('accepts 100 levels by default and refuses 101 with body_too_deep', () => {
    assert.doesNotThrow(() => parseJson(objects(100)));
    assert.throws(
      () => parseJson(objects(101)),
      (e: unknown) =>
        e instanceof HookflowError &&
        e.code === 'body_too_deep' &&
        /more than 100 levels deep \(at character 501\)/.test(e.message),
    );
  });

  it('takes the limit it is given', () => {
    assert.doesNotThrow(() => parseJson(arrays(3), 3));
    assert.throws(() => parseJson(arrays(4), 3), { code: 'body_too_deep' });
  });

  it('the 10 KB body nested 5,000 deep is refused', () => {
    assert.throws(() => parseJson(arrays(5000)), { code: 'body_too_deep' });
  });
});

describe('decodeBody applies the depth limit to JSON and XML, whatever names the format', () => {
  for (const [type, format] of [
    ['application/json', 'auto'],
    ['text/plain', 'json'],
    ['application/vnd.api+json', 'auto'],
  ] as const) {
    it(`JSON as ${type} with format ${format}`, async () => {
      await assert.rejects(decodeBody(Buffer.from(arrays(11)), type, format, { maxDepth: 10 }), {
        code: 'body_too_deep',
      });
      const ok = await decodeBody(Buffer.from(arrays(10)), type, format, { maxDepth: 10 });
      assert.equal(ok.rawBody, arrays(10));
    });
  }

  it('XML elements', async () => {
    const xml = (depth: number): Buffer => Buffer.from('<e>'.repeat(depth) + '</e>'.repeat(depth));
    await assert.rejects(decodeBody(xml(11), 'application/xml', 'auto', { maxDepth: 10 }), {
      code: 'body_too_deep',
    });
    await decodeBody(xml(10), 'application/xml', 'auto', { maxDepth: 10 });
  });

  it('form bodies stay flat: bracketed names are names, not nesting', async () => {
    const name = 'a' + '[b]'.repeat(5000);
    const decoded = await decodeBody(
      Buffer.from(`${name}=1`),
      'application/x-www-form-urlencoded',
      'auto',
      { maxDepth: 1 },
    );
    assert.deepEqual(decoded.body, { [name]: '1' });
  });
});
