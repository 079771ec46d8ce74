/**
 * Error workflows over real HTTP, on each backend: a job that fails runs its workflow's
 * `on_failure` workflow (or HOOKFLOW_ON_FAILURE's) once, with the failed job's summary as
 * trigger data — here posted to a recording upstream by an ordinary http step — and an error
 * workflow that fails starts no chain.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from './helpers/backends.js';
import { sleep, startServer, startUpstream, until } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

function failing(name: string, onFailure: string | null, upstream: string): string {
  return `name: ${name}
trigger:
  webhook: {path: ${name}}
${onFailure ? `on_failure: ${onFailure}\n` : ''}steps:
  - id: charge
    http: {method: POST, url: "${upstream}/broken", retry: {attempts: 1}}
`;
}

function alert(name: string, upstream: string, path: string): string {
  return `name: ${name}
trigger:
  webhook: {path: ${name}}
steps:
  - id: notify
    http:
      method: POST
      url: "${upstream}${path}"
      body: "{{ trigger }}"
      retry: {attempts: 1}
`;
}

async function hook(srv: TestServer, path: string): Promise<string> {
  const res = await fetch(`${srv.url}/hooks/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(res.status, 202);
  return ((await res.json()) as { id: string }).id;
}

for (const backend of BACKENDS) {
  describe(`error workflows on ${backend.name}`, { skip: backend.skip }, () => {
    let srv: TestServer;
    let upstream: Awaited<ReturnType<typeof startUpstream>>;
    const alerts: Array<{ path: string; body: any }> = [];
    before(async () => {
      upstream = await startUpstream((req, body, res) => {
        if (req.url === '/broken') {
          res.writeHead(500).end('down');
          return;
        }
        alerts.push({ path: req.url ?? '', body: JSON.parse(body.toString()) });
        res.writeHead(req.url === '/alert-broken' ? 500 : 200).end('{}');
      });
      srv = await startServer(
        [
          failing('orders', 'alert', upstream.url),
          failing('plain', null, upstream.url),
          alert('alert', upstream.url, '/alert'),
          alert('alert-broken', upstream.url, '/alert-broken'),
          failing('loops', 'alert-broken', upstream.url),
        ],
        {
          backend: backend.name,
          env: { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1', HOOKFLOW_ON_FAILURE: 'alert' },
        },
      );
    });
    after(async () => {
      await srv.close();
      await upstream.close();
    });

    test("a failed job's error workflow posts its summary exactly once per failed job", async () => {
      const ids = await Promise.all([
        hook(srv, 'orders'),
        hook(srv, 'orders'),
        hook(srv, 'orders'),
      ]);
      for (const id of ids) assert.equal((await srv.finishedJob(id)).status, 'failed');
      await until(() => alerts.filter((a) => ids.includes(a.body.job)).length === 3);
      await sleep(300);
      const got = alerts.filter((a) => ids.includes(a.body.job));
      assert.equal(got.length, 3);
      assert.deepEqual(got.map((a) => a.body.job).sort(), [...ids].sort());
      const first = got.find((a) => a.body.job === ids[0])!;
      const failed = await srv.finishedJob(ids[0]!);
      assert.deepEqual(first.body, {
        workflow: 'orders',
        job: ids[0],
        version: failed.version,
        step: 'charge',
        error: failed.error,
        url: `${srv.url}/#/jobs/${ids[0]}`,
      });
      const errorJobs = (await srv.jobsOf('alert')).filter((j) => j.failureOf === ids[0]);
      assert.equal(errorJobs.length, 1);
    });

    test('HOOKFLOW_ON_FAILURE runs for workflows without on_failure', async () => {
      const id = await hook(srv, 'plain');
      await srv.finishedJob(id);
      await until(() => alerts.some((a) => a.body.job === id));
      assert.equal(alerts.find((a) => a.body.job === id)?.body.workflow, 'plain');
    });

    test('an error workflow that fails does not report its own failure', async () => {
      const id = await hook(srv, 'loops');
      await srv.finishedJob(id);
      await until(() => alerts.some((a) => a.body.job === id));
      const [errorJob] = (await srv.jobsOf('alert-broken')).filter((j) => j.failureOf === id);
      assert.equal((await srv.finishedJob(errorJob!.id)).status, 'failed');
      await sleep(500);
      const reports = alerts.filter((a) => a.body.job === errorJob!.id);
      assert.equal(reports.length, 0);
      assert.equal(
        (await srv.jobsOf('alert')).filter((j) => j.failureOf === errorJob!.id).length,
        0,
      );
      assert.equal((await srv.jobsOf('alert-broken')).length, 1);
    });
  });
}
