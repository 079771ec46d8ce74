/**
 * @module workflow/yaml-reader
 * A small reader over parsed YAML nodes that collects problems instead of stopping at the first.
 * Every problem carries the line of the node at fault: an unknown key's own line, the mapping's
 * line for a missing key, the value's line for a bad value.
 *
 * @example
 *   const m = r.map(node, 'trigger.webhook', { allowed: ['method', 'path'] });
 *   const method = m && r.oneOf(m, 'method', ['GET', 'POST'], 'POST', { upper: true });
 */
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node, Scalar, YAMLSeq } from 'yaml';
import type { Problem } from './errors.js';
import { childWhere } from './expressions.js';
import { DURATION_HINT, parseDuration, parseSize, SIZE_HINT } from './units.js';

/** One `key: value` of a mapping; `value` is null for `key:` with nothing after it. */
export interface Field {
  key: string;
  keyLine: number;
  value: Node | null;
}

/** A mapping whose keys were checked against the allowed ones. */
export interface MapView {
  /** Path of the mapping in messages, e.g. `trigger.webhook`; '' for the top level. */
  where: string;
  line: number;
  fields: Map<string, Field>;
  /** Keys that were not allowed (already reported). */
  unknown: string[];
}

export interface MapRules {
  /** The keys allowed; any key when left out. */
  allowed?: readonly string[];
  required?: readonly string[];
  /** Accept `key:` with nothing (null) as an empty mapping. */
  nullIsEmpty?: boolean;
  /** Line to report at when the node itself has none (e.g. a null value). */
  line?: number;
}

export class Reader {
  readonly problems: Problem[] = [];

  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
    private readonly doc: Document,
  ) {}

  /** 1-based line where a node starts; `fallback` (or 1) when it has no position. */
  line(node: Node | null | undefined, fallback = 1): number {
    const start = node?.range?.[0];
    return start === undefined ? fallback : this.lines.linePos(start).line;
  }

  lineAt(offset: number): number {
    return this.lines.linePos(offset).line;
  }

  report(line: number, message: string): void {
    this.problems.push({ file: this.file, line, message });
  }

  /** The node an alias points to, or the node itself. */
  resolve(node: unknown): Node | null {
    if (isAlias(node)) return node.resolve(this.doc) ?? null;
    return isScalar(node) || isMap(node) || isSeq(node) ? node : null;
  }

  /** The plain value of a node (aliases expanded). */
  toJS(node: Node | null): unknown {
    return node ? (node.toJS(this.doc, { maxAliasCount: 100 }) as unknown) : null;
  }

  /** Checks a mapping's keys; reports unknown and missing ones; undefined if it is no mapping. */
  map(raw: Node | null, where: string, rules: MapRules = {}): MapView | undefined {
    const node = this.resolve(raw);
    const line = this.line(node, rules.line);
    if (rules.nullIsEmpty && (node === null || (isScalar(node) && node.value === null))) {
      const empty: MapView = { where, line, fields: new Map(), unknown: [] };
      this.missing(empty, rules.required);
      return empty;
    }
    if (!isMap(node)) {
      this.report(line, `${where || 'a workflow'} must be a mapping${describe(node)}`);
      return undefined;
    }
    const view: MapView = { where, line, fields: new Map(), unknown: [] };
    for (const pair of node.items) {
      const keyNode = this.resolve(pair.key);
      const keyLine = this.line(keyNode, line);
      if (!isScalar(keyNode) || typeof keyNode.value !== 'string') {
        this.report(keyLine, `keys in ${where || 'a workflow'} must be text`);
        continue;
      }
      const key = keyNode.value;
      if (rules.allowed && !rules.allowed.includes(key)) {
        this.report(keyLine, unknownKey(key, where, rules.allowed));
        view.unknown.push(key);
        continue;
      }
      view.fields.set(key, { key, keyLine, value: this.resolve(pair.value) });
    }
    this.missing(view, rules.required);
    return view;
  }

  private missing(view: MapView, required: readonly string[] | undefined): void {
    for (const key of required ?? []) {
      if (!view.fields.has(key)) {
        this.report(view.line, `missing required key '${key}' in ${view.where || 'the workflow'}`);
      }
    }
  }

  /** The value node of `key` (null when written with no value), undefined when absent. */
  node(m: MapView, key: string): Node | null | undefined {
    return m.fields.get(key)?.value;
  }

  /** The line of a field's value, else of its key. */
  valueLine(m: MapView, key: string): number {
    const f = m.fields.get(key);
    return f ? this.line(f.value, f.keyLine) : m.line;
  }

  /** Reports `<where>.<key> <message>` at the value's line. */
  bad(m: MapView, key: string, message: string): void {
    this.report(this.valueLine(m, key), `${childWhere(m.where, key)} ${message}`);
  }

  string(m: MapView, key: string): string | undefined {
    if (!m.fields.has(key)) return undefined;
    const value = this.toJS(this.node(m, key) ?? null);
    if (typeof value === 'string') return value;
    this.bad(m, key, `must be text${describe(this.node(m, key) ?? null)}`);
    return undefined;
  }

  bool(m: MapView, key: string, fallback: boolean): boolean {
    if (!m.fields.has(key)) return fallback;
    const value = this.toJS(this.node(m, key) ?? null);
    if (typeof value === 'boolean') return value;
    this.bad(m, key, `must be true or false${describe(this.node(m, key) ?? null)}`);
    return fallback;
  }

  /** One of `values`; with `upper`, compared case-insensitively and returned upper-case. */
  oneOf<T extends string>(
    m: MapView,
    key: string,
    values: readonly T[],
    fallback: T,
    opts: { upper?: boolean } = {},
  ): T {
    if (!m.fields.has(key)) return fallback;
    const raw = this.toJS(this.node(m, key) ?? null);
    const value = typeof raw === 'string' && opts.upper ? raw.toUpperCase() : raw;
    if (values.includes(value as T)) return value as T;
    this.bad(m, key, `must be one of ${values.join(', ')}${describe(this.node(m, key) ?? null)}`);
    return fallback;
  }

  /** Milliseconds; `positive` refuses zero. */
  duration(m: MapView, key: string, fallback: number, opts: { positive?: boolean } = {}): number {
    if (!m.fields.has(key)) return fallback;
    const raw = this.toJS(this.node(m, key) ?? null);
    try {
      const ms = parseDuration(raw);
      if (!opts.positive || ms > 0) return ms;
    } catch {
      // reported below
    }
    const more = opts.positive ? ' (more than zero)' : '';
    this.bad(m, key, `must be ${DURATION_HINT}${more}${describe(this.node(m, key) ?? null)}`);
    return fallback;
  }

  size(m: MapView, key: string): number | undefined {
    if (!m.fields.has(key)) return undefined;
    const raw = this.toJS(this.node(m, key) ?? null);
    try {
      const bytes = parseSize(raw);
      if (bytes > 0) return bytes;
    } catch {
      // reported below
    }
    this.bad(m, key, `must be ${SIZE_HINT}${describe(this.node(m, key) ?? null)}`);
    return undefined;
  }

  integer(m: MapView, key: string, fallback: number, min: number): number {
    if (!m.fields.has(key)) return fallback;
    const value = this.toJS(this.node(m, key) ?? null);
    if (typeof value === 'number' && Number.isInteger(value) && value >= min) return value;
    this.bad(m, key, `must be a whole number ≥ ${min}${describe(this.node(m, key) ?? null)}`);
    return fallback;
  }

  /** A list node, or undefined (reported) when the value is something else. */
  seq(m: MapView, key: string): YAMLSeq | undefined {
    const node = this.node(m, key);
    if (isSeq(node)) return node;
    this.bad(m, key, `must be a list${describe(node ?? null)}`);
    return undefined;
  }
}

/** ` (got 'x')` for a scalar, ` (got a list)` for a list… to end a message with. */
export function describe(node: Node | null): string {
  if (node === null) return ' (got nothing)';
  if (isMap(node)) return ' (got a mapping)';
  if (isSeq(node)) return ' (got a list)';
  const value = (node as Scalar).value;
  if (value === null) return ' (got nothing)';
  if (typeof value === 'string')
    return ` (got '${value.length > 60 ? value.slice(0, 57) + '...' : value}')`;
  return ` (got ${String(value)})`;
}

function unknownKey(key: string, where: string, allowed: readonly string[]): string {
  const near = allowed.find((a) => editDistance(a, key) <= Math.max(1, Math.floor(a.length / 3)));
  const hint = near ? `; did you mean '${near}'?` : '';
  return `unknown key '${key}' in ${where || 'the workflow'} (allowed: ${allowed.join(', ')})${hint}`;
}

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      row[j] = Math.min(
        cur + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = cur;
    }
  }
  return row[b.length] as number;
}
