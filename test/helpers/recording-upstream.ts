/**
 * The third party of the throttling tests (a process that records when each request arrived),
 * and readers of what it and `/metrics` saw.
 */
import { spawn } from 'node:child_process';

export interface Call {
  path: string;
  at: number;
  status: number;
}

/**
 * The third party, in a process of its own so that the server's busy event loop cannot delay
 * the times it records: when each request arrived (`GET /__calls` lists them).
 * `/pausable/first` is answered `429 Retry-After: 2` once; everything else 200.
 */
const UPSTREAM = `
const calls = [];
let refused = false;
const server = require('node:http').createServer((req, res) => {
  const at = Date.now();
  const path = req.url;
  if (path === '/__calls') return res.end(JSON.stringify(calls));
  if (path.startsWith('/pausable/first') && !refused) {
    refused = true;
    calls.push({ path, at, status: 429 });
    res.writeHead(429, { 'retry-after': '2', 'content-type': 'application/json' });
    return res.end('{"error":"slow down"}');
  }
  calls.push({ path, at, status: 200 });
  // Warm-up calls take a while, so that every worker gets some of them.
  setTimeout(() => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  }, path.includes('/warm') ? 100 : 0);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

export interface Upstream {
  url: string;
  calls(): Promise<Call[]>;
  close(): Promise<void>;
}

export async function recordingUpstream(): Promise<Upstream> {
  const proc = spawn(process.execPath, ['-e', UPSTREAM], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    proc.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    proc.once('exit', (code) => reject(new Error(`the upstream exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    calls: async () => (await (await fetch(`${url}/__calls`)).json()) as Call[],
    close: () =>
      new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill();
      }),
  };
}

/** The most arrivals within any window of `windowMs`. */
export function mostInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! >= windowMs) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

/** Sum of a metric's samples in Prometheus text whose labels include every one of `labels`. */
export function metricSum(text: string, name: string, labels: string[]): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) || !labels.every((l) => line.includes(l))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export async function metricsOf(urls: string[]): Promise<string> {
  const texts = await Promise.all(urls.map(async (u) => (await fetch(`${u}/metrics`)).text()));
  return texts.join('\n');
}
