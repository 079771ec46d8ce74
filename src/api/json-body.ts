/**
 * @module api/json-body
 * What the `/api` routes take as a body: JSON, or nothing. A body of any other type is 415
 * `unsupported_media_type` — `text/plain` and form bodies are what a web page can send across
 * origins without a preflight. No body at all is always accepted where a route takes none:
 * many clients send `content-type: application/json` with an empty `POST …/rerun`. Routes that
 * take documents (YAML) set their own parsers (`document-body.ts`).
 *
 * @example
 *   void app.register(async (api) => { acceptJsonBodies(api); api.post('/jobs/:id/rerun', …) });
 */
import type { FastifyInstance } from 'fastify';
import { HookflowError } from '../errors.js';
import { BODY_TOO_DEEP, jsonDepthOverflow } from '../ingress/body/index.js';

/** API bodies are small settings objects; the same bound as workflow documents. */
const MAX_API_BODY_DEPTH = 64;

export function acceptJsonBodies(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  // Fastify's own parser: it refuses __proto__ and constructor.prototype keys.
  const parseJson = scope.getDefaultJsonParser('error', 'error');
  scope.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    function parseJsonBody(request, body, done) {
      const text = body.toString();
      if (text === '') done(null, undefined);
      // Bounded before parsing: a deep body would overflow the first recursive walk after it.
      else if (jsonDepthOverflow(text, MAX_API_BODY_DEPTH) !== -1)
        done(
          new HookflowError(
            BODY_TOO_DEEP,
            `the body nests more than ${MAX_API_BODY_DEPTH} levels deep; API bodies are settings, not payloads`,
          ),
        );
      // Fastify's default parser is synchronous: it calls done before returning.
      else void parseJson(request, text, done);
    },
  );
  scope.addContentTypeParser(
    '*',
    { parseAs: 'string' },
    function refuseOtherBodies(request, body, done) {
      if (body.length === 0) return done(null, undefined);
      const type = request.headers['content-type'];
      done(
        new HookflowError(
          'unsupported_media_type',
          `${type ? `content-type ${type} is not accepted here` : 'the body has no content-type'}; the API takes application/json bodies (or no body)`,
        ),
      );
    },
  );
}
