/**
 * Fuzzing the body decoders over real HTTP: generated bodies (nesting up to thousands of levels,
 * sizes around the body limit, gzip/deflate/br/garbage encodings, right, wrong and malformed
 * content types) are posted to webhooks of every format for a bounded time. Every answer must
 * be a 2xx or a JSON 4xx `{"error":{"code","message"}}` — never a 5xx nor a dropped connection —
 * and the server must answer /healthz afterwards.
 *
 * The seed is printed; run again with HOOKFLOW_FUZZ_SEED=<seed> to replay the same bodies.
 */
import assert from 'node:assert/strict';
import { brotliCompressSync, constants, deflateSync, gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { startServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const SEED = Number(process.env.HOOKFLOW_FUZZ_SEED ?? Date.now() % 2 ** 31);
const DURATION_MS = 4000;
const MAX_REQUESTS = 600;
const CONCURRENCY = 8;
const MAX_BODY = 64 * 1024;
const FORMATS = ['auto', 'json', 'xml', 'form', 'text', 'raw'] as const;
// Brotli's default quality takes milliseconds per body: the fuzzer wants many bodies.
const BROTLI_FAST = { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } };

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** What was generated, to name a failing case. */
  label: string;
}

function generator(random: () => number) {
  const int = (max: number): number => Math.floor(random() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  /** Mostly shallow, sometimes around the limit, sometimes thousands of levels. */
  const depth = (): number => pick([1, 3, 10, 99, 100, 101, 500, 1000, 3000, 5000, int(6000)]);
  const word = (): string =>
    pick(['a', 'id', 'ü', '名前', '__proto__', 'x y', '"q"', '<', '&amp;', '[b]']);
  const scalar = (): string => pick(['1', '-2.5e3', 'true', 'null', '"s"', '"\\u0000\\"]}"', '""']);

  function json(): string {
    const d = depth();
    const open: string[] = [];
    let out = '';
    for (let i = 0; i < d; i++) {
      const kind = random() < 0.5 ? '[' : '{';
      out += kind === '[' ? '[' : `{"${word()}":`;
      open.push(kind === '[' ? ']' : '}');
      if (random() < 0.1) out += kind === '[' ? `${scalar()},` : `${scalar()},"k${i}":`;
    }
    out += scalar();
    out += open.reverse().join('');
    return random() < 0.15 ? out.slice(0, int(out.length)) : out;
  }

  function xml(): string {
    const d = depth();
    let out = random() < 0.2 ? '<?xml version="1.0"?>' : '';
    for (let i = 0; i < d; i++) out += random() < 0.2 ? `<e a="${word()}">` : '<e>';
    out += pick(['text', '&amp;', '<![CDATA[<x>]]>', '&#0;', '<!DOCTYPE x>', '']);
    out += '</e>'.repeat(random() < 0.9 ? d : int(d));
    return out;
  }

  function form(): string {
    const pairs = Array.from({ length: 1 + int(50) }, () => {
      const nested = word() + '[x]'.repeat(int(depth()));
      return `${encodeURIComponent(nested)}=${pick(['1', '%zz', '+', '', '%E2%82'])}`;
    });
    return pairs.join('&');
  }

  function multipart(boundary: string): string {
    const parts = Array.from({ length: int(20) }, (_, i) =>
      random() < 0.5
        ? `--${boundary}\r\nContent-Disposition: form-data; name="f${i}${'[a]'.repeat(int(100))}"\r\n\r\n${json().slice(0, 200)}\r\n`
        : `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n${'\u0000\u00ff'.repeat(int(100))}\r\n`,
    );
    const end = random() < 0.8 ? `--${boundary}--\r\n` : '';
    return parts.join('') + end;
  }

  function bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = int(256);
    return out;
  }

  function encode(body: Buffer): { body: Buffer; coding?: string; label: string } {
    switch (int(9)) {
      case 0:
        return { body: gzipSync(body), coding: 'gzip', label: 'gzip' };
      case 1:
        return { body: deflateSync(body), coding: 'deflate', label: 'deflate' };
      case 2:
        return { body: brotliCompressSync(body, BROTLI_FAST), coding: 'br', label: 'br' };
      case 3: {
        const z = gzipSync(body);
        // Flip a byte, or cut it short: corrupt data.
        if (random() < 0.5) {
          const at = int(z.length);
          z[at] = (z[at] ?? 0) ^ 0xff;
        }
        return {
          body: z.subarray(0, random() < 0.5 ? z.length : int(z.length)),
          coding: 'gzip',
          label: 'gzip corrupt',
        };
      }
      case 4:
        return {
          body,
          coding: pick(['garbage', 'compress', 'gzip, gzip, gzip', 'identity', ',']),
          label: 'odd coding',
        };
      case 5:
        // A body far larger than the limit once inflated.
        return {
          body: gzipSync(Buffer.alloc(MAX_BODY * (2 + int(8)), int(256))),
          coding: 'gzip',
          label: 'gzip bomb',
        };
      default:
        return { body, label: 'plain' };
    }
  }

  return function nextCase(): Case {
    const boundary = `b${int(1e9)}`;
    const kinds = [
      ['json', 'application/json', () => json()],
      ['json+', 'application/vnd.x+json; charset=utf-8', () => json()],
      ['xml', pick(['application/xml', 'text/xml', 'application/soap+xml']), () => xml()],
      ['form', 'application/x-www-form-urlencoded', () => form()],
      ['multipart', `multipart/form-data; boundary=${boundary}`, () => multipart(boundary)],
      ['text', 'text/plain; charset=utf-8', () => json()],
      ['raw', 'application/octet-stream', () => bytes(int(4096)).toString('latin1')],
    ] as const;
    const [kind, rightType, make] = pick(kinds);
    let body = Buffer.from(make(), kind === 'raw' ? 'latin1' : 'utf8');
    if (random() < 0.05) body = Buffer.concat([body, bytes(MAX_BODY + int(MAX_BODY))]);
    const type = pick([
      rightType,
      rightType,
      pick(kinds)[1],
      '',
      'multipart/form-data',
      'application/json; charset=utf-16',
      ';;;/',
    ]);
    const encoded = encode(body);
    const headers: Record<string, string> = {};
    if (type !== '') headers['content-type'] = type;
    if (encoded.coding !== undefined) headers['content-encoding'] = encoded.coding;
    const format = pick(FORMATS);
    return {
      path: `/hooks/fuzz-${format}`,
      headers,
      body: encoded.body,
      label: `${kind} as '${type}' to format ${format}, ${encoded.label}, ${encoded.body.length} bytes`,
    };
  };
}

void describe(`body fuzzing (HOOKFLOW_FUZZ_SEED=${SEED})`, () => {
  let srv: TestServer;
  before(async () => {
    console.log(`# body fuzzing with HOOKFLOW_FUZZ_SEED=${SEED}`);
    srv = await startServer(
      FORMATS.map((f) => `name: fuzz-${f}\ntrigger: {webhook: {path: fuzz-${f}, format: ${f}}}\n`),
      { env: { HOOKFLOW_MAX_BODY: String(MAX_BODY) } },
    );
  });
  after(() => srv.close());

  test('every answer is a 2xx or a JSON 4xx error, and the server keeps serving', async () => {
    const nextCase = generator(prng(SEED));
    const deadline = Date.now() + DURATION_MS;
    const statuses = new Map<number, number>();
    let sent = 0;
    const failures: string[] = [];

    async function send(c: Case): Promise<void> {
      let res: Response;
      try {
        res = await fetch(`${srv.url}${c.path}`, {
          method: 'POST',
          headers: c.headers,
          body: c.body,
        });
      } catch (e) {
        failures.push(`${c.label}: no answer (${String((e as Error).cause ?? e)})`);
        return;
      }
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 200 && res.status < 300) return;
      if (res.status >= 500 || res.status < 400) {
        failures.push(`${c.label}: ${res.status} ${text.slice(0, 200)}`);
        return;
      }
      let error: unknown;
      try {
        error = (JSON.parse(text) as { error?: unknown }).error;
      } catch {
        error = undefined;
      }
      const e = error as { code?: unknown; message?: unknown } | undefined;
      if (typeof e?.code !== 'string' || typeof e.message !== 'string') {
        failures.push(`${c.label}: ${res.status} without the error shape: ${text.slice(0, 200)}`);
      }
    }

    // Cases are generated in one sequence, so the seed alone decides them.
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (Date.now() < deadline && sent < MAX_REQUESTS && failures.length < 10) {
          sent++;
          await send(nextCase());
        }
      }),
    );
    console.log(
      `# ${sent} bodies; answers by status: ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    assert.deepEqual(failures, [], `seed ${SEED}`);
    assert.ok(sent >= 50, `only ${sent} bodies were sent`);
    assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
  });
});
