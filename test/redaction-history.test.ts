/**
 * §5 redaction keeps history faithful, over real HTTP: a connection's credentials are redacted
 * where it put them and wherever they turn up, while values that cannot be secrets (`json`,
 * a tenant `acme`) are redacted only where the connection put them — or nowhere, when marked
 * `secret: false`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fire, grepDataDir } from './helpers/connections.js';
import { startServer, startUpstream } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const API_KEY = 'k_live_7f3a9c2e1b';

const workflow = (name: string, connection: string) => `
name: ${name}
trigger: {webhook: {path: ${name}}}
steps:
  - id: get
    http: {connection: ${connection}, url: /report}
`;

const connection = (name: string, format: string, base: string) => `
name: ${name}
type: custom
base_url: ${base}
allow_private: true
headers: {X-Tenant: acme}
query: {format: ${format}, api_key: "\${env:API_KEY}"}
`;

let srv: TestServer;
let upstream: { url: string; close(): Promise<void> };

before(async () => {
  upstream = await startUpstream((req, _body, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ tenant: req.headers['x-tenant'], echoed: req.url }));
  });
  srv = await startServer([workflow('marked', 'marked'), workflow('plain', 'plain')], {
    env: { API_KEY },
    connections: [
      connection('marked', '{value: json, secret: false}', upstream.url),
      connection('plain', 'json', upstream.url),
    ],
  });
});
after(async () => {
  await srv?.close();
  await upstream?.close();
});

describe('redaction keeps history faithful', () => {
  test('a parameter marked secret: false stays in the recorded URL; the API key does not', async () => {
    const job = await fire(srv, 'marked');
    assert.equal(job.status, 'succeeded', job.error ?? '');
    const input = job.steps[0]!.input as any;
    assert.equal(input.url, `${upstream.url}/report?format=json&api_key=[redacted]`);
  });

  test('a short value the connection sets is redacted where it is put, and nowhere else', async () => {
    const job = await fire(srv, 'plain');
    const { input, output } = job.steps[0] as any;
    assert.equal(input.url, `${upstream.url}/report?format=[redacted]&api_key=[redacted]`);
    assert.equal(input.headers['X-Tenant'], '[redacted]');
    assert.equal(output.headers['content-type'], 'application/json');
    assert.equal(output.body.tenant, 'acme');
  });

  test('a value that can be a secret is redacted wherever it turns up', async () => {
    const job = await fire(srv, 'plain');
    const { output } = job.steps[0] as any;
    assert.equal(output.body.echoed, '/report?format=json&api_key=[redacted]');
  });

  test('the API key is in no file of the data directory', async () => {
    await fire(srv, 'marked');
    assert.deepEqual(grepDataDir(srv.dataDir, [API_KEY]), []);
  });
});
