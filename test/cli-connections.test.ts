/**
 * The command line with connections: `hookflow validate` checks connection files and the
 * names steps use; `hookflow test` runs outbound requests with the SSRF guard, the
 * connections directory and HOOKFLOW_ALLOW_PRIVATE_NETWORKS as `serve` does.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startUpstream } from './helpers/server.js';

const CLI = fileURLToPath(new URL('../src/cli/run.ts', import.meta.url));

function hookflow(
  args: string[],
  env: Record<string, string> = {},
  cwd = process.cwd(),
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      {
        cwd,
        env: { ...process.env, HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '', ...env },
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, out: stdout + stderr });
      },
    );
  });
}

void describe('hookflow validate and test with connections', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-cli-'));
  const connections = join(dir, 'connections');
  const workflows = join(dir, 'workflows');
  let upstream: { url: string; close(): Promise<void> };

  before(async () => {
    upstream = await startUpstream((req, _body, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ key: req.headers['x-api-key'] ?? null }));
    });
    mkdirSync(connections);
    mkdirSync(workflows);
    writeFileSync(
      join(connections, 'svc.yaml'),
      `name: svc\ntype: header\nbase_url: ${upstream.url}\nheaders:\n  X-Api-Key: cli-key-1234\n`,
    );
    writeFileSync(
      join(workflows, 'call.yaml'),
      'name: call\ntrigger: {webhook: {path: call}}\nsteps:\n  - id: get\n    http: {connection: svc, url: /x}\n',
    );
    writeFileSync(join(dir, 'payload.json'), '{}');
  });
  after(async () => {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('validate checks connection files and the connection names steps use', async () => {
    const ok = await hookflow(['validate', '--connections', connections, workflows]);
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /ok: 1 workflow, 1 connection valid/);
    writeFileSync(
      join(workflows, 'typo.yaml'),
      'name: typo\ntrigger: {webhook: {path: typo}}\nsteps:\n  - http: {connection: svcc, url: /x}\n',
    );
    writeFileSync(join(connections, 'bad.yaml'), 'name: bad\ntype: basic\nuser: u\n');
    try {
      const bad = await hookflow(['validate', '--connections', connections, workflows]);
      assert.equal(bad.code, 1);
      assert.match(bad.out, /bad\.yaml:1: a basic connection needs 'password' \(missing\)/);
      assert.match(
        bad.out,
        /typo\.yaml:4: unknown connection 'svcc' in steps\[0\]\.http\.connection \(known: svc\)/,
      );
    } finally {
      rmSync(join(workflows, 'typo.yaml'));
      rmSync(join(connections, 'bad.yaml'));
    }
  });

  test('test refuses a loopback upstream unless HOOKFLOW_ALLOW_PRIVATE_NETWORKS allows it', async () => {
    const args = [
      'test',
      join(workflows, 'call.yaml'),
      '--payload',
      join(dir, 'payload.json'),
      '--connections',
      connections,
    ];
    const refused = await hookflow(args);
    assert.equal(refused.code, 1, refused.out);
    assert.match(refused.out, /is a loopback address/);
    const allowed = await hookflow(args, { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' });
    assert.equal(allowed.code, 0, allowed.out);
    assert.match(allowed.out, /job \S+ succeeded/);
    assert.match(allowed.out, /"key":"\[redacted\]"/);
    assert.ok(!allowed.out.includes('cli-key-1234'), allowed.out);
  });
});
