/**
 * What the management API takes as a body (§8, §9): JSON or nothing on action calls, YAML or
 * JSON documents on PUT; hostile documents (alias bombs, deep nesting) are 400 problems with
 * their line, never a 500 or a crash.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';
import { send } from './helpers/raw-http.js';

const HELLO = `
name: hello
trigger:
  webhook: {path: hello}
`;

/** Nine copies of nine copies…: 9^8 strings from a few hundred bytes; aliases from line `first`. */
function aliasBomb(head: string[]): { text: string; firstAliasLine: number } {
  const lines = [...head, 'a: &a [x, x, x, x, x, x, x, x, x]'];
  const firstAliasLine = lines.length + 1;
  const names = [...'abcdefgh'];
  for (let i = 1; i < names.length; i++) {
    lines.push(
      `${names[i]}: &${names[i]} [${Array(9)
        .fill(`*${names[i - 1]}`)
        .join(', ')}]`,
    );
  }
  return { text: lines.join('\n'), firstAliasLine };
}

describe('API action bodies', () => {
  let srv: TestServer;
  let jobId: string;
  before(async () => {
    srv = await startServer([HELLO]);
    jobId = (await send(`${srv.url}/hooks/hello`, { method: 'POST' })).json.id;
    await srv.finishedJob(jobId);
  });
  after(() => srv.close());

  const rerun = (headers: Record<string, string>, body?: string) =>
    send(`${srv.url}/api/jobs/${jobId}/rerun`, {
      method: 'POST',
      headers,
      ...(body === undefined ? {} : { body }),
    });

  test('content-type application/json with an empty body is accepted', async () => {
    const r = await rerun({ 'content-type': 'application/json', 'content-length': '0' });
    assert.equal(r.status, 202);
    assert.equal(r.json.rerunOf, jobId);
  });

  test('an empty form body (curl -d "") is accepted', async () => {
    const r = await rerun({ 'content-type': 'application/x-www-form-urlencoded' }, '');
    assert.equal(r.status, 202);
  });

  test('a JSON body is accepted', async () => {
    const r = await rerun({ 'content-type': 'application/json' }, '{}');
    assert.equal(r.status, 202);
  });

  test('a text/plain body is 415 unsupported_media_type and changes nothing', async () => {
    const jobs = (await srv.jobsOf('hello')).length;
    const r = await rerun({ 'content-type': 'text/plain' }, 'x');
    assert.equal(r.status, 415);
    assert.equal(r.json.error.code, 'unsupported_media_type');
    const off = await send(`${srv.url}/api/workflows/hello/disable`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    assert.equal(off.status, 415);
    assert.equal((await send(`${srv.url}/api/workflows/hello`)).json.enabled, true);
    assert.equal((await srv.jobsOf('hello')).length, jobs);
  });

  test('a JSON body nested 5,000 deep is 400 body_too_deep and the API keeps serving', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const r = await rerun({ 'content-type': 'application/json' }, deep);
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'body_too_deep');
    assert.equal((await send(`${srv.url}/api/workflows/hello`)).status, 200);
  });

  test('a body that is not JSON is 400 invalid_body', async () => {
    const r = await rerun({ 'content-type': 'application/json' }, '{"a":');
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'invalid_body');
  });
});

describe('API documents', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer([]);
  });
  after(() => srv.close());

  const put = (path: string, body: string, type = 'application/yaml') =>
    send(`${srv.url}/api/${path}`, { method: 'PUT', headers: { 'content-type': type }, body });

  test('a workflow as text/yaml or application/json is accepted', async () => {
    const yaml = await put(
      'workflows/doc-yaml',
      'name: doc-yaml\ntrigger: {webhook: {}}\n',
      'text/yaml',
    );
    assert.equal(yaml.status, 201);
    const json = await put(
      'workflows/doc-json',
      JSON.stringify({ name: 'doc-json', trigger: { webhook: {} } }),
      'application/json',
    );
    assert.equal(json.status, 201);
  });

  test('a connection as text/plain is 415', async () => {
    const r = await put('connections/plain', 'name: plain\ntype: none\n', 'text/plain');
    assert.equal(r.status, 415);
    assert.equal(r.json.error.code, 'unsupported_media_type');
  });

  test('an alias bomb in a workflow is 400 invalid_workflow at its first alias', async () => {
    const bomb = aliasBomb(['name: bomb', 'trigger: {webhook: {path: bomb}}']);
    const r = await put('workflows/bomb', bomb.text);
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'invalid_workflow');
    const [problem] = r.json.error.problems;
    assert.equal(problem.line, bomb.firstAliasLine);
    assert.match(problem.message, /aliases .* expand to more than 100 copies/);
  });

  test('an alias bomb in a connection is 400 with its line', async () => {
    const bomb = aliasBomb(['name: bomb', 'type: none']);
    const r = await put('connections/bomb', bomb.text);
    assert.equal(r.status, 400);
    assert.equal(r.json.error.problems[0].line, bomb.firstAliasLine);
  });

  test('a document nested 5,000 deep is 400, every time, and the server keeps serving', async () => {
    const deep = `{"name":"deep","trigger":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    for (let i = 0; i < 3; i++) {
      const r = await put('workflows/deep', deep, 'application/json');
      assert.equal(r.status, 400);
      assert.match(r.json.error.problems[0].message, /nests deeper than 64 levels/);
      const c = await put('connections/deep', deep, 'application/json');
      assert.equal(c.status, 400);
    }
    assert.equal((await send(`${srv.url}/healthz`)).status, 200);
  });
});
