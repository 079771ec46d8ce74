/**
 * @module ingress/client-errors
 * Refusals made before a request reaches Fastify's routes — a request that took too long to
 * arrive (the header and request timeouts), headers too large, bytes that are not HTTP —
 * answered in the one error shape, then the connection is closed.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody } from './http-errors.js';

const REFUSALS: Record<string, { status: number; code: string; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'request_timeout',
    message: 'the request did not arrive in time (header or request timeout); send it again',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'headers_too_large',
    message: 'the request headers are larger than the limit',
  },
};

const MALFORMED = { status: 400, code: 'bad_request', message: 'the request is not valid HTTP' };

export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  // A reset connection has no one to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, code, message } = REFUSALS[err.code ?? ''] ?? MALFORMED;
  if (socket.writable) {
    const body = JSON.stringify(errorBody(code, message));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
