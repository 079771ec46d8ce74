/**
 * @module steps/http/testing
 * Test helpers for the `http` step: a real node:http server on 127.0.0.1 (port 0) that
 * records what it received, and a builder for compiled http steps with test defaults.
 *
 * @example
 *   const server = await startServer((req, res) => res.end('ok'));
 *   const step = httpStep({ url: `${server.url}/x` });
 *   await server.close();
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpStep } from '../../workflow/types.js';
import { fakeTemplate } from '../testing.js';

export interface ReceivedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body as UTF-8 text. */
  text: string;
  /** Date.now() when the request had been read. */
  at: number;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** `n` is the 1-based number of the request. */
export type TestHandler = (
  req: ReceivedRequest,
  res: ServerResponse,
  n: number,
) => void | Promise<void>;

export async function startServer(handler: TestHandler): Promise<TestServer> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const received: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        text: body.toString('utf8'),
        at: Date.now(),
      };
      requests.push(received);
      Promise.resolve(handler(received, res, requests.length)).catch((e: unknown) => {
        res.statusCode = 599;
        res.end(String(e));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface HttpStepFields extends Partial<
  Omit<HttpStep, 'type' | 'url' | 'headers' | 'query' | 'body'>
> {
  /** Plain values, or functions of the scope; wrapped in fake templates. */
  url: unknown;
  headers?: unknown;
  query?: unknown;
  body?: unknown;
}

/** A compiled http step: GET, json body, auto response, 5 s timeout, one try, errors fail. */
export function httpStep(fields: HttpStepFields): HttpStep {
  const { url, headers, query, body, ...rest } = fields;
  return {
    type: 'http',
    id: 'call',
    line: 1,
    method: 'GET',
    bodyType: 'json',
    response: 'auto',
    timeoutMs: 5000,
    retry: { attempts: 1, backoffMs: 10 },
    errors: 'fail',
    ...rest,
    url: fakeTemplate(url, 'steps.call.http.url'),
    ...(headers !== undefined && { headers: fakeTemplate(headers, 'steps.call.http.headers') }),
    ...(query !== undefined && { query: fakeTemplate(query, 'steps.call.http.query') }),
    ...(body !== undefined && { body: fakeTemplate(body, 'steps.call.http.body') }),
  };
}
