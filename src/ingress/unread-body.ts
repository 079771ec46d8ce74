/**
 * @module ingress/unread-body
 * An answer given before the request's body arrived in full — a refusal such as 413, 415, 401 —
 * closes the connection. Node reads the next request of a keep-alive connection only once this
 * one's body is off the wire, and it skips the bytes itself only if nobody began reading them:
 * a body whose reading stopped half way (piped into a Content-Encoding decoder, then refused for
 * its Content-Type) would leave the connection paused, and the sender's next request on it
 * would hang until the keep-alive timeout and be reset. Closing also spares reading a refused
 * body to its end. Fastify closes the same way after its body-parser errors.
 *
 * @example
 *   server.addHook('onSend', closeIfBodyUnread);
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export function closeIfBodyUnread(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (err: null, payload: unknown) => void,
): void {
  if (!request.raw.complete) reply.header('connection', 'close');
  done(null, payload);
}
