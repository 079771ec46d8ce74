/**
 * The web UI's files at `/` over real HTTP: served without the token, with a strict CSP,
 * hashed assets cached for good, and a clear page when the UI was not built.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';
import { builtUiDir } from './helpers/ui-build.js';

describe('web UI files', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer([], {
      uiDir: builtUiDir(),
      env: { HOOKFLOW_API_TOKEN: 'ui-files-token' },
    });
  });
  after(() => srv.close());

  test('/ serves the app without the token, under a strict Content-Security-Policy', async () => {
    const res = await fetch(`${srv.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.match(await res.text(), /<div id="root"><\/div>/);
  });

  test('hashed assets are cached for good', async () => {
    const html = await (await fetch(`${srv.url}/`)).text();
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, html);
    const res = await fetch(`${srv.url}/${script}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /javascript/);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  });

  test('a path that is no file is the JSON 404, and the API still needs the token', async () => {
    const missing = await fetch(`${srv.url}/nope.html`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as any).error.code, 'not_found');
    assert.equal((await fetch(`${srv.url}/api/workflows`)).status, 401);
  });
});

test('without a built UI, / says how to build it (503) and the API works', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'hookflow-no-ui-'));
  const srv = await startServer([], { uiDir: empty });
  try {
    const res = await fetch(`${srv.url}/`);
    assert.equal(res.status, 503);
    assert.match(await res.text(), /npm run build/);
    assert.equal((await fetch(`${srv.url}/api/workflows`)).status, 200);
  } finally {
    await srv.close();
    rmSync(empty, { recursive: true, force: true });
  }
});
