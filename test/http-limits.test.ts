/**
 * Socket limits (SPEC §9 Limits) over real sockets: header, request and keep-alive timeouts
 * close what a sender leaves hanging, a slow sender within them is served, and a cap on
 * concurrent connections refuses the extra ones while the others are served; a body refused
 * before it was read closes its connection, so the sender's next request cannot hang behind it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { loadConfig } from '../src/config/index.js';
import { sleep, startServer, startUpstream, until } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const WORKFLOWS = (upstream: string) => [
  `name: ingest
trigger:
  webhook: {path: ingest}
steps:
  - set: {ok: true}
`,
  `name: slow-reply
trigger:
  webhook: {path: slow-reply, delivery: request_response, timeout: 10s}
steps:
  - id: call
    http: {url: "${upstream}/slow", response: json}
  - reply: {body: {upstream: "{{ steps.call.body.ok }}"}}
`,
];

interface Conn {
  socket: Socket;
  /** What the server has written so far. */
  received(): string;
  /** Resolves when the server closes the connection: what it wrote, and when. */
  closed: Promise<{ text: string; ms: number }>;
}

async function open(url: string): Promise<Conn> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const start = Date.now();
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString()));
  socket.on('error', () => {});
  const closed = new Promise<{ text: string; ms: number }>((resolve) =>
    socket.on('close', () => resolve({ text, ms: Date.now() - start })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => text, closed };
}

/** Sends a request on the connection and waits for the status line of its answer. */
async function ask(conn: Conn, request: string): Promise<string> {
  conn.socket.write(request);
  await until(() => /\r\n\r\n/.test(conn.received()), 3000);
  return conn.received();
}

function post(path: string, body: string, length = Buffer.byteLength(body)): string {
  return `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n${body}`;
}

describe('socket timeouts', () => {
  let srv: TestServer;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  before(async () => {
    // Slower than the request timeout: the wait for a reply must not count against it.
    upstream = await startUpstream((_req, _body, res) => {
      setTimeout(() => res.end('{"ok":true}'), 1200);
    });
    srv = await startServer(WORKFLOWS(upstream.url), {
      env: {
        HOOKFLOW_HEADERS_TIMEOUT: '300ms',
        HOOKFLOW_REQUEST_TIMEOUT: '600ms',
        HOOKFLOW_KEEP_ALIVE_TIMEOUT: '400ms',
        HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1',
      },
    });
  });
  after(async () => {
    await srv.close();
    await upstream.close();
  });

  test('a connection that sends nothing is closed within the headers timeout', async () => {
    const { closed } = await open(srv.url);
    const { ms } = await closed;
    assert.ok(ms >= 250 && ms < 4000, `closed after ${ms} ms`);
  });

  test('a body that stalls is answered 408 request_timeout and closed; nothing is stored', async () => {
    const { socket, closed } = await open(srv.url);
    socket.write(post('/hooks/ingest', '{"a":', 20));
    const { text, ms } = await closed;
    assert.ok(ms >= 550 && ms < 4000, `closed after ${ms} ms`);
    assert.match(text, /^HTTP\/1\.1 408 /);
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as {
      error: { code: string; message: string };
    };
    assert.equal(body.error.code, 'request_timeout');
    assert.deepEqual(await srv.jobsOf('ingest'), []);
  });

  test('a slow sender whose request arrives within the timeouts is served', async () => {
    const conn = await open(srv.url);
    const { socket } = conn;
    const body = '{"a": 1, "b": 2}';
    socket.write(post('/hooks/ingest', '', Buffer.byteLength(body)));
    for (const ch of body.match(/.{1,4}/g)!) {
      await sleep(60);
      socket.write(ch);
    }
    await until(() => /\r\n\r\n/.test(conn.received()), 3000);
    assert.match(conn.received(), /^HTTP\/1\.1 202 /);
    socket.destroy();
  });

  test('a request_response reply slower than the request timeout still reaches the caller', async () => {
    const res = await fetch(`${srv.url}/hooks/slow-reply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { upstream: true });
  });

  test('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
    const { socket, closed } = await open(srv.url);
    socket.write(post('/hooks/ingest', '{}'));
    const answeredAt = Date.now();
    const { text } = await closed;
    assert.match(text, /^HTTP\/1\.1 202 /);
    const idle = Date.now() - answeredAt;
    assert.ok(idle >= 300 && idle < 4000, `closed ${idle} ms after the answer`);
  });
});

describe('connection cap', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer(WORKFLOWS('http://127.0.0.1:1'), {
      env: { HOOKFLOW_MAX_CONNECTIONS: '3' },
    });
  });
  after(() => srv.close());

  test('connections past the cap are closed at once while the others are served', async () => {
    const held = await Promise.all([open(srv.url), open(srv.url), open(srv.url)]);
    await sleep(50);
    const extra = await open(srv.url);
    const refused = await Promise.race([extra.closed, sleep(1000).then(() => null)]);
    assert.ok(refused, 'the fourth connection is closed');
    assert.equal(refused.text, '', 'it is not answered');
    // Each held connection is still served.
    for (const conn of held) {
      assert.match(await ask(conn, post('/hooks/ingest', '{}')), /^HTTP\/1\.1 202 /);
      conn.socket.destroy();
    }
  });
});

describe('refused bodies on keep-alive connections', () => {
  let srv: TestServer;
  before(async () => {
    // The default keep-alive timeout (72 s): a paused connection would outlast each test.
    srv = await startServer(WORKFLOWS('http://127.0.0.1:1'));
  });
  after(() => srv.close());

  test('a body refused before it was read gets its JSON answer and Connection: close, then the connection closes', async () => {
    // Decoding starts while the body is read; the Content-Type is then refused (415). The
    // body is larger than the decoder's buffers, so part of it is still on the wire.
    const body = gzipSync(randomBytes(300_000));
    const { socket, closed } = await open(srv.url);
    socket.write(
      `POST /hooks/ingest HTTP/1.1\r\nHost: x\r\nContent-Type: ;;;/\r\n` +
        `Content-Encoding: gzip\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    socket.write(body);
    const done = await Promise.race([closed, sleep(3000).then(() => null)]);
    socket.destroy();
    assert.ok(done, 'the connection is closed, not left paused until the keep-alive timeout');
    assert.match(done.text, /^HTTP\/1\.1 415 /);
    assert.match(done.text, /\r\nconnection: close\r\n/i);
    const answer = JSON.parse(done.text.slice(done.text.indexOf('\r\n\r\n') + 4)) as {
      error: { code: string };
    };
    assert.equal(answer.error.code, 'unsupported_media_type');
  });

  test('a body refused after it was read in full keeps the connection for the next request', async () => {
    const conn = await open(srv.url);
    assert.match(await ask(conn, post('/hooks/ingest', '{"a":')), /^HTTP\/1\.1 400 /);
    assert.doesNotMatch(conn.received(), /connection: close/i);
    await until(() => /\}$/.test(conn.received()), 3000);
    const before = conn.received().length;
    conn.socket.write(post('/hooks/ingest', '{}'));
    await until(() => /HTTP\/1\.1 202 /.test(conn.received().slice(before)), 3000);
    conn.socket.destroy();
  });
});

describe('socket settings', () => {
  test('a bad setting is one line naming it', () => {
    assert.throws(
      () => loadConfig({}, { HOOKFLOW_REQUEST_TIMEOUT: 'soon' }),
      /^ConfigError: invalid configuration: HOOKFLOW_REQUEST_TIMEOUT: expected a duration like/,
    );
    assert.throws(
      () => loadConfig({}, { HOOKFLOW_HEADERS_TIMEOUT: '2m', HOOKFLOW_REQUEST_TIMEOUT: '1m' }),
      /HOOKFLOW_HEADERS_TIMEOUT: must not be longer than HOOKFLOW_REQUEST_TIMEOUT/,
    );
  });
});
