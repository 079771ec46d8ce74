/**
 * @module api/validation
 * Fastify's schema errors in the API's words: one `invalid_request` naming each field and what
 * it must be (`status must be one of queued, running, succeeded, failed`), instead of
 * `querystring/status must be equal to one of the allowed values`.
 *
 * @example
 *   api.setSchemaErrorFormatter(formatSchemaErrors);
 */
import type { FastifySchemaValidationError } from 'fastify';
import { HookflowError } from '../errors.js';

export function formatSchemaErrors(
  errors: FastifySchemaValidationError[],
  dataVar: string,
): HookflowError {
  const parts = errors.map((e) => describeError(e, dataVar));
  return new HookflowError('invalid_request', [...new Set(parts)].join('; '));
}

function describeError(e: FastifySchemaValidationError, dataVar: string): string {
  const field = e.instancePath.replace(/^\//, '').replaceAll('/', '.') || dataVar;
  const p = e.params;
  switch (e.keyword) {
    case 'enum':
      return `${field} must be one of ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'required':
      return `${field === dataVar ? '' : `${field}.`}${String(p.missingProperty)} is required`;
    case 'type':
      return `${field} must be ${article(String(p.type))}`;
    case 'minimum':
    case 'maximum':
      return `${field} must be ${p.comparison} ${p.limit}`;
    default:
      return `${field} ${e.message ?? 'is not valid'}`;
  }
}

function article(type: string): string {
  const words: Record<string, string> = {
    integer: 'a whole number',
    number: 'a number',
    string: 'a string',
    boolean: 'true or false',
    object: 'an object',
    array: 'a list',
  };
  return type
    .split(',')
    .map((t) => words[t] ?? t)
    .join(' or ');
}
