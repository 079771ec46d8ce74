/**
 * @module ingress/client-errors
 * Refusals Node's HTTP parser makes before Fastify sees a request — headers too large (431),
 * bytes that are not HTTP (400), a request too slow to arrive (408) — answered with the same
 * `{"error": {"code", "message"}}` as every other refusal (§9). Written to the socket as a raw
 * response, since there is no request object yet.
 *
 * @example
 *   Fastify({ clientErrorHandler: answerClientError });
 */
import { STATUS_CODES, maxHeaderSize } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody, statusForCode } from './http-errors.js';

type ParserError = Error & { code?: string };

/** Node's parser error codes as ours; anything else is `bad_request`. */
function refusalOf(err: ParserError): { code: string; message: string } {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        code: 'headers_too_large',
        message: `the request line and headers are larger than the limit (${maxHeaderSize} bytes)`,
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'request_timeout', message: 'the request did not arrive in time' };
    default:
      return {
        code: 'bad_request',
        message: `the request is not valid HTTP/1.1 (${err.code ?? err.message})`,
      };
  }
}

/** The raw HTTP/1.1 response carrying a refusal. */
export function rawErrorResponse(status: number, code: string, message: string): string {
  const json = JSON.stringify(errorBody(code, message));
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(json)}`,
    'Connection: close',
    '',
    json,
  ].join('\r\n');
}

/** Fastify's `clientErrorHandler`: answers in our shape, then closes the connection. */
export function answerClientError(err: ParserError, socket: Socket): void {
  // A reset peer has nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // As Node does: never write into a response already under way on this socket.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const { code, message } = refusalOf(err);
    socket.write(rawErrorResponse(statusForCode(code), code, message));
  }
  socket.destroy();
}

/** Node's `checkExpectation` (an `Expect` other than 100-continue): 417 in our shape. */
export function answerUnmetExpectation(request: IncomingMessage, response: ServerResponse): void {
  const json = JSON.stringify(
    errorBody('expectation_failed', `Expect: ${request.headers.expect ?? ''} is not supported`),
  );
  response.writeHead(417, {
    'content-type': 'application/json; charset=utf-8',
    connection: 'close',
  });
  response.end(json);
}
