/**
 * `hookflow listen WORKFLOW` as a child process against a real server: it says where to send the
 * test event, prints the request that came, leaves no job, and `--use` makes it the example.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCli } from './helpers/cli.js';
import type { CliRun } from './helpers/cli.js';
import { startServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const FILE_WORKFLOW = `
name: signups
trigger:
  webhook: {path: signups}
steps:
  - id: greet
    set: {hi: "{{ trigger.body.user.name }}"}
`;
const PUSHED = `name: refunds
trigger:
  webhook:
    path: refunds # from the payment provider
`;

/** Runs `hookflow listen …` and sends `body` to the URL it prints once it is listening. */
function listenAndSend(srv: TestServer, args: string[], body: unknown): Promise<CliRun> {
  let sent = false;
  return runCli(['listen', ...args, '--url', srv.url], {
    onStderr(soFar) {
      const m = /send it to POST (\S+)/.exec(soFar);
      if (!m || sent) return;
      sent = true;
      void fetch(m[1]!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    },
  });
}

describe('hookflow listen', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer([FILE_WORKFLOW]);
    const put = await fetch(`${srv.url}/api/workflows/refunds`, {
      method: 'PUT',
      headers: { 'content-type': 'application/yaml' },
      body: PUSHED,
    });
    assert.equal(put.status, 201);
  });
  after(() => srv.close());

  test('prints the captured request and leaves no job', async () => {
    const r = await listenAndSend(srv, ['signups'], { user: { name: 'Ada' } });
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, new RegExp(`send it to POST ${srv.url}/hooks/signups\\n`));
    assert.match(r.out, /^POST \/hooks\/signups {2}received /);
    assert.match(r.out, /^ {2}content-type: application\/json$/m);
    assert.match(r.out, /^body:\n\{\n {2}"user": \{\n {4}"name": "Ada"/m);
    assert.equal((await srv.jobsOf('signups')).length, 0);
  });

  test("--use on a file's workflow prints its text with the example set, to paste", async () => {
    const r = await listenAndSend(srv, ['signups', '--use'], { user: { name: 'Grace' } });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /# inline-0\.yaml with the example set:\n/);
    assert.match(r.out, /webhook:\n {4}path: signups\n {4}example:\n {6}user:\n {8}name: Grace\n/);
    assert.match(r.err, /defined by the file inline-0\.yaml on the server: paste/);
  });

  test('--use on a pushed workflow saves it: the datatree has the fields', async () => {
    const r = await listenAndSend(srv, ['refunds', '--use'], { refund: { id: 'r_1', cents: 500 } });
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /saved: the body is the example of refunds/);
    const tree = (await (await fetch(`${srv.url}/api/workflows/refunds/datatree`)).json()) as {
      sources: Array<{ pills: Array<{ path: string }> }>;
    };
    const paths = tree.sources[0]!.pills.map((p) => p.path);
    assert.ok(paths.includes('trigger.body.refund.cents'), paths.join(', '));
    const stored = (await srv.app.store.listStoredWorkflows()).find((w) => w.name === 'refunds');
    assert.match(stored!.text, /path: refunds # from the payment provider\n/);
  });

  test('nothing within --timeout: exit 1, saying so', async () => {
    const r = await runCli(['listen', 'signups', '--timeout', '1', '--url', srv.url]);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /no request reached http:\S+\/hooks\/signups within 1 s \(capture expired\)/,
    );
  });

  test('an unknown workflow is exit 5; a bad --timeout exit 2', async () => {
    assert.equal((await runCli(['listen', 'nope', '--url', srv.url])).code, 5);
    const bad = await runCli(['listen', 'signups', '--timeout', '0', '--url', srv.url]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--timeout must be 1 to 600 seconds/);
  });
});
