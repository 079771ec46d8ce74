/**
 * @module connections/read-secrets
 * The secret fields of a connection document as it is read: their values as used (and every
 * `${env:}` value inside one), which were written literally (those are stored sealed), and
 * the settings as the API shows them, secret values replaced by `[redacted]`.
 *
 * @example
 *   const s = new Secrets(written, env);
 *   s.add(['headers', 'X-Api-Key'], 'k-123');
 *   redactedSettings(written, s); // → { …, headers: { 'X-Api-Key': '[redacted]' } }
 */
import { canBeSecret, REDACTED } from '../steps/index.js';
import type { Env } from '../workflow/index.js';

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The secret fields of a document: their values as used, and which were written literally. */
export class Secrets {
  private readonly found = new Set<string>();
  readonly literal: string[] = [];
  readonly keys = new Set<string>();

  constructor(
    private readonly written: Record<string, unknown>,
    private readonly env: Env,
  ) {}

  /**
   * Notes `value` (at `path`, e.g. `headers.X-Api-Key`) as a secret. A `credential` (password,
   * client secret) is redacted everywhere; another value (a header or query value) only where
   * it is put, and everywhere too when it can be a secret (`canBeSecret`).
   */
  add(path: string[], value: string, kind: 'credential' | 'value' = 'credential'): void {
    this.keys.add(path.join('\u0000'));
    const searched = (v: string) => v !== '' && (kind === 'credential' || canBeSecret(v));
    if (searched(value)) this.found.add(value);
    let w: unknown = this.written;
    for (const key of path) w = isRecord(w) ? w[key] : undefined;
    if (isRecord(w)) w = w.value; // `{value, secret}`
    const writtenText = typeof w === 'string' ? w : String(w ?? '');
    const refs = [...writtenText.matchAll(ENV_REF)];
    if (refs.length === 0) this.literal.push(path.join('.'));
    for (const [, envName] of refs) {
      const v = envName === undefined ? undefined : this.env[envName];
      if (v && searched(v)) this.found.add(v);
    }
  }

  /** Adds a derived value (the Basic credential) without a field of its own. */
  derived(value: string): void {
    if (value !== '') this.found.add(value);
  }

  isSecret(path: string[]): boolean {
    return this.keys.has(path.join('\u0000'));
  }

  values(): string[] {
    return [...this.found];
  }
}

/** The document as written, with the value of every secret field replaced by `[redacted]`. */
export function redactedSettings(written: unknown, s: Secrets): Record<string, unknown> {
  if (!isRecord(written)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(written)) {
    if (s.isSecret([key])) out[key] = REDACTED;
    else if (isRecord(value) && (key === 'headers' || key === 'query')) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, s.isSecret([key, k]) ? REDACTED : v]),
      );
    } else out[key] = value;
  }
  return out;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
