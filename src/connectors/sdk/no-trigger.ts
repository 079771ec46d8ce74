/**
 * @module connectors/sdk/no-trigger
 * Thrown by `filter`, `before` or `reply`: no job, and this answer instead. tray.io's forms are
 * accepted too (see {@link noTriggerOf}): the string `'#no_trigger'`, or
 * `{code: '#no_trigger', http: {status_code, headers, body}}`, thrown or rejected.
 *
 * @example
 *   if (!signatureHolds) throw NoTrigger.unauthorized('X-Signature does not match');
 *   if (body.type === 'ping') throw new NoTrigger({ status: 200, body: { ok: true } });
 */
import type { Reply } from './types.js';

// A global symbol, not instanceof: a connector bundled with its own copy of the SDK still works.
const BRAND = Symbol.for('hookflow.no-trigger');

export class NoTrigger extends Error {
  readonly reply: Reply;

  constructor(reply: Reply = {}, message = 'no trigger') {
    super(message);
    this.name = 'NoTrigger';
    this.reply = reply;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** A `401 {"error": {"code": "unauthorized", "message": …}}`: the sender is not who it says. */
  static unauthorized(message: string): NoTrigger {
    return new NoTrigger(
      { status: 401, body: { error: { code: 'unauthorized', message } } },
      message,
    );
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && BRAND in value;
  }
}

const TRAY_CODE = '#no_trigger';

/**
 * The NoTrigger a hook's failure stands for, or undefined when it is a real failure: a
 * NoTrigger itself, or one of tray.io's forms (`'#no_trigger'`, answered `200` with no body;
 * `{code: '#no_trigger', http: {status_code, headers, body}}`, answered with those).
 */
export function noTriggerOf(e: unknown): NoTrigger | undefined {
  if (e instanceof NoTrigger) return e;
  if (e === TRAY_CODE) return new NoTrigger({}, TRAY_CODE);
  if (typeof e !== 'object' || e === null || (e as { code?: unknown }).code !== TRAY_CODE) {
    return undefined;
  }
  const http = (e as { http?: unknown }).http;
  if (typeof http !== 'object' || http === null) return new NoTrigger({}, TRAY_CODE);
  const { status_code: status, headers, body } = http as Record<string, unknown>;
  const reply: Reply = {};
  if (status !== undefined) reply.status = status as number;
  if (typeof headers === 'object' && headers !== null) {
    reply.headers = Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name, String(value)]),
    );
  }
  if (body !== undefined) reply.body = body;
  return new NoTrigger(reply, TRAY_CODE);
}
