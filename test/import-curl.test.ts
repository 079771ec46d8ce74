/**
 * `hookflow import curl` as a user runs it (a child process), and the step it prints run by a
 * real server against a recording upstream on loopback: the same request as the cURL command
 * (method, path, query, headers, body), with the proposed connection supplying the credentials.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { runCli } from './helpers/cli.js';
import { startServer, startUpstream } from './helpers/server.js';

interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const USER = 'bot@acme.io';
const PASSWORD = 's3cret pass';
const command = (base: string) =>
  `curl -u '${USER}:${PASSWORD}' '${base}/v2/orders?status=open&limit=5' \\
  -X POST \\
  -H 'X-Tenant: acme' -H 'Content-Type: application/json' \\
  --data-raw '{"order": {"id": 42, "items": ["a", "b"]}, "note": "it'\\''s"}'`;

describe('hookflow import curl', () => {
  const recorded: Recorded[] = [];
  let upstream: { url: string; close(): Promise<void> };
  before(async () => {
    upstream = await startUpstream((req, body, res) => {
      recorded.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: body.toString(),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  after(() => upstream.close());

  /** Imports the command, runs the step in a workflow on a real server, returns what was sent. */
  async function sendThroughStep(): Promise<Recorded> {
    const r = await runCli([
      'import',
      'curl',
      command(upstream.url),
      '--connection',
      'shop',
      '--json',
    ]);
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out);
    const srv = await startServer(
      [
        `name: call-shop\ntrigger: {webhook: {path: call-shop}}\nsteps:\n${out.stepYaml.replace(/^/gm, '  ')}`,
      ],
      {
        connections: [out.connection.yaml],
        env: { SHOP_USER: USER, SHOP_PASSWORD: PASSWORD, HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' },
      },
    );
    try {
      const res = await fetch(`${srv.url}/hooks/call-shop`, { method: 'POST' });
      const job = await srv.finishedJob(((await res.json()) as { id: string }).id);
      assert.equal(job.status, 'succeeded', job.error ?? '');
      return recorded.at(-1)!;
    } finally {
      await srv.close();
    }
  }

  test('prints the step and a basic connection reading variables; the secret is printed nowhere', async () => {
    const r = await runCli(['import', 'curl', command('https://api.acme.io')]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^name: acme\ntype: basic\nbase_url: https:\/\/api\.acme\.io\n/m);
    assert.match(r.out, /user: \$\{env:ACME_USER\}\npassword: \$\{env:ACME_PASSWORD\}/);
    assert.match(r.out, /^- id: request\n {2}http:\n {4}connection: acme\n {4}method: POST\n/m);
    assert.match(r.err, /^ {2}ACME_USER +the user name of -u$/m);
    assert.match(r.err, /^ {2}ACME_PASSWORD +the password of -u$/m);
    assert.ok(!(r.out + r.err).includes(PASSWORD), 'the password is not printed');
  });

  test('the step sends the request the command describes, credentials from the connection', async () => {
    const sent = await sendThroughStep();
    assert.equal(sent.method, 'POST');
    assert.equal(sent.url, '/v2/orders?status=open&limit=5');
    assert.equal(
      sent.headers.authorization,
      `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`,
    );
    assert.equal(sent.headers['x-tenant'], 'acme');
    assert.equal(sent.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(sent.body), {
      order: { id: 42, items: ['a', 'b'] },
      note: "it's",
    });
  });

  const curl = existsSync('/usr/bin/curl') && existsSync('/bin/sh');
  test(
    'what the step sends is what curl itself sends for the command',
    { skip: curl ? false : 'curl or /bin/sh is not installed' },
    async () => {
      // Asynchronously: the recording upstream answers from this process.
      await promisify(execFile)('/bin/sh', ['-c', `${command(upstream.url)} -s -o /dev/null`]);
      const byCurl = recorded.at(-1)!;
      const byStep = await sendThroughStep();
      for (const key of ['method', 'url'] as const) assert.equal(byStep[key], byCurl[key]);
      for (const h of ['authorization', 'x-tenant', 'content-type'])
        assert.equal(byStep.headers[h], byCurl.headers[h], h);
      assert.deepEqual(JSON.parse(byStep.body), JSON.parse(byCurl.body));
    },
  );

  test('a command that is not curl is a usage error (exit 2), said in one line', async () => {
    const r = await runCli(['import', 'curl', 'wget https://x.io']);
    assert.equal(r.code, 2);
    assert.match(r.err, /^hookflow: expected a command starting with curl, got 'wget'/);
  });

  test('the command may come on standard input (-) or as words after --', async () => {
    const piped = await runCli(['import', 'curl', '-'], {
      input: `curl https://api.acme.io/v1/ping -H 'Accept: text/plain'\n`,
    });
    assert.equal(piped.code, 0, piped.err);
    assert.match(piped.out, /url: https:\/\/api\.acme\.io\/v1\/ping/);
    const words = await runCli([
      'import',
      'curl',
      '--',
      'curl',
      '-X',
      'DELETE',
      'https://x.io/a b',
    ]);
    assert.equal(words.code, 0, words.err);
    assert.match(words.out, /method: DELETE\n {4}url: https:\/\/x\.io\/a%20b/);
  });
});
