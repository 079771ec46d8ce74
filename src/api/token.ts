/**
 * @module api/token
 * The bearer token of the management API (`HOOKFLOW_API_TOKEN`), compared in constant time.
 *
 * @example
 *   if (token) api.addHook('onRequest', requireToken(token));
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HookflowError } from '../errors.js';

/** An `onRequest` hook refusing, with 401 `unauthorized`, a request without the token. */
export function requireToken(token: string) {
  const expected = Buffer.from(token);
  return async function requireToken(request: FastifyRequest): Promise<void> {
    if (!tokenMatches(request, expected)) {
      throw new HookflowError('unauthorized', 'missing or wrong bearer token (HOOKFLOW_API_TOKEN)');
    }
  };
}

/** `Bearer <token>`; the scheme is case-insensitive (RFC 9110 §11.1): `bearer x` is accepted. */
const BEARER = /^bearer +(.*)$/i;

function tokenMatches(request: FastifyRequest, expected: Buffer): boolean {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  if (!match) return false;
  const given = Buffer.from(match[1]!.trim());
  // timingSafeEqual throws on different lengths: compare those first.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
