/**
 * @module workflow/expressions
 * `{{ JSONata }}` templates. A value is compiled once (every expression parsed, cached by its
 * source text) and rendered against a scope many times. A string that is exactly one `{{ … }}`
 * keeps the expression's type; other strings join their parts as text (objects as JSON,
 * undefined and null as nothing); objects and lists are walked, so any nested value may hold
 * expressions. Values without expressions render to themselves.
 *
 * @example
 *   const t = compileTemplate({ id: '{{ trigger.body.id }}', note: 'order {{ trigger.body.id }}' }, 'steps.x.set');
 *   await t.render({ trigger: { body: { id: 7 } } }); // → { id: 7, note: 'order 7' }
 */
import { ExpressionSyntaxError } from './errors.js';
import { compileExpression, evaluateExpression, isPlainObject } from './jsonata-eval.js';
import type { CompiledExpression } from './jsonata-eval.js';
import { splitTemplate } from './template-syntax.js';
import type { Scope, Template } from './types.js';

export { setExpressionTimeout } from './jsonata-eval.js';

type Render = (scope: Scope) => Promise<unknown>;

class CompiledTemplate implements Template {
  constructor(
    readonly where: string,
    readonly isStatic: boolean,
    readonly render: Render,
  ) {}
}

/**
 * Compiles a value that may hold `{{ }}` expressions anywhere inside it. `where` names it in
 * error messages (e.g. `steps.order.http.url`). Throws an ExpressionSyntaxError on invalid JSONata.
 */
export function compileTemplate(value: unknown, where: string): Template {
  const render = compileValue(value, where);
  if (render) return new CompiledTemplate(where, false, render);
  return new CompiledTemplate(where, true, () => Promise.resolve(value));
}

/** A template that renders `value` unchanged, whatever it holds. */
export function staticTemplate(value: unknown, where: string): Template {
  return new CompiledTemplate(where, true, () => Promise.resolve(value));
}

/**
 * The renderer of a value, or undefined when it holds no expression. Walks the workflow file's
 * value (written by its author, not sent by a request); rendering never walks the scope.
 */
function compileValue(value: unknown, where: string): Render | undefined {
  if (typeof value === 'string') return compileString(value, where);
  if (Array.isArray(value)) {
    const items = value.map((item: unknown, i) => compileValue(item, `${where}[${i}]`));
    if (items.every((r) => r === undefined)) return undefined;
    return async function renderList(scope) {
      const out: unknown[] = [];
      for (let i = 0; i < items.length; i++) {
        const r = items[i];
        out.push(r ? await r(scope) : value[i]);
      }
      return out;
    };
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value).map(
      ([key, item]) => [key, item, compileValue(item, childWhere(where, key))] as const,
    );
    if (entries.every(([, , r]) => r === undefined)) return undefined;
    return async function renderObject(scope) {
      const out: Record<string, unknown> = {};
      for (const [key, item, r] of entries) out[key] = r ? await r(scope) : item;
      return out;
    };
  }
  return undefined;
}

/** `where.key`, or `where["odd key"]` for a key that is not a plain name. */
export function childWhere(where: string, key: string): string {
  if (where === '') return key;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)
    ? `${where}.${key}`
    : `${where}[${JSON.stringify(key)}]`;
}

type Piece = string | { compiled: CompiledExpression; raw: string };

function compileString(value: string, where: string): Render | undefined {
  if (!value.includes('{{')) return undefined;
  let parts;
  try {
    parts = splitTemplate(value);
  } catch (e) {
    throw new ExpressionSyntaxError(where, value, (e as Error).message);
  }
  const pieces: Piece[] = parts.map((p) => {
    if ('text' in p) return p.text;
    try {
      return { compiled: compileExpression(p.source), raw: p.raw };
    } catch (e) {
      throw new ExpressionSyntaxError(where, p.raw, (e as Error).message);
    }
  });
  const expressions = pieces.filter((p) => typeof p !== 'string');
  const onlyBlank = pieces.every((p) => typeof p !== 'string' || p.trim() === '');
  const single = expressions[0];
  if (expressions.length === 1 && onlyBlank && single) {
    // Exactly one `{{ }}`: the expression's own type is kept (number, object, list, …).
    return function renderExpression(scope) {
      return evaluateExpression(single.compiled, scope, where, single.raw);
    };
  }
  return async function renderText(scope) {
    let out = '';
    for (const p of pieces) {
      out +=
        typeof p === 'string'
          ? p
          : toText(await evaluateExpression(p.compiled, scope, where, p.raw));
    }
    return out;
  };
}

/** How a value reads inside a text: objects and lists as JSON, undefined and null as nothing. */
export function toText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  // A BigInt or a cycle from connector code throws; request values are bounded in depth.
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}
