/**
 * Exact bytes through workflows, over real HTTP: a PNG an upstream serves is downloaded through
 * a reply byte for byte, with its content type (from the binary step output, or from base64
 * with `body_encoding: base64`); an http step posts bytes unchanged; history keeps the bytes
 * once (the job's reply) and records elsewhere their size, type and hash.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { startServer, startUpstream } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

/** A valid 2×1 RGBA PNG whose pixel bytes are ≥ 0x80 (not valid UTF-8 on their own). */
function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0); // width
  header.writeUInt32BE(1, 4); // height
  header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA
  const row = Buffer.from([0, 0x89, 0xc3, 0xff, 0xfe, 0x80, 0x9f, 0xe2, 0xff]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(row)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const PNG = png();
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const workflows = (upstream: string) => [
  `
name: download
trigger:
  webhook: {path: files/logo, method: GET, delivery: request_response, dedupe: "{{ query.key }}"}
steps:
  - id: file
    http: {url: "${upstream}/logo.png"}
  - reply: {body: "{{ steps.file.body }}"}
`,
  `
name: download-base64
trigger:
  webhook: {path: files/logo64, method: GET, delivery: request_response}
steps:
  - id: file
    http: {url: "${upstream}/logo.png", response: binary}
  - reply:
      headers: {content-type: image/png, content-disposition: attachment}
      body: "{{ steps.file.body.base64 }}"
      body_encoding: base64
`,
  `
name: upload
trigger:
  webhook: {path: files/upload}
steps:
  - id: file
    http: {url: "${upstream}/logo.png"}
  - id: send
    http: {method: PUT, url: "${upstream}/store", body: "{{ steps.file.body }}"}
`,
  `
name: upload-base64
trigger:
  webhook: {path: files/upload64}
steps:
  - id: send
    http:
      method: POST
      url: "${upstream}/store"
      headers: {content-type: image/png}
      body: "{{ trigger.body.data }}"
      body_encoding: base64
`,
];

let srv: TestServer;
let upstream: { url: string; close(): Promise<void> };
let received: { type: string | undefined; bytes: Buffer }[] = [];

before(async () => {
  upstream = await startUpstream((req, body, res) => {
    if (req.url === '/logo.png') {
      res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
      return;
    }
    received.push({ type: req.headers['content-type'], bytes: body });
    res.writeHead(201).end();
  });
  srv = await startServer(workflows(upstream.url), {
    env: { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' },
  });
});
after(async () => {
  await srv?.close();
  await upstream?.close();
});

const bytesOf = async (res: Response) => Buffer.from(await res.arrayBuffer());

describe('replies with exact bytes', () => {
  test('a reply with a binary step output sends its bytes with their content type', async () => {
    const res = await fetch(`${srv.url}/hooks/files/logo?key=a`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.ok((await bytesOf(res)).equals(PNG));
  });

  test('the job keeps the bytes once: base64 in its reply, a summary in the reply step', async () => {
    await fetch(`${srv.url}/hooks/files/logo?key=b`);
    const [job] = await srv.jobsOf('download');
    await srv.finishedJob(job!.id);
    const done = (await (await fetch(`${srv.url}/api/jobs/${job!.id}`)).json()) as any;
    assert.equal(done.reply.bodyEncoding, 'base64');
    assert.ok(Buffer.from(done.reply.body as string, 'base64').equals(PNG));
    const replyStep = done.steps.find((s: any) => s.type === 'reply');
    assert.deepEqual((replyStep.output as any).body, {
      contentType: 'image/png',
      size: PNG.length,
      sha256: sha256(PNG),
    });
  });

  test('a duplicate is answered with the same bytes', async () => {
    const first = await fetch(`${srv.url}/hooks/files/logo?key=dup`);
    assert.ok((await bytesOf(first)).equals(PNG));
    const again = await fetch(`${srv.url}/hooks/files/logo?key=dup`);
    assert.equal(again.headers.get('content-type'), 'image/png');
    assert.ok((await bytesOf(again)).equals(PNG));
  });

  test('body_encoding: base64 sends the bytes base64 text encodes, with the headers given', async () => {
    const res = await fetch(`${srv.url}/hooks/files/logo64`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.equal(res.headers.get('content-disposition'), 'attachment');
    assert.ok((await bytesOf(res)).equals(PNG));
  });
});

describe('http steps that send exact bytes', () => {
  test('a body that is a binary step output is sent byte for byte, with its content type', async () => {
    received = [];
    const res = await fetch(`${srv.url}/hooks/files/upload`, { method: 'POST' });
    const job = await srv.finishedJob(((await res.json()) as { id: string }).id);
    assert.equal(job.status, 'succeeded', job.error ?? '');
    assert.equal(received.length, 1);
    assert.equal(received[0]!.type, 'image/png');
    assert.ok(received[0]!.bytes.equals(PNG));
    const send = job.steps.find((s) => s.id === 'send')!;
    assert.deepEqual((send.input as any).body, {
      contentType: 'image/png',
      size: PNG.length,
      sha256: sha256(PNG),
    });
  });

  test('body_encoding: base64 sends the bytes of base64 text', async () => {
    received = [];
    const res = await fetch(`${srv.url}/hooks/files/upload64`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: PNG.toString('base64') }),
    });
    const job = await srv.finishedJob(((await res.json()) as { id: string }).id);
    assert.equal(job.status, 'succeeded', job.error ?? '');
    assert.equal(received[0]!.type, 'image/png');
    assert.ok(received[0]!.bytes.equals(PNG));
  });

  test('body_encoding: base64 with text that is not base64 fails the step: invalid_request', async () => {
    received = [];
    const res = await fetch(`${srv.url}/hooks/files/upload64`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: 'not base64!' }),
    });
    const job = await srv.finishedJob(((await res.json()) as { id: string }).id);
    assert.equal(job.status, 'failed');
    assert.match(job.error ?? '', /not base64/);
    assert.equal(received.length, 0);
  });
});
