import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCurl } from './parse-curl.js';

void describe('parseCurl', () => {
  test('a plain URL is a GET with its query string split into parameters', () => {
    const r = parseCurl(`curl 'https://api.acme.io/v1/items?page=2&tag=a&tag=b%20c'`);
    assert.equal(r.method, 'GET');
    assert.equal(r.url, 'https://api.acme.io/v1/items');
    assert.deepEqual(r.query, [
      ['page', '2'],
      ['tag', 'a'],
      ['tag', 'b c'],
    ]);
    assert.equal(r.data, null);
  });

  test('line continuations, a $ prompt and a trailing pipe are the shell’s, not the request’s', () => {
    const r = parseCurl(
      `$ curl -X POST https://api.acme.io/v1/items \\\n  -H "Accept: application/json" \\\r\n  -d 'a=1' | jq .`,
    );
    assert.equal(r.method, 'POST');
    assert.deepEqual(r.headers, [['Accept', 'application/json']]);
    assert.deepEqual(r.data, { text: 'a=1', json: false });
  });

  test('quoting: single quotes keep everything, double quotes undo \\" and an escaped quote joins', () => {
    const r = parseCurl(
      `curl https://x.io -H "X-Note: say \\"hi\\"" --data-raw '{"name": "it'\\''s"}'`,
    );
    assert.deepEqual(r.headers, [['X-Note', 'say "hi"']]);
    assert.equal(r.data?.text, `{"name": "it's"}`);
  });

  test('a shell variable stays as written, to be named by the import', () => {
    const r = parseCurl(`curl -H "Authorization: Bearer $TOKEN" https://x.io`);
    assert.deepEqual(r.headers, [['Authorization', 'Bearer ${TOKEN}']]);
  });

  test('-d makes a POST; several -d are joined with &; --data-urlencode encodes the value', () => {
    const r = parseCurl(
      `curl https://x.io/f -d a=1 --data b=2 --data-urlencode 'q=hello world&more' --data-binary c=3`,
    );
    assert.equal(r.method, 'POST');
    assert.equal(r.data?.text, 'a=1&b=2&q=hello%20world%26more&c=3');
  });

  test('-G sends the data as the query string of a GET', () => {
    const r = parseCurl(`curl -G https://x.io/search?lang=en -d q=cats --data-urlencode 'f=a b'`);
    assert.equal(r.method, 'GET');
    assert.equal(r.data, null);
    assert.deepEqual(r.query, [
      ['lang', 'en'],
      ['q', 'cats'],
      ['f', 'a b'],
    ]);
  });

  test('--json sets the body, POST, and the JSON content type and accept headers', () => {
    const r = parseCurl(`curl --json '{"a":1}' https://x.io`);
    assert.equal(r.method, 'POST');
    assert.deepEqual(r.data, { text: '{"a":1}', json: true });
    assert.deepEqual(r.headers, [
      ['Content-Type', 'application/json'],
      ['Accept', 'application/json'],
    ]);
  });

  test('-X wins over the method the data implies; -XPUT and --request=PUT are read too', () => {
    assert.equal(parseCurl(`curl -X put -d a=1 https://x.io`).method, 'PUT');
    assert.equal(parseCurl(`curl -XPATCH https://x.io`).method, 'PATCH');
    assert.equal(parseCurl(`curl --request=DELETE https://x.io`).method, 'DELETE');
    assert.equal(parseCurl(`curl -I https://x.io`).method, 'HEAD');
  });

  test('-u, --url, combined short flags (-sSL, -sXPOST) and skipped options with notes', () => {
    const r = parseCurl(
      `curl -sSL -u 'me:p@ss:word' -sXPOST --compressed -o out.json --max-time 5 --url https://x.io/a`,
    );
    assert.equal(r.user, 'me:p@ss:word');
    assert.equal(r.method, 'POST');
    assert.equal(r.url, 'https://x.io/a');
    assert.deepEqual(r.notes, [
      'skipped --compressed',
      'skipped -o out.json',
      'skipped --max-time 5',
    ]);
  });

  test('a URL without a scheme is http, as curl takes it', () => {
    assert.equal(parseCurl('curl example.com/ping').url, 'http://example.com/ping');
  });

  test('not a curl command, no URL, or an option without its value: a clear error', () => {
    assert.throws(() => parseCurl('wget https://x.io'), /starting with curl, got 'wget'/);
    assert.throws(() => parseCurl('curl -H "A: b"'), /has no URL/);
    assert.throws(() => parseCurl('curl https://x.io -H'), /-H needs a value/);
    assert.throws(() => parseCurl('curl ftp://x.io/f'), /not an http\(s\) URL/);
  });

  test('-d @file and -F are noted, not guessed at', () => {
    const r = parseCurl(`curl https://x.io -d @body.json -F file=@a.png`);
    assert.match(r.notes.join('\n'), /-d @body.json reads a file/);
    assert.match(r.notes.join('\n'), /multipart forms are not imported/);
  });
});
