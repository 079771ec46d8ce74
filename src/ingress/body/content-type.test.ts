/* eslint @typescript-eslint/no-floating-promises: ["error", { "allowForKnownSafeCalls":
   [{ "from": "package", "package": "node:test", "name": ["describe", "it"] }] }] --
   node:test's describe/it return promises the runner itself awaits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bodyKindOf, contentTypeOf } from './content-type.js';

describe('contentTypeOf', () => {
  it('lower-cases the media type and drops its parameters', () => {
    assert.equal(contentTypeOf('Application/JSON; charset=UTF-8'), 'application/json');
    assert.equal(contentTypeOf(' text/plain ;format=flowed'), 'text/plain');
  });

  it('is empty when the header is missing', () => {
    assert.equal(contentTypeOf(undefined), '');
    assert.equal(contentTypeOf(''), '');
  });
});

describe('bodyKindOf', () => {
  const cases: Array<[string | undefined, string]> = [
    ['application/json', 'json'],
    ['application/vnd.api+json; charset=utf-8', 'json'],
    ['application/problem+json', 'json'],
    ['application/x-www-form-urlencoded', 'form'],
    ['application/xml', 'xml'],
    ['TEXT/XML; charset=ISO-8859-1', 'xml'],
    ['application/soap+xml', 'xml'],
    ['application/atom+xml', 'xml'],
    ['multipart/form-data; boundary=abc', 'multipart'],
    ['text/plain', 'text'],
    ['text/csv', 'text'],
    ['application/octet-stream', 'raw'],
    ['image/png', 'raw'],
    ['multipart/mixed; boundary=abc', 'raw'],
    [undefined, 'raw'],
  ];
  for (const [header, kind] of cases) {
    it(`reads ${header ?? 'a missing header'} as ${kind}`, () => {
      assert.equal(bodyKindOf(header), kind);
    });
  }
});
