/**
 * @module api/document-body
 * Routes that take a document (a workflow, a connection) as YAML or JSON text. The body is kept
 * as the exact text sent, so the loader reports problems at the lines the sender wrote, and
 * stores what was written. Call it on an encapsulated scope holding only those routes.
 *
 * @example
 *   void api.register(async (scope) => {
 *     acceptDocuments(scope);
 *     scope.put('/workflows/:name', async (request) => documentOf(request)); // {text, format}
 *   });
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HookflowError } from '../errors.js';

export const DOCUMENT_TYPES = [
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/x-yaml',
  'application/json',
];

export function acceptDocuments(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser(DOCUMENT_TYPES, { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );
  scope.addContentTypeParser('*', function refuseType(request, _payload, done) {
    const type = request.headers['content-type'];
    done(
      new HookflowError(
        'unsupported_media_type',
        `${type ? `content-type ${type} is not a document type` : 'the request has no content-type'}; send the document as application/yaml, text/yaml or application/json`,
      ),
    );
  });
}

/** The document's text and whether it was sent as JSON or YAML. */
export function documentOf(request: FastifyRequest): { text: string; format: 'yaml' | 'json' } {
  const text = request.body;
  if (typeof text !== 'string' || text.trim() === '') {
    throw new HookflowError(
      'invalid_request',
      'the body is empty; send the document as application/yaml, text/yaml or application/json',
    );
  }
  const type = request.headers['content-type'] ?? '';
  return { text, format: type.includes('json') ? 'json' : 'yaml' };
}
