/**
 * @module workflow/jsonata-eval
 * Parsing (cached by source text) and guarded evaluation of one JSONata expression. Every
 * evaluation runs under a time budget and a nesting-depth limit, checked by jsonata's
 * evaluate-entry hook, so an endless loop or runaway recursion fails instead of hanging a job.
 *
 * @example
 *   const c = compileExpression('$count(items)');
 *   await evaluateExpression(c, { items: [1, 2] }, 'steps.x.set.count'); // → 2
 */
import jsonata from 'jsonata';
import { errorMessage } from '../errors.js';
import { ExpressionError } from './errors.js';
import type { Scope } from './types.js';

/** A parsed JSONata expression, shared by every template that holds the same source. */
export interface CompiledExpression {
  readonly source: string;
  readonly expr: jsonata.Expression;
  /** For a plain field path (`trigger.body.id`): its names, read without JSONata when it can. */
  readonly fields: readonly string[] | null;
}

// A dotted path of plain names is the most common expression by far (`{{ trigger.body.id }}`),
// and JSONata spends 5-10 µs on one. Walked directly through plain objects it gives the same
// value; where JSONata's path semantics differ from a property walk (an array on the way or
// at the end, which JSONata maps and flattens), the walk gives up and JSONata decides.
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
/** Names that JSONata reads as literals or operators, not fields. */
const NOT_FIELDS = new Set(['true', 'false', 'null', 'and', 'or', 'in']);

function fieldPath(source: string): string[] | null {
  if (!FIELD_PATH.test(source)) return null;
  const names = source.split('.');
  return names.some((n) => NOT_FIELDS.has(n)) ? null : names;
}

const GAVE_UP = Symbol('gave up');

/** The value at `fields` in `scope`, or GAVE_UP where JSONata's answer could differ. */
export function readFields(scope: unknown, fields: readonly string[]): unknown {
  let value = scope;
  for (const name of fields) {
    if (Array.isArray(value)) return GAVE_UP;
    if (!isPlainObject(value))
      return typeof value === 'object' && value !== null ? GAVE_UP : undefined;
    value = Object.hasOwn(value, name) ? value[name] : undefined;
  }
  if (Array.isArray(value) || typeof value === 'function') return GAVE_UP;
  if (typeof value === 'object' && value !== null && !isPlainObject(value)) return GAVE_UP;
  return value;
}

/** Per-evaluation limits, reached by the hooks through a variable bound for that evaluation. */
interface Guard {
  deadline: number;
  depth: number;
  tripped?: string;
}

const DEFAULT_TIMEOUT_MS = 1000;
/** Nested evaluation frames (not function calls): deep enough for any sane expression. */
const MAX_DEPTH = 1000;
/**
 * Longest sequence an expression may build. Allocating one (e.g. the range `[1..10000000]`) is a
 * single step the time budget cannot interrupt, so it is bounded up front.
 */
export const MAX_SEQUENCE = 1_000_000;
const MAX_CACHED = 10_000;
const GUARD_VAR = '__hookflow_guard';
// jsonata 2.x looks its evaluation hooks up under these symbols. `evaluate`'s bindings only copy
// string keys (Object.keys), so the hooks are assigned once per compiled expression and find
// the state of the current evaluation through a string-named binding on its root frame.
const ENTRY_HOOK = Symbol.for('jsonata.__evaluate_entry');
const EXIT_HOOK = Symbol.for('jsonata.__evaluate_exit');

let timeoutMs = DEFAULT_TIMEOUT_MS;
const cache = new Map<string, CompiledExpression>();

/** Sets the time budget of one expression evaluation (default 1000 ms). */
export function setExpressionTimeout(ms: number): void {
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new RangeError(`expression timeout must be a positive number of ms, got ${ms}`);
  }
  timeoutMs = ms;
}

interface HookEnvironment {
  base?: { lookup(name: string): unknown };
  lookup(name: string): unknown;
}

function guardOf(env: HookEnvironment): Guard | undefined {
  return (env.base ?? env).lookup(GUARD_VAR) as Guard | undefined;
}

function onEntry(_node: unknown, _input: unknown, env: HookEnvironment): void {
  const guard = guardOf(env);
  if (!guard) return;
  guard.depth++;
  if (guard.depth > MAX_DEPTH) {
    guard.tripped = `nested deeper than ${MAX_DEPTH} levels (runaway recursion?)`;
  } else if (Date.now() > guard.deadline) {
    guard.tripped = `ran longer than its ${timeoutMs} ms time budget (endless loop or too much data?)`;
  } else {
    return;
  }
  throw new Error(guard.tripped);
}

function onExit(_node: unknown, _input: unknown, env: HookEnvironment): void {
  const guard = guardOf(env);
  if (guard) guard.depth--;
}

/**
 * Parses a JSONata expression, or returns the cached parse of the same source.
 * Throws a plain Error with JSONata's reason on a syntax error.
 */
export function compileExpression(source: string): CompiledExpression {
  const key = source.trim();
  const cached = cache.get(key);
  if (cached) return cached;
  if (key === '') throw new Error('the expression is empty');
  let expr: jsonata.Expression;
  try {
    expr = jsonata(key, { sequence: MAX_SEQUENCE });
  } catch (e) {
    throw new Error(jsonataReason(e));
  }
  // assign() is typed for string names; jsonata accepts any key its lookup uses.
  expr.assign(ENTRY_HOOK as unknown as string, onEntry);
  expr.assign(EXIT_HOOK as unknown as string, onExit);
  const compiled: CompiledExpression = { source: key, expr, fields: fieldPath(key) };
  if (cache.size >= MAX_CACHED) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(key, compiled);
  return compiled;
}

/** JSONata's reason for an error, with its code and position when it has them. */
function jsonataReason(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const { code, position, message } = e as {
      code?: unknown;
      position?: unknown;
      message?: unknown;
    };
    const at = typeof position === 'number' ? ` at position ${position}` : '';
    // jsonata's own D2015 text shows the attempted length where the limit belongs.
    const text =
      code === 'D2015'
        ? `a sequence grew past the limit of ${MAX_SEQUENCE} items`
        : String(message);
    return `${text} (JSONata ${String(code)}${at})`;
  }
  return errorMessage(e);
}

/** Evaluates one expression; throws an ExpressionError naming `where` and the expression. */
export async function evaluateExpression(
  compiled: CompiledExpression,
  scope: Scope,
  where: string,
  raw = `{{ ${compiled.source} }}`,
): Promise<unknown> {
  if (compiled.fields !== null) {
    const value = readFields(scope, compiled.fields);
    if (value !== GAVE_UP) return value;
  }
  const guard: Guard = { deadline: Date.now() + timeoutMs, depth: 0 };
  try {
    return toPlain(await compiled.expr.evaluate(scope, { [GUARD_VAR]: guard }));
  } catch (e) {
    throw new ExpressionError(where, raw, guard.tripped ?? jsonataReason(e));
  }
}

/**
 * Plain JSON-like values from a JSONata result: sequences become plain arrays (their flags
 * dropped), objects built by JSONata (null prototype) ordinary objects, functions and JSONata
 * lambdas vanish. Returns the same reference when nothing had to change. Recursive: the request
 * values it meets nest at most HOOKFLOW_MAX_DEPTH (≤ 1000) levels, see ingress/body/depth.ts.
 */
export function toPlain(value: unknown): unknown {
  if (typeof value === 'function' || isJsonataFunction(value)) return undefined;
  if (Array.isArray(value)) {
    const flagged = 'sequence' in value || 'keepSingleton' in value || 'outerWrapper' in value;
    let out: unknown[] | undefined = flagged ? value.slice(0, 0) : undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const plain = toPlain(item);
      if (plain !== item && !out) out = value.slice(0, i);
      if (out) out.push(plain);
    }
    return out ?? value;
  }
  if (isPlainObject(value)) {
    let out: Record<string, unknown> | undefined =
      Object.getPrototypeOf(value) === null ? { ...value } : undefined;
    for (const [k, item] of Object.entries(value)) {
      const plain = toPlain(item);
      if (plain !== item && !out) out = { ...value };
      if (out) {
        if (plain === undefined) delete out[k];
        else out[k] = plain;
      }
    }
    return out ?? value;
  }
  return value;
}

/** Lambdas and built-in functions are objects in JSONata, tied to their (cyclic) environment. */
function isJsonataFunction(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { _jsonata_lambda?: unknown; _jsonata_function?: unknown };
  return v._jsonata_lambda === true || v._jsonata_function === true;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
