/**
 * @module connectors/sdk/no-trigger
 * Thrown by `filter` or `before`: no job, and this answer instead.
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
