/**
 * The model behind the JSON viewer: what one node shows, and how much of it. Large payloads
 * stay fast because nothing is rendered that is not asked for: a container lists its first
 * `PAGE` children (more on request), a long string shows its first `STRING_PREVIEW` characters,
 * and children are built only when their parent is open.
 */

export const PAGE = 100;
export const STRING_PREVIEW = 300;

export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

export function kindOf(value: unknown): JsonKind {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  const t = typeof value;
  if (t === 'string' || t === 'number' || t === 'boolean') return t;
  return 'object';
}

/** The entries of a container, `[key, value]`, from `start`, at most `count` of them. */
export function entriesOf(value: unknown, start: number, count: number): Array<[string, unknown]> {
  if (Array.isArray(value)) {
    return value.slice(start, start + count).map((v, i) => [String(start + i), v]);
  }
  if (value !== null && typeof value === 'object') {
    const out: Array<[string, unknown]> = [];
    let i = 0;
    // for…in stops early: no Object.entries of a 100,000-key object for its first 100 keys.
    for (const key in value as Record<string, unknown>) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      if (i >= start + count) break;
      if (i >= start) out.push([key, (value as Record<string, unknown>)[key]]);
      i++;
    }
    return out;
  }
  return [];
}

export function sizeOf(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  if (value !== null && typeof value === 'object') {
    let n = 0;
    for (const key in value as Record<string, unknown>) {
      if (Object.prototype.hasOwnProperty.call(value, key)) n++;
    }
    return n;
  }
  return 0;
}

/** A container's one-line summary when closed: `{ 3 keys }`, `[ 1,000 items ]`. */
export function summary(value: unknown): string {
  const n = sizeOf(value);
  const count = n.toLocaleString('en');
  if (Array.isArray(value)) return n === 0 ? '[]' : `[ ${count} item${n === 1 ? '' : 's'} ]`;
  return n === 0 ? '{}' : `{ ${count} key${n === 1 ? '' : 's'} }`;
}

/** Whether a node starts open: shallow, and not so large that opening it costs. */
export function startsOpen(value: unknown, depth: number, openDepth: number): boolean {
  return depth < openDepth && sizeOf(value) <= PAGE;
}

/** A string cut for display, and how many characters were left out. */
export function previewString(s: string, limit = STRING_PREVIEW): { text: string; hidden: number } {
  if (s.length <= limit) return { text: s, hidden: 0 };
  return { text: s.slice(0, limit), hidden: s.length - limit };
}
