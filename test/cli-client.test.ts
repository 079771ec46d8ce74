/**
 * §1 CLI client commands against a real server on loopback: `apply`, `jobs`, `job`, `rerun`,
 * their tables and `--json`, and the exit codes scripts rely on.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { main } from '../src/cli/index.js';
import { startServer, startUpstream } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const GREET = `
name: greet
trigger:
  webhook: {path: greet}
steps:
  - id: hello
    set: {text: "{{ 'hi ' & trigger.body.name }}"}
`;
const FAILS = `
name: fails
trigger:
  webhook: {path: fails}
steps:
  - id: boom
    set: {x: "{{ $error('on purpose') }}"}
`;

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs `hookflow ARGS` in-process, with its output captured. */
async function hookflow(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    out: (t) => out.push(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => err.push(t.endsWith('\n') ? t : `${t}\n`),
    env,
  });
  return { code, out: out.join(''), err: err.join('') };
}

const tempDirs: string[] = [];
function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-apply-'));
  tempDirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}
after(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

async function fire(srv: TestServer, path: string, body: unknown = {}) {
  const res = await fetch(`${srv.url}/hooks/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return srv.finishedJob(((await res.json()) as any).id);
}

describe('hookflow apply', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer([]);
  });
  after(() => srv.close());

  test('creates the workflows of a directory, then updates them on a second apply', async () => {
    const dir = dirWith({
      'greet.yaml': GREET,
      'other.json': JSON.stringify({ name: 'other', trigger: { webhook: { path: 'other' } } }),
      'notes.txt': 'not a document',
    });
    const first = await hookflow(['apply', dir, '--url', srv.url]);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /^RESULT\s+KIND\s+NAME\s+FILE$/m);
    assert.match(first.out, /^created\s+workflow\s+greet\s+\S+greet\.yaml$/m);
    assert.match(first.out, /^created\s+workflow\s+other\s+\S+other\.json$/m);
    assert.doesNotMatch(first.out, /notes/);
    assert.match(first.err, /2 applied on http/);
    const job = await fire(srv, 'greet', { name: 'Ada' });
    assert.deepEqual(job.steps[0]?.output, { text: 'hi Ada' });

    const second = await hookflow(['apply', dir, '--url', srv.url]);
    assert.equal(second.code, 0);
    assert.match(second.out, /^updated\s+workflow\s+greet/m);
  });

  test('a rejected document is printed as file:line: message, the others still apply, exit 1', async () => {
    const dir = dirWith({
      'a-bad.yaml':
        'name: bad\ntrigger:\n  webhook: {path: bad}\nsteps:\n  - id: x\n    sett: {}\n',
      'b-good.yaml': GREET.replace(/greet/g, 'good'),
    });
    const r = await hookflow(['apply', dir, '--url', srv.url]);
    assert.equal(r.code, 1);
    assert.match(r.out, /^failed\s+workflow\s+bad\s/m);
    assert.match(r.out, /^created\s+workflow\s+good\s/m);
    assert.match(
      r.err,
      new RegExp(`^${join(dir, 'a-bad.yaml').replace(/[.\\/]/g, '\\$&')}:6: `, 'm'),
    );
    assert.match(r.err, /1 applied, 1 rejected/);
    assert.equal((await fetch(`${srv.url}/api/workflows/good`)).status, 200);
  });

  test('--json lists each document with its result and problems', async () => {
    const dir = dirWith({ 'bad.yaml': 'name: bad2\ntrigger:\n  webhook: {method: FETCH}\n' });
    const r = await hookflow(['apply', join(dir, 'bad.yaml'), '--url', srv.url, '--json']);
    assert.equal(r.code, 1);
    const { results } = JSON.parse(r.out);
    assert.equal(results.length, 1);
    assert.equal(results[0].result, 'failed');
    assert.equal(results[0].error.code, 'invalid_workflow');
    assert.deepEqual(
      results[0].error.problems.map((p: any) => [p.file, p.line]),
      [[join(dir, 'bad.yaml'), 3]],
    );
  });

  test('invalid YAML is reported at its line without asking the server', async () => {
    const dir = dirWith({ 'broken.yaml': 'name: x\ntrigger: [\n' });
    const r = await hookflow(['apply', dir, '--url', srv.url]);
    assert.equal(r.code, 1);
    assert.match(r.err, /broken\.yaml:\d+: invalid YAML/);
  });

  test('a document that is neither a workflow nor a connection is rejected', async () => {
    const dir = dirWith({ 'what.yaml': 'name: what\nsteps: []\n' });
    const r = await hookflow(['apply', dir, '--url', srv.url]);
    assert.equal(r.code, 1);
    assert.match(r.err, /neither a workflow .* nor a connection/);
  });

  test('a connection goes to PUT /api/connections/NAME, before the workflows that use it', async () => {
    const dir = dirWith({
      'a-uses.yaml': [
        'name: uses-crm',
        'trigger: {webhook: {path: uses-crm}}',
        'steps:',
        '  - id: call',
        '    http: {connection: crm, url: /ping}',
        '',
      ].join('\n'),
      'crm.yaml': 'name: crm\ntype: none\nbase_url: http://127.0.0.1:9\n',
    });
    const r = await hookflow(['apply', dir, '--url', srv.url]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^created\s+connection\s+crm\s/m);
    assert.match(r.out, /^created\s+workflow\s+uses-crm\s/m);
    const got = await fetch(`${srv.url}/api/connections/crm`);
    assert.equal(got.status, 200);
    assert.equal(((await got.json()) as { type: string }).type, 'none');
  });

  test('a bad connection is reported at its file and line', async () => {
    const dir = dirWith({ 'crm2.yaml': 'name: crm2\ntype: none\nbase_url: /relative\n' });
    const r = await hookflow(['apply', dir, '--url', srv.url]);
    assert.equal(r.code, 1);
    assert.match(r.out, /^failed\s+connection\s+crm2\s/m);
    assert.match(r.err, new RegExp(`crm2\\.yaml:3: `));
  });

  test('a workflow defined by a file on the server is refused (conflict), exit 1', async () => {
    const fileSrv = await startServer([GREET]);
    try {
      const r = await hookflow(['apply', dirWith({ 'g.yaml': GREET }), '--url', fileSrv.url]);
      assert.equal(r.code, 1);
      assert.match(r.err, /409 conflict: workflow 'greet' is defined by the file/);
    } finally {
      await fileSrv.close();
    }
  });

  test('apply with no FILE is a usage error (exit 2)', async () => {
    const r = await hookflow(['apply', '--url', srv.url]);
    assert.equal(r.code, 2);
    assert.match(r.err, /apply needs a FILE or DIR/);
  });
});

describe('hookflow apply, as the server sees it', () => {
  test('sends connections before workflows, as the text of each file with its content type', async () => {
    const seen: Array<{ method: string; url: string; type: string; body: string }> = [];
    const fake = await startUpstream((req, body, res) => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        type: req.headers['content-type'] ?? '',
        body: body.toString(),
      });
      res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
    });
    try {
      const connection = 'name: crm\ntype: header\nheaders: {X-Api-Key: "${env:CRM_KEY}"}\n';
      const dir = dirWith({ 'a-flow.yaml': GREET, 'z-crm.yml': connection });
      const r = await hookflow(['apply', dir, '--url', fake.url]);
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(
        seen.map((s) => `${s.method} ${s.url} ${s.type}`),
        ['PUT /api/connections/crm application/yaml', 'PUT /api/workflows/greet application/yaml'],
      );
      assert.equal(seen[0]?.body, connection, 'sent as written, ${env:} left for the server');
    } finally {
      await fake.close();
    }
  });
});

describe('hookflow jobs, job, rerun', () => {
  let srv: TestServer;
  let greetIds: string[];
  let failedId: string;
  before(async () => {
    srv = await startServer([GREET, FAILS]);
    greetIds = [];
    for (const name of ['Ada', 'Grace', 'Alan'])
      greetIds.push((await fire(srv, 'greet', { name })).id);
    failedId = (await fire(srv, 'fails')).id;
  });
  after(() => srv.close());

  test('jobs prints a table, newest first', async () => {
    const r = await hookflow(['jobs', '--url', srv.url]);
    assert.equal(r.code, 0);
    const lines = r.out.trim().split('\n');
    assert.match(lines[0]!, /^ID\s+WORKFLOW\s+STATUS\s+CREATED\s+DURATION$/);
    assert.match(
      lines[1]!,
      new RegExp(
        `^${failedId}\\s+fails\\s+failed\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ\\s+\\d+ ms$`,
      ),
    );
    assert.equal(lines.length, 5);
  });

  test('jobs --workflow and --status filter; --limit says how to get the next page', async () => {
    const byWorkflow = await hookflow(['jobs', '--workflow', 'greet', '--url', srv.url]);
    assert.equal(byWorkflow.out.trim().split('\n').length, 4);
    const failed = await hookflow(['jobs', '--status', 'failed', '--url', srv.url]);
    assert.match(failed.out, new RegExp(failedId));
    assert.doesNotMatch(failed.out, /greet/);
    const limited = await hookflow([
      'jobs',
      '--workflow',
      'greet',
      '--limit',
      '2',
      '--url',
      srv.url,
    ]);
    assert.equal(limited.out.trim().split('\n').length, 3);
    const more = /^more: hookflow jobs (.*)$/m.exec(limited.err);
    assert.ok(more, limited.err);
    const next = await hookflow(['jobs', ...more[1]!.split(' '), '--url', srv.url]);
    assert.match(next.out, new RegExp(greetIds[0]!));
    assert.equal(next.out.trim().split('\n').length, 2);
  });

  test('jobs --match finds a job by a value in its trigger data; bad syntax exits 6', async () => {
    const r = await hookflow([
      'jobs',
      '--workflow',
      'greet',
      '--match',
      'body.name:Grace',
      '--url',
      srv.url,
    ]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(
      r.out
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(' ')[0]),
      [greetIds[1]],
    );
    const both = await hookflow([
      'jobs',
      '--workflow',
      'greet',
      '--match',
      'body.name:Grace',
      '--match',
      'body.name:Ada',
      '--url',
      srv.url,
    ]);
    assert.equal(both.out.trim(), 'no jobs');
    const bad = await hookflow([
      'jobs',
      '--workflow',
      'greet',
      '--match',
      'body.name',
      '--url',
      srv.url,
    ]);
    assert.equal(bad.code, 6);
    assert.match(bad.err, /400 invalid_match: match 'body.name': no ":"/);
  });

  test('jobs --json prints the API answer', async () => {
    const r = await hookflow(['jobs', '--workflow', 'greet', '--json', '--url', srv.url]);
    const page = JSON.parse(r.out);
    assert.deepEqual(
      page.jobs.map((j: any) => j.id),
      [...greetIds].reverse(),
    );
    assert.equal(page.next_cursor, null);
  });

  test('jobs with a bad filter prints the server’s message and exits 6', async () => {
    const r = await hookflow(['jobs', '--status', 'done', '--url', srv.url]);
    assert.equal(r.code, 6);
    assert.match(r.err, /400 invalid_request: status must be one of/);
  });

  test('job ID prints the trigger and each step’s input and output', async () => {
    const r = await hookflow(['job', greetIds[0]!, '--url', srv.url]);
    assert.equal(r.code, 0);
    assert.match(r.out, new RegExp(`^job ${greetIds[0]}  greet  succeeded  attempt 1`, 'm'));
    assert.match(r.out, /^trigger  POST \/hooks\/greet$/m);
    assert.match(r.out, /^ {2}body: \{"name":"Ada"\}$/m);
    assert.match(r.out, /^step hello \(set\) succeeded, 1 attempt, \d+ ms$/m);
    assert.match(r.out, /^ {2}output: \{"text":"hi Ada"\}$/m);
  });

  test('job ID of a failed job shows the error', async () => {
    const r = await hookflow(['job', failedId, '--url', srv.url]);
    assert.equal(r.code, 0);
    assert.match(r.out, /^ {2}error: {2}step 'boom' failed: .*on purpose/m);
  });

  test('job --json is the API answer; an unknown ID exits 5', async () => {
    const r = await hookflow(['job', greetIds[1]!, '--json', '--url', srv.url]);
    const job = JSON.parse(r.out);
    assert.equal(job.id, greetIds[1]);
    assert.deepEqual(job.steps[0].output, { text: 'hi Grace' });
    const missing = await hookflow(['job', '01ZZZZZZZZZZZZZZZZZZZZZZZZ', '--url', srv.url]);
    assert.equal(missing.code, 5);
    assert.match(missing.err, /404 not_found: no job with id/);
  });

  test('rerun ID queues a new job from the same trigger data', async () => {
    const r = await hookflow(['rerun', greetIds[2]!, '--url', srv.url]);
    assert.equal(r.code, 0);
    const m = /^job (\S+) queued \(rerun of (\S+)\)$/m.exec(r.out);
    assert.ok(m, r.out);
    assert.equal(m[2], greetIds[2]);
    const rerun = await srv.finishedJob(m[1]!);
    assert.equal(rerun.rerunOf, greetIds[2]);
    assert.deepEqual(rerun.steps[0]?.output, { text: 'hi Alan' });
  });

  test('rerun --wait prints the finished job and exits by its status', async () => {
    const ok = await hookflow(['rerun', greetIds[0]!, '--wait', '--url', srv.url]);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /greet {2}succeeded/);
    assert.match(ok.out, new RegExp(`^rerun of ${greetIds[0]}$`, 'm'));
    const failed = await hookflow(['rerun', failedId, '--wait', '--url', srv.url]);
    assert.equal(failed.code, 1);
    assert.match(failed.out, /fails {2}failed/);
  });

  test('rerun of an unknown job exits 5', async () => {
    const r = await hookflow(['rerun', 'nope', '--url', srv.url]);
    assert.equal(r.code, 5);
  });
});

describe('client commands: connection, token, usage', () => {
  test('a server that cannot be reached exits 3 and says where it looked', async () => {
    const closed = await startUpstream(() => {});
    const url = closed.url;
    await closed.close();
    const r = await hookflow(['jobs', '--url', url]);
    assert.equal(r.code, 3);
    assert.match(r.err, new RegExp(`cannot reach Hookflow at ${url}`));
  });

  test('the token comes from HOOKFLOW_API_TOKEN; a missing or wrong one exits 4', async () => {
    const srv = await startServer([GREET], { env: { HOOKFLOW_API_TOKEN: 'cli-token' } });
    try {
      const none = await hookflow(['jobs', '--url', srv.url]);
      assert.equal(none.code, 4);
      assert.match(none.err, /401 unauthorized: .*HOOKFLOW_API_TOKEN/);
      const wrong = await hookflow(['jobs', '--url', srv.url], { HOOKFLOW_API_TOKEN: 'nope' });
      assert.equal(wrong.code, 4);
      const apply = await hookflow([
        'apply',
        dirWith({ 'g.yaml': GREET.replace(/greet/g, 'g2') }),
        '--url',
        srv.url,
      ]);
      assert.equal(apply.code, 4, 'apply stops at a refused token');
      const ok = await hookflow(['jobs', '--url', srv.url], { HOOKFLOW_API_TOKEN: 'cli-token' });
      assert.equal(ok.code, 0);
      assert.equal(ok.out.trim(), 'no jobs');
    } finally {
      await srv.close();
    }
  });

  test('HOOKFLOW_URL is used when --url is not given', async () => {
    const srv = await startServer([]);
    try {
      const r = await hookflow(['jobs'], { HOOKFLOW_URL: srv.url });
      assert.equal(r.code, 0);
      assert.equal(r.out.trim(), 'no jobs');
    } finally {
      await srv.close();
    }
  });

  test('a bad --url, an unknown option or a missing ID is a usage error (exit 2)', async () => {
    assert.equal((await hookflow(['jobs', '--url', 'nope'])).code, 2);
    assert.equal((await hookflow(['jobs', '--url', 'ftp://127.0.0.1'])).code, 2);
    assert.equal((await hookflow(['jobs', '--colour'])).code, 2);
    assert.equal((await hookflow(['job'])).code, 2);
    assert.equal((await hookflow(['rerun', 'a', 'b'])).code, 2);
  });

  test('the hookflow process exits with the code and prints to its streams', async () => {
    const srv = await startServer([GREET]);
    try {
      const cli = fileURLToPath(new URL('../src/cli/run.ts', import.meta.url));
      const run = (args: string[]) =>
        new Promise<Run>((resolve) => {
          const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
            env: { PATH: process.env.PATH ?? '' },
          });
          let out = '';
          let err = '';
          child.stdout.on('data', (c: Buffer) => (out += c.toString()));
          child.stderr.on('data', (c: Buffer) => (err += c.toString()));
          child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
        });
      const missing = await run(['job', 'nope', '--url', srv.url]);
      assert.equal(missing.code, 5);
      assert.equal(missing.out, '');
      assert.match(missing.err, /^hookflow: 404 not_found: no job with id 'nope'\n$/);
    } finally {
      await srv.close();
    }
  });
});
