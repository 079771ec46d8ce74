/**
 * @module workflow/units
 * Durations (`500ms`, `30s`, `5m`, `2h`, `7d`, or milliseconds) and sizes (`512kb`, `10mb`,
 * `1gb`, or bytes; 1 kb = 1024 bytes). Both throw a HookflowError saying what is accepted.
 *
 * @example
 *   parseDuration('1.5s'); // → 1500
 *   parseSize('10mb');     // → 10485760
 */
import { HookflowError } from '../errors.js';

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

export const DURATION_HINT = 'a duration like 500ms, 30s, 5m, 2h, 7d or a number of milliseconds';
export const SIZE_HINT = 'a size like 512kb, 10mb, 1gb or a number of bytes';

function parseUnits(value: unknown, units: Record<string, number>): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (!m) return undefined;
  const unit = (m[2] ?? '').toLowerCase();
  const factor = unit === '' ? 1 : units[unit];
  if (factor === undefined) return undefined;
  return Math.round(Number(m[1]) * factor);
}

/** Milliseconds from `500ms`, `30s`, `5m`, `2h`, `7d` or a number (of ms). */
export function parseDuration(value: unknown): number {
  const ms = parseUnits(value, DURATION_UNITS);
  if (ms === undefined) {
    throw new HookflowError('invalid_duration', `${JSON.stringify(value)} is not ${DURATION_HINT}`);
  }
  return ms;
}

/** Bytes from `512kb`, `10mb`, `1gb` (binary units) or a number (of bytes). */
export function parseSize(value: unknown): number {
  const bytes = parseUnits(value, SIZE_UNITS);
  if (bytes === undefined) {
    throw new HookflowError('invalid_size', `${JSON.stringify(value)} is not ${SIZE_HINT}`);
  }
  return bytes;
}
