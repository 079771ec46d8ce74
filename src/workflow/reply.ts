/**
 * @module workflow/reply
 * Replies to a webhook caller (`reply`, `reject` and the reply step): `{status, headers, body}`,
 * each part a template rendered against the scope of the moment.
 *
 * @example
 *   const r = compileReply({ status: 201, body: { id: '{{ body.id }}' } }, 'trigger.webhook.reply');
 *   await renderReply(r, { body: { id: 'a1' } }); // → { status: 201, headers: {}, body: { id: 'a1' } }
 */
import { HookflowError } from '../errors.js';
import { BODY_ENCODINGS, bodyBytes } from './binary.js';
import type { BodyEncoding } from './binary.js';
import { compileTemplate, staticTemplate, toText } from './expressions.js';
import { isPlainObject } from './jsonata-eval.js';
import type { HttpReply, ReplyTemplate, Scope } from './types.js';

export const REPLY_KEYS = ['status', 'headers', 'body', 'body_encoding'] as const;

/**
 * Compiles `{status?, headers?, body?}` (status defaults to 200, headers to none). Throws a
 * HookflowError (`invalid_reply`) on another shape; the loader reports these with a line first.
 */
export function compileReply(raw: unknown, where: string): ReplyTemplate {
  if (raw === undefined || raw === null) raw = {};
  if (!isPlainObject(raw)) {
    throw new HookflowError('invalid_reply', `${where} must be a mapping of status, headers, body`);
  }
  const unknown = Object.keys(raw).filter((k) => !(REPLY_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new HookflowError(
      'invalid_reply',
      `unknown key '${unknown[0]}' in ${where} (allowed: ${REPLY_KEYS.join(', ')})`,
    );
  }
  const { status = 200, headers = {}, body, body_encoding: bodyEncoding = 'auto' } = raw;
  if (!BODY_ENCODINGS.includes(bodyEncoding as BodyEncoding)) {
    throw new HookflowError(
      'invalid_reply',
      `${where}.body_encoding must be one of ${BODY_ENCODINGS.join(', ')}`,
    );
  }
  return {
    bodyEncoding: bodyEncoding as BodyEncoding,
    status: compileTemplate(status, `${where}.status`),
    headers: compileTemplate(headers, `${where}.headers`),
    body:
      body === undefined
        ? staticTemplate(undefined, `${where}.body`)
        : compileTemplate(body, `${where}.body`),
  };
}

/** A status as a reply may give it: an integer 100–599, or such a number as text. */
export function toStatus(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Renders a reply. Header values become strings (lists joined with `, `, null/undefined left
 * out); the body is returned as rendered, or as base64 with `bodyEncoding` when it is bytes (a
 * binary value, or base64 text with `body_encoding: base64`; their Content-Type is set unless a
 * header gives one). Throws `invalid_reply` for a bad status or header, `invalid_base64` for a
 * base64 body that is not, and `expression_failed` for an expression that fails.
 */
export async function renderReply(t: ReplyTemplate, scope: Scope): Promise<HttpReply> {
  const rawStatus = await t.status.render(scope);
  const status = toStatus(rawStatus);
  if (status === undefined) {
    throw new HookflowError(
      'invalid_reply',
      `${t.status.where} must be an HTTP status 100-599, got ${JSON.stringify(rawStatus) ?? 'nothing'}`,
    );
  }
  const rawHeaders = await t.headers.render(scope);
  const headers: Record<string, string> = {};
  if (rawHeaders !== undefined && rawHeaders !== null) {
    if (!isPlainObject(rawHeaders)) {
      throw new HookflowError(
        'invalid_reply',
        `${t.headers.where} must be a mapping of header names to values`,
      );
    }
    for (const [name, value] of Object.entries(rawHeaders)) {
      if (value === undefined || value === null) continue;
      const text = Array.isArray(value) ? value.map(toText).join(', ') : toText(value);
      if (!HEADER_NAME.test(name) || /[\r\n\0]/.test(text)) {
        throw new HookflowError(
          'invalid_reply',
          `${t.headers.where}: header ${JSON.stringify(name)} is not a valid HTTP header name or value`,
        );
      }
      headers[name] = text;
    }
  }
  const body = await t.body.render(scope);
  const bytes = bodyBytes(body, t.bodyEncoding, t.body.where);
  if (!bytes) return { status, headers, body };
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
    headers['content-type'] = bytes.contentType ?? 'application/octet-stream';
  }
  return { status, headers, body: bytes.bytes.toString('base64'), bodyEncoding: 'base64' };
}
