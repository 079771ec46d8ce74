/* eslint @typescript-eslint/no-floating-promises: ["error", { "allowForKnownSafeCalls":
   [{ "from": "package", "package": "node:test", "name": ["describe", "it"] }] }] --
   node:test's describe/it return promises the runner itself awaits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseForm } from './parse-form.js';
import { parseJson } from './parse-json.js';

describe('parseForm', () => {
  it('gives a flat object of strings', () => {
    assert.deepEqual(parseForm('a=1&b=two'), { a: '1', b: 'two' });
  });

  it('makes a repeated key the list of its values, in order', () => {
    assert.deepEqual(parseForm('x=3&y=0&x=1&x=2'), { x: ['3', '1', '2'], y: '0' });
  });

  it('decodes + as a space and percent-escapes as UTF-8', () => {
    assert.deepEqual(parseForm('q=caf%C3%A9+au+lait&e=%F0%9F%9A%80'), {
      q: 'café au lait',
      e: '🚀',
    });
  });

  it('is lenient with bad percent-escapes and keys without value', () => {
    assert.deepEqual(parseForm('bad=%zz%&flag'), { bad: '%zz%', flag: '' });
  });

  it('keeps a key named __proto__ as plain data', () => {
    const fields = parseForm('__proto__=x&constructor=y');
    assert.equal(Object.getPrototypeOf(fields), Object.prototype);
    assert.deepEqual(Object.keys(fields), ['__proto__', 'constructor']);
  });
});

describe('parseJson', () => {
  it('parses JSON and ignores a leading byte-order mark', () => {
    assert.deepEqual(parseJson('\uFEFF[1,"a",null]'), [1, 'a', null]);
  });

  it('throws invalid_body naming the parser’s reason', () => {
    assert.throws(() => parseJson('{oops}'), {
      code: 'invalid_body',
      message: /^body is not valid JSON: .+/,
    });
  });
});
